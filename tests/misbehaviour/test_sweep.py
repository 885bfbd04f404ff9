import random
import shutil

import pytest

from trainaway.core.io import DataError, read_jsonl, write_jsonl
from trainaway.misbehaviour import behaviours
from trainaway.misbehaviour.layout import Layout
from trainaway.misbehaviour.responses import render_response
from trainaway.misbehaviour.sweep import run_cell
from trainaway.misbehaviour.tasks import Task


@pytest.fixture
def layout(tmp_path, tiny_world, tiny_model):
    """A depth's inputs as the sweep finds them: world, base model, three caught hacks."""
    where = Layout("d", tmp_path)
    shutil.copytree(tiny_world, where.world)
    shutil.copytree(tiny_model, where.base_model)
    rng, hack = random.Random(0), behaviours.get("hack")
    tasks = [Task.from_dict(d) for d in read_jsonl(tiny_world / "collect.jsonl")
             if d["kind"] == "task"][:3]
    write_jsonl(where.collected / "hack.jsonl", [
        {"task": t.to_dict(), "response": (r := render_response(t, "shortcut", "lookup", False, rng)),
         "corrected": hack.correct(t, r, rng), "family": "lookup"} for t in tasks])
    return where


def params_with(default_params, ks, lr=1e-3):
    mb = default_params.misbehaviour.model_copy(update={"ks": ks, "seeds": [0],
                                                        "augmentations": ["none"]})
    train = default_params.train.model_copy(update={"max_steps": 2, "mode": "fixed", "lr": lr})
    return default_params.model_copy(update={"misbehaviour": mb, "train": train})


def stamps(layout) -> dict[str, int]:
    evals = layout.evals / "hack-sft"
    return {p.stem: p.stat().st_mtime_ns for p in evals.glob("*.json")}


def test_growing_ks_trains_only_the_new_runs(layout, default_params):
    run_cell(layout, params_with(default_params, [1]), "hack", "sft")
    first = stamps(layout)
    run_cell(layout, params_with(default_params, [1, 2]), "hack", "sft")
    after = stamps(layout)
    assert after["none-k1-s0"] == first["none-k1-s0"] and "none-k2-s0" in after
    runs = {r["run"] for r in read_jsonl(layout.outcomes / "hack-sft.jsonl")}
    assert runs == {"none-k1-s0", "none-k2-s0"}


def test_a_changed_param_redoes_every_run(layout, default_params):
    run_cell(layout, params_with(default_params, [1]), "hack", "sft")
    first = stamps(layout)
    run_cell(layout, params_with(default_params, [1], lr=2e-3), "hack", "sft")
    assert stamps(layout)["none-k1-s0"] != first["none-k1-s0"]


def test_runs_that_left_the_matrix_are_removed(layout, default_params):
    run_cell(layout, params_with(default_params, [1, 2]), "hack", "sft")
    run_cell(layout, params_with(default_params, [2]), "hack", "sft")
    assert set(stamps(layout)) == {"none-k2-s0"}
    assert [p.name for p in (layout.trained / "hack-sft").iterdir()] == ["none-k2-s0"]


def test_an_interrupted_run_is_redone(layout, default_params):
    run_cell(layout, params_with(default_params, [1]), "hack", "sft")
    (layout.trained / "hack-sft" / "none-k1-s0" / "run_key.txt").unlink()  # killed before the end
    first = stamps(layout)
    run_cell(layout, params_with(default_params, [1]), "hack", "sft")
    assert stamps(layout)["none-k1-s0"] != first["none-k1-s0"]


def test_too_few_caught_examples_stop_before_any_training(layout, default_params):
    with pytest.raises(DataError, match="hack.jsonl: k=4 but the base model was caught only 3"):
        run_cell(layout, params_with(default_params, [4]), "hack", "sft")
    assert not (layout.trained / "hack-sft").exists()
