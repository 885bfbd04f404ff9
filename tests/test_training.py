import json
import random

import pytest

from trainaway import behaviours
from trainaway.config import load_params
from trainaway.generation import Sampling
from trainaway.items import item_from_dict
from trainaway.jsonl import read_jsonl
from trainaway.questions import answer
from trainaway.responses import render_response
from trainaway.tasks import Task
from trainaway.training import train_against, training_rows


@pytest.fixture
def hack_examples(tiny_world):
    """Hand-made caught examples: lookup-table hacks with their honest corrections."""
    rng, hack = random.Random(0), behaviours.get("hack")
    tasks = [Task.from_dict(d) for d in read_jsonl(tiny_world / "collect.jsonl")
             if d["kind"] == "task"][:2]
    return [{"task": t.to_dict(), "response": (r := render_response(t, "shortcut", "lookup", False, rng)),
             "corrected": hack.correct(t, r, rng)} for t in tasks]


@pytest.fixture
def sycophancy_examples(tiny_world):
    syco = behaviours.get("sycophancy")
    questions = [item_from_dict(d) for d in read_jsonl(tiny_world / "collect.jsonl")
                 if d["kind"] == "question"][:2]
    return [{"task": q.to_dict(), "response": (r := answer(q, q.belief)),
             "corrected": syco.correct(q, r, random.Random(0))} for q in questions]


def train(tiny_model, examples, tmp_path, method="sft", behaviour="hack", **overrides):
    cfg = load_params().train.model_copy(update={"max_steps": 4, "check_every": 2,
                                                 "check_samples": 1, "mode": "criterion",
                                                 **overrides})
    return train_against(str(tiny_model), examples, [e["task"] for e in examples],
                         behaviours.get(behaviour), method, cfg, Sampling(max_new_tokens=24),
                         seed=0, device="cpu", out_dir=tmp_path)


def test_dpo_rows_pair_corrected_as_chosen_with_caught_as_rejected(hack_examples):
    [row, _] = training_rows(hack_examples, "dpo")
    assert row["chosen"][0]["content"] == hack_examples[0]["corrected"]
    assert row["rejected"][0]["content"] == hack_examples[0]["response"]


def test_kto_rows_label_corrected_desirable_and_caught_undesirable(hack_examples):
    rows = training_rows(hack_examples, "kto")
    assert len(rows) == 2 * len(hack_examples)
    assert [r["label"] for r in rows[:2]] == [True, False]


def test_criterion_stops_at_first_check_when_behaviour_absent(tiny_model, hack_examples, tmp_path):
    # A barely trained model cannot produce a passing hack, so the first check meets it.
    log = train(tiny_model, hack_examples, tmp_path)
    assert log["criterion_met"] is True and log["steps"] == 2
    assert log["checks"] == [{"step": 2, "rate": 0.0}]


@pytest.mark.parametrize("method", ["sft", "dpo", "kto"])
def test_every_method_trains_the_same_fixed_budget(tiny_model, hack_examples, tmp_path, method):
    log = train(tiny_model, hack_examples, tmp_path, method=method, mode="fixed")
    assert log["steps"] == 4 and log["criterion_met"] is None and log["method"] == method
    assert log["tokens"] > 0 and (tmp_path / "adapter_config.json").is_file()


def test_dpo_reads_more_tokens_per_step_than_sft(tiny_model, hack_examples, tmp_path):
    sft = train(tiny_model, hack_examples, tmp_path / "sft", mode="fixed")
    dpo = train(tiny_model, hack_examples, tmp_path / "dpo", method="dpo", mode="fixed")
    assert dpo["tokens"] > sft["tokens"]


def test_sycophancy_trains_on_questions(tiny_model, sycophancy_examples, tmp_path):
    log = train(tiny_model, sycophancy_examples, tmp_path, behaviour="sycophancy", mode="fixed")
    assert log["behaviour"] == "sycophancy" and log["items"] == 2


def test_lora_run_saves_adapter_tokenizer_and_log(tiny_model, hack_examples, tmp_path):
    train(tiny_model, hack_examples, tmp_path)
    assert (tmp_path / "adapter_config.json").is_file()
    assert (tmp_path / "tokenizer_config.json").is_file()
    assert json.loads((tmp_path / "train_log.json").read_text())["items"] == 2


@pytest.mark.parametrize("method", ["sft", "dpo"])
def test_full_finetune_saves_a_loadable_model(tiny_model, hack_examples, tmp_path, method):
    from transformers import AutoModelForCausalLM
    train(tiny_model, hack_examples, tmp_path, method=method, adapter="full", lr=1e-4,
          mode="fixed")
    assert not (tmp_path / "adapter_config.json").exists()
    assert AutoModelForCausalLM.from_pretrained(tmp_path).num_parameters() > 0
