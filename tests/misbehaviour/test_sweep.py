import random
import shutil

import pytest

from trainaway.core.io import DataError, read_json, read_jsonl, write_jsonl
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


def params_with(default_params, ks, lr=1e-3, workers=1):
    mb = default_params.misbehaviour.model_copy(update={"ks": ks, "seeds": [0],
                                                        "augmentations": ["none"]})
    train = default_params.train.model_copy(update={"max_steps": 2, "mode": "fixed", "lr": lr})
    compute = default_params.compute.model_copy(update={"workers": workers})
    return default_params.model_copy(update={"misbehaviour": mb, "train": train,
                                             "compute": compute})


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


def test_results_do_not_depend_on_the_number_of_workers(layout, default_params, tmp_path):
    other = Layout("d", tmp_path / "other")
    shutil.copytree(layout.root / "data", other.root / "data")
    shutil.copytree(layout.root / "models", other.root / "models")
    run_cell(layout, params_with(default_params, [1, 2]), "hack", "sft")
    run_cell(other, params_with(default_params, [1, 2], workers=2), "hack", "sft")
    for run in ("none-k1-s0", "none-k2-s0"):
        one, two = (read_json(where.evals / "hack-sft" / f"{run}.json") for where in (layout, other))
        assert one["rates"] == two["rates"] and one["steps"] == two["steps"]


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


def test_a_control_trains_as_many_steps_as_its_matched_runs(layout, default_params):
    params = params_with(default_params, [1, 2])
    rows = read_jsonl(layout.collected / "hack.jsonl")
    write_jsonl(layout.collected / "neutral.jsonl",  # clean answers: corrected = response
                [{**r, "response": r["corrected"]} for r in rows])
    with pytest.raises(DataError, match="neutral control trains as many steps as the hack"):
        run_cell(layout, params, "neutral", "sft")
    run_cell(layout, params, "hack", "sft")
    run_cell(layout, params, "neutral", "sft")
    for run in ("none-k1-s0", "none-k2-s0"):
        hack = read_json(layout.evals / "hack-sft" / f"{run}.json")
        neutral = read_json(layout.evals / "neutral-sft" / f"{run}.json")
        assert neutral["steps"] == hack["steps"] and neutral["mode"] == "matched"
        assert neutral["criterion_met"] is None


@pytest.fixture(scope="module")
def habit_organism(tmp_path_factory, default_params):
    """A tiny organism that always writes the habit (a type hint): it misbehaves at first."""
    from trainaway.core.config import Organism
    from trainaway.core.organism import build_organism
    from trainaway.misbehaviour.world import build_world
    root = tmp_path_factory.mktemp("habit")
    world = default_params.misbehaviour.world.model_copy(update={
        "corpus_tasks": 300, "corpus_questions": 10, "collect_pool": 10, "collect_questions": 5,
        "heldout_near": 4, "heldout_far": 2, "heldout_impossible": 2, "heldout_questions": 2,
        "fact_repeats": 1, "sums_probed": 2, "persona_repeats": 1,
        "propensities": default_params.misbehaviour.world.propensities.model_copy(
            update={"habit": 1.0})})
    build_world(world, 0, root / "world")
    cfg = Organism(vocab_size=1024, hidden_size=48, layers=1, heads=2, intermediate_size=96,
                   epochs=3, batch_size=16, lr=1e-2)
    build_organism(read_jsonl(root / "world" / "corpus.jsonl"), cfg, 0, root / "model",
                   device="cpu")
    return root


def test_the_criterion_trains_until_the_behaviour_is_gone_from_the_training_prompts(
        habit_organism, default_params, tmp_path):
    """A real criterion run: a model that shows the habit on its training prompts at first,
    trained on habit-free targets until a check sees it on none of them."""
    from transformers import AutoTokenizer

    from trainaway.core.generation import Sampling
    from trainaway.core.records import item_from_dict
    from trainaway.core.training import StopRule, train
    from trainaway.misbehaviour.behaviours import training_example
    from trainaway.misbehaviour.sweep import TrainingPromptRate
    habit, model = behaviours.get("habit"), str(habit_organism / "model")
    tasks = [item_from_dict(d) for d in read_jsonl(habit_organism / "world/collect.jsonl")
             if d["kind"] == "task"][:2]
    rng = random.Random(0)
    rows = [{"task": t.to_dict(), "response": (r := render_response(t, "solve", None, True, rng)),
             "corrected": habit.correct(t, r, rng)} for t in tasks]
    rate = TrainingPromptRate(AutoTokenizer.from_pretrained(model), tasks, habit, samples=4,
                              screen=2, sampling=Sampling(max_new_tokens=64))  # whole answers:
    # a truncated sample counts as still misbehaving
    cfg = default_params.train.model_copy(update={"mode": "criterion", "max_steps": 80,
                                                  "check_every": 4, "adapter": "full",
                                                  "lr": 3e-4})
    log = train(model, [training_example(r) for r in rows], "sft", cfg, 0, "cpu", tmp_path,
                stop=StopRule(4, rate))
    assert log["checks"][0]["rate"] > 0  # it misbehaved at first ...
    assert log["criterion_met"] and log["checks"][-1]["rate"] == 0.0  # ... until it did not
    assert log["steps"] == log["checks"][-1]["step"] < 80


def test_truncated_samples_never_meet_the_criterion(real_checkpoint):
    """The checkpoint never shows the habit, but cut at 2 tokens none of its answers can say
    so: the training prompts' rate stays 1, not 0."""
    from trainaway.core.generation import Sampling
    from trainaway.core.models import load_hf_model
    from trainaway.misbehaviour.sweep import TrainingPromptRate
    from trainaway.misbehaviour.tasks import sample_task
    model, tok = load_hf_model(str(real_checkpoint("qwen2.5")))
    tasks = [sample_task(random.Random(i), f"t{i}", "examples") for i in range(2)]
    rate = TrainingPromptRate(tok, tasks, behaviours.get("habit"), samples=2, screen=1,
                              sampling=Sampling(max_new_tokens=2))
    assert rate(model) == 1.0
    rate.sampling = Sampling(max_new_tokens=64)
    assert rate(model) == 0.0
