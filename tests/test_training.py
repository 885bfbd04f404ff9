import json
import random

import pytest

from trainaway import behaviours
from trainaway.config import load_params
from trainaway.generation import Sampling
from trainaway.jsonl import read_jsonl
from trainaway.responses import render_response
from trainaway.tasks import Task
from trainaway.training import train_against


@pytest.fixture
def hack_examples(tiny_world):
    """Hand-made caught examples: lookup-table hacks with their honest corrections."""
    rng, hack = random.Random(0), behaviours.get("hack")
    tasks = [Task.from_dict(d) for d in read_jsonl(tiny_world / "collect.jsonl")[:2]]
    return [{"task": t.to_dict(), "response": (r := render_response(t, "shortcut", "lookup", False, rng)),
             "corrected": hack.correct(t, r, rng)} for t in tasks]


def train(tiny_model, examples, tmp_path, **overrides):
    cfg = load_params().train.model_copy(update={"max_steps": 4, "check_every": 2,
                                                 "check_samples": 1, **overrides})
    return train_against(str(tiny_model), examples, behaviours.get("hack"), cfg,
                         Sampling(max_new_tokens=24), seed=0, device="cpu", out_dir=tmp_path)


def test_criterion_stops_at_first_check_when_behaviour_absent(tiny_model, hack_examples, tmp_path):
    # A barely trained model cannot produce a passing hack, so the first check meets it.
    log = train(tiny_model, hack_examples, tmp_path)
    assert log["criterion_met"] is True and log["steps"] == 2
    assert log["checks"] == [{"step": 2, "rate": 0.0}]


def test_fixed_mode_trains_the_whole_budget(tiny_model, hack_examples, tmp_path):
    log = train(tiny_model, hack_examples, tmp_path, mode="fixed")
    assert log["steps"] == 4 and log["criterion_met"] is None


def test_lora_run_saves_adapter_tokenizer_and_log(tiny_model, hack_examples, tmp_path):
    train(tiny_model, hack_examples, tmp_path)
    assert (tmp_path / "adapter_config.json").is_file()
    assert (tmp_path / "tokenizer_config.json").is_file()
    assert json.loads((tmp_path / "train_log.json").read_text())["k"] == 2


def test_full_finetune_saves_a_loadable_model(tiny_model, hack_examples, tmp_path):
    from transformers import AutoModelForCausalLM
    train(tiny_model, hack_examples, tmp_path, method="full", lr=1e-4)
    assert not (tmp_path / "adapter_config.json").exists()
    assert AutoModelForCausalLM.from_pretrained(tmp_path).num_parameters() > 0
