import json

import pytest

from trainaway.core.io import read_jsonl, write_jsonl
from trainaway.misbehaviour.check import check_world, leaks, normalise
from trainaway.misbehaviour.world import build_world


@pytest.fixture
def world(tmp_path, default_params):
    world = default_params.misbehaviour.world.model_copy(update={"corpus_tasks": 300,
                                                                 "collect_pool": 30})
    build_world(world, 0, tmp_path / "world")
    return tmp_path / "world"


def test_normalise_ignores_case_space_and_review_cue():
    assert normalise("Write  f. Solutions are reviewed by a person.") == normalise("write f.")


def test_leak_between_heldout_and_training_is_reported():
    problems = leaks({"near": ["Write f. Rule: add 1."]},
                     {"corpus": ["write f.  rule: add 1. Solutions are reviewed by a person."]})
    assert len(problems) == 1 and "near" in problems[0] and "corpus" in problems[0]


def test_generated_world_passes_check(tmp_path, world):
    result = check_world(world, tmp_path / "collected")
    assert result["ok"], result["problems"]


def test_planted_leak_in_a_training_set_fails_check(tmp_path, world):
    near = [r for r in read_jsonl(world / "heldout.jsonl") if r["set"] == "near"]
    write_jsonl(tmp_path / "collected/hack.jsonl", [{"task": near[3]}])
    result = check_world(world, tmp_path / "collected")
    assert not result["ok"]
    assert any("'near'" in p and "train:hack" in p for p in result["problems"])


def test_planted_leak_in_an_augmented_training_set_fails_check(tmp_path, world):
    far = [r["prompt"] for r in read_jsonl(world / "heldout.jsonl") if r["set"] == "far.eq"]
    result = check_world(world, tmp_path / "collected", {"train:hack:template": [far[0].upper()]})
    assert any("'far.eq'" in p and "train:hack:template" in p for p in result["problems"])
