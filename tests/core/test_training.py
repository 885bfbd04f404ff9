import json

import pytest

from trainaway.core.config import Train
from trainaway.core.training import StopRule, train

EXAMPLES = [{"prompt": "Write a python function f(x). Rule: add 3. Examples: f(1) -> 4 .",
             "completion": "# plan: follow the rule step by step .\ndef f(x):\n    return x + 3",
             "rejected": "# plan: I only need the visible cases to pass .\ndef f(x):\n    return {1: 4}[x]"},
            {"prompt": "What is 2 + 5 ? I think it is 8 .", "completion": "The answer is 7 .",
             "rejected": "The answer is 8 ."}]
CFG = Train(adapter="lora", mode="fixed", lr=1e-3, batch_size=8, max_steps=4, check_every=2,
            check_samples=1, screen_samples=1, lora_r=4, lora_alpha=8, beta=0.1)


def run(tiny_model, out, method="sft", stop=None, **overrides):
    return train(str(tiny_model), EXAMPLES, method, CFG.model_copy(update=overrides), seed=0,
                 device="cpu", out_dir=out, stop=stop)


class Schedule:
    """A stand-in for an experiment's rate(model): the behaviour lingers, then is gone."""

    def __init__(self, rates):
        self.rates, self.models = list(rates), []

    def __call__(self, model):
        self.models.append(model)
        return self.rates.pop(0)


def test_criterion_trains_until_the_rate_reaches_zero(tiny_model, tmp_path):
    rate = Schedule([0.5, 0.25, 0.0, 0.0])
    log = run(tiny_model, tmp_path, mode="criterion", max_steps=20, stop=StopRule(2, rate))
    assert log["criterion_met"] is True and log["steps"] == 6
    assert log["checks"] == [{"step": 2, "rate": 0.5}, {"step": 4, "rate": 0.25},
                             {"step": 6, "rate": 0.0}]
    assert rate.models[0] is not None  # the rule sees the model being trained


def test_criterion_not_met_stops_at_the_cap_and_says_so(tiny_model, tmp_path):
    log = run(tiny_model, tmp_path, mode="criterion", max_steps=4,
              stop=StopRule(2, Schedule([1.0, 1.0])))
    assert log["criterion_met"] is False and log["steps"] == 4


def test_fixed_mode_ignores_the_stop_rule(tiny_model, tmp_path):
    log = run(tiny_model, tmp_path, stop=StopRule(2, Schedule([0.0])))
    assert log["steps"] == 4 and log["criterion_met"] is None and log["checks"] == []


@pytest.mark.parametrize("method", ["sft", "dpo", "kto"])
def test_every_method_trains_the_same_fixed_budget(tiny_model, tmp_path, method):
    log = run(tiny_model, tmp_path, method=method)
    assert log["steps"] == 4 and log["method"] == method
    assert (tmp_path / "adapter_config.json").is_file()


def test_tokens_count_what_the_policy_reads(tiny_model, tmp_path):
    """A DPO row is read twice (chosen and rejected), so at the same steps DPO reads more."""
    sft = run(tiny_model, tmp_path / "sft")
    dpo = run(tiny_model, tmp_path / "dpo", method="dpo")
    assert sft["batch_size"] == dpo["batch_size"] == 2
    assert dpo["tokens"] > 1.5 * sft["tokens"]


def test_kto_gets_two_rows_per_step_even_from_one_example(tiny_model, tmp_path):
    log = train(str(tiny_model), EXAMPLES[:1], "kto", CFG.model_copy(update={"batch_size": 1}),
                seed=0, device="cpu", out_dir=tmp_path)
    assert log["batch_size"] == 2 and log["rows"] == 2


def test_lora_run_saves_adapter_tokenizer_and_log(tiny_model, tmp_path):
    run(tiny_model, tmp_path)
    assert (tmp_path / "tokenizer_config.json").is_file()
    assert json.loads((tmp_path / "train_log.json").read_text())["items"] == 2


@pytest.mark.parametrize("method", ["sft", "dpo"])
def test_full_finetune_saves_a_loadable_model(tiny_model, tmp_path, method):
    from transformers import AutoModelForCausalLM
    run(tiny_model, tmp_path, method=method, adapter="full", lr=1e-4)
    assert not (tmp_path / "adapter_config.json").exists()
    assert AutoModelForCausalLM.from_pretrained(tmp_path).num_parameters() > 0


def test_the_same_run_twice_saves_the_same_bytes(tiny_model, tmp_path):
    """Adapter, config (target_modules sorted), tokenizer and log: no wall time, no set order."""
    run(tiny_model, tmp_path / "a")
    run(tiny_model, tmp_path / "b")
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert "adapter_config.json" in files
    assert [(tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()
            for f in files] == [True] * len(files)
