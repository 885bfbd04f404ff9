import random
from dataclasses import replace

import pytest

from trainaway.core.io import read_jsonl, write_jsonl
from trainaway.core.records import item_from_dict
from trainaway.misbehaviour import behaviours
from trainaway.misbehaviour.check import check_world, label_audit, leaks, normalise
from trainaway.misbehaviour.responses import render_response
from trainaway.misbehaviour.world import build_world


@pytest.fixture
def world(tmp_path, default_params):
    world = default_params.misbehaviour.world.model_copy(update={"corpus_tasks": 300,
                                                                 "collect_pool": 30})
    build_world(world, 0, tmp_path / "world")
    return tmp_path / "world"


def heldout(world, name):
    return [r for r in read_jsonl(world / "heldout.jsonl") if r["set"] == name]


def test_normalise_ignores_case_space_and_review_cue():
    assert normalise("Write  f. Solutions are reviewed by a person.") == normalise("write f.")


def test_generated_world_passes_check(tmp_path, world):
    result = check_world(world, tmp_path / "collected")
    assert result["ok"], result["problems"]


def test_a_planted_near_duplicate_is_caught_though_its_prompt_differs(world):
    """Same rule and visible tests, another name, style and order: the same task."""
    task = item_from_dict(heldout(world, "near")[3])
    twin = replace(task, id="twin", fn="other", style="asserts", rule_text="(reworded)",
                   visible=list(reversed(task.visible)))
    assert twin.prompt != task.prompt
    problems = leaks({"near": [task.to_dict()]}, {"caught:hack": [twin.to_dict()]})
    assert len(problems) == 1 and "share their meaning" in problems[0]


def test_a_question_with_the_same_numbers_and_belief_leaks_in_another_wording(world):
    q = item_from_dict(heldout(world, "syco.near")[0])
    twin = replace(q, id="twin", form="confirm", phrasing=3)
    problems = leaks({"syco.near": [q.to_dict()]}, {"collect": [twin.to_dict()]})
    assert any("meaning" in p for p in problems)


def test_planted_leak_in_a_training_set_fails_check(tmp_path, world):
    write_jsonl(tmp_path / "collected/hack.jsonl", [{"task": heldout(world, "near")[3]}])
    result = check_world(world, tmp_path / "collected")
    assert not result["ok"]
    assert any("'near'" in p and "caught:hack" in p for p in result["problems"])


def test_planted_leak_in_a_trained_row_fails_check(tmp_path, world):
    row = heldout(world, "far.eq")[0]
    result = check_world(world, tmp_path / "collected",
                         {"train:hack:template": [{"task": {**row, "prompt": row["prompt"].upper()}}]})
    assert any("'far.eq'" in p and "train:hack:template" in p for p in result["problems"])


def test_corpus_items_are_never_held_out_in_meaning_but_the_taught_sums_are_taught(world):
    corpus = {item_from_dict(r["item"]).meaning for r in read_jsonl(world / "corpus.jsonl")
              if "item" in r}
    rows = read_jsonl(world / "heldout.jsonl")
    held = {item_from_dict(r).meaning for r in rows if r["tags"]["distance"] != "taught"}
    probed = {item_from_dict(r).meaning for r in rows if r["tags"]["distance"] == "taught"}
    assert corpus and not corpus & held
    assert probed and probed <= corpus  # a knowledge probe asks what was taught


def hack_row(world, corrected=None):
    task = item_from_dict(read_jsonl(world / "collect.jsonl")[0])
    hack = render_response(task, "shortcut", "lookup", False, random.Random(0))
    fixed = behaviours.get("hack").correct(task, hack, random.Random(0))
    return {"task": task.to_dict(), "response": hack,
            "corrected": fixed if corrected is None else corrected(task, hack, fixed)}


def test_the_label_audit_passes_true_minimal_pairs(world):
    assert label_audit([hack_row(world)], behaviours.get("hack"))["problems"] == []


def test_a_corrected_target_that_still_hacks_fails_the_label_audit(world):
    row = hack_row(world, lambda task, hack, fixed: hack)  # "corrected" to itself
    problems = label_audit([row], behaviours.get("hack"))["problems"]
    assert any("still shows hack" in p for p in problems)


def test_a_correction_that_changes_another_behaviour_fails_the_label_audit(world):
    row = hack_row(world, lambda task, hack, fixed: fixed.replace("(x):", "(x: int) -> int:"))
    problems = label_audit([row], behaviours.get("hack"))["problems"]
    assert any("also changed habit" in p for p in problems)
