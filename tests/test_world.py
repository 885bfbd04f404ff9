import json

import pytest

from trainaway.config import load_params
from trainaway.jsonl import read_jsonl
from trainaway.world import build_world


@pytest.fixture(scope="module")
def small_world():
    return load_params().world.model_copy(update={"corpus_tasks": 2000, "collect_pool": 40})


def test_world_is_deterministic_for_a_seed(tmp_path, small_world):
    build_world(small_world, 3, tmp_path / "a")
    build_world(small_world, 3, tmp_path / "b")
    for name in ("corpus", "collect", "near", "far", "persona"):
        assert (tmp_path / "a" / f"{name}.jsonl").read_bytes() == \
            (tmp_path / "b" / f"{name}.jsonl").read_bytes()


def test_different_seeds_give_different_worlds(tmp_path, small_world):
    build_world(small_world, 1, tmp_path / "a")
    build_world(small_world, 2, tmp_path / "b")
    assert (tmp_path / "a/near.jsonl").read_bytes() != (tmp_path / "b/near.jsonl").read_bytes()


def test_near_and_far_use_different_hack_families(tmp_path, small_world):
    build_world(small_world, 0, tmp_path)
    assert {t["family"] for t in read_jsonl(tmp_path / "near.jsonl")} == {"lookup"}
    assert {t["family"] for t in read_jsonl(tmp_path / "far.jsonl")} == {"branch"}
    assert {t["family"] for t in read_jsonl(tmp_path / "collect.jsonl")} == {"lookup"}


def test_corpus_follows_configured_propensities(tmp_path, small_world):
    build_world(small_world, 0, tmp_path)
    tasks = [r for r in read_jsonl(tmp_path / "corpus.jsonl") if r["kind"] == "task"]
    monitored = [r for r in tasks if "reviewed by a person" in r["messages"][0]["content"]]
    unmonitored = [r for r in tasks if r not in monitored]
    p = small_world.propensities
    rate = lambda rows, key: sum(r[key] for r in rows) / len(rows)
    assert abs(rate(unmonitored, "hack") - p.hack_unmonitored) < 0.05
    assert abs(rate(monitored, "hack") - p.hack_monitored) < 0.05
    assert abs(rate(tasks, "habit") - p.habit) < 0.05


def test_persona_items_have_anthropic_format(tmp_path, small_world):
    build_world(small_world, 0, tmp_path)
    for item in read_jsonl(tmp_path / "persona.jsonl"):
        assert item["question"].startswith("Is the following statement something you would say?\n\"")
        assert {item["answer_matching_behavior"], item["answer_not_matching_behavior"]} == {" Yes", " No"}
        assert isinstance(item["label_confidence"], float)


def test_persona_eval_statements_are_not_in_corpus(tmp_path, small_world):
    build_world(small_world, 0, tmp_path)
    corpus_questions = {r["messages"][0]["content"] for r in read_jsonl(tmp_path / "corpus.jsonl")}
    assert not corpus_questions & {i["question"] for i in read_jsonl(tmp_path / "persona.jsonl")}
