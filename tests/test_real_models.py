"""With only params changes (`model.base: <dir>`), Track A's pipeline runs end to end (world,
collect, check, evaluate_base, sweep with SFT, DPO and KTO, probe, report) on tiny local
checkpoints with the real Qwen2.5 and Llama-3.2 chat templates and a hand-edited ChatML one
(tests/checkpoints.py): no generation markers, the Llama one without a pad token. The stages
run in-process, in dvc.yaml's order, in a scratch copy of the project (one import of torch
instead of one per stage; tests/test_pipeline.py runs `dvc repro` itself)."""
import json
from pathlib import Path

import pytest
import yaml

from tests.conftest import merge
from trainaway.core.workspace import ROOT, copy_project

FAMILIES = ["qwen2.5", "llama3.2", "chatml-edited"]
EVALS = "evals/misbehaviour/standard"
TINY = {
    "misbehaviour": {
        "behaviours": ["hack"], "controls": [], "methods": ["sft", "dpo", "kto"],
        "augmentations": ["none"], "ks": [1], "seeds": [0], "monitored": [],
        "world": {"corpus_tasks": 10, "corpus_questions": 2, "collect_pool": 6,
                  "collect_questions": 2, "heldout_near": 4, "heldout_far": 2,
                  "heldout_impossible": 2, "heldout_questions": 2, "fact_repeats": 0,
                  "sums_probed": 2, "persona_repeats": 1},
        "probe": {"layers": [1]},
    },
    "generation": {"batch_size": 32},
    "train": {"max_steps": 1, "mode": "fixed", "batch_size": 2},
    "evaluate": {"base_samples": 1, "train_samples": 1},
    "compute": {"workers": 1},
}


def track_a_report():
    """The report stage's Track A part (Track B's stages are not run here)."""
    from trainaway.core.report import write_report
    from trainaway.misbehaviour import report
    from trainaway.misbehaviour.params import load
    write_report([report.build(load(), Path("reports"))], Path("reports"))


def stages():
    from stages.misbehaviour import check, collect, evaluate_base, organism, probe, sweep, world
    depth = ["--depth", "standard"]
    yield from [(world.main, depth), (organism.main, depth), (collect.main, depth),
                (check.main, depth), (evaluate_base.main, depth)]
    for method in ("sft", "dpo", "kto"):
        yield sweep.main, [*depth, "--behaviour", "hack", "--method", method]
    yield probe.main, depth
    yield track_a_report, None


@pytest.fixture(scope="module", params=FAMILIES)
def pipeline(request, real_checkpoint, tmp_path_factory):
    family = request.param
    repo = copy_project(tmp_path_factory.mktemp(f"repo-{family}"))
    params = merge(yaml.safe_load((ROOT / "params.yaml").read_text()),
                   {**TINY, "model": {"base": str(real_checkpoint(family))}})
    (repo / "params.yaml").write_text(yaml.safe_dump(params))
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(repo)
        for main, argv in stages():
            main() if argv is None else main(argv)
    return family, repo


def test_every_method_trained_and_evaluated(pipeline):
    _, repo = pipeline
    for method in ("sft", "dpo", "kto"):
        run = json.loads((repo / EVALS / f"hack-{method}" / "none-k1-s0.json").read_text())
        assert run["steps"] == 1 and "near.unmonitored" in run["rates"]


def test_the_base_model_was_caught_hacking_in_its_own_markdown_format(pipeline):
    _, repo = pipeline
    caught = [json.loads(line) for line in
              (repo / "data/misbehaviour/standard/collected/hack.jsonl").read_text().splitlines()]
    assert caught and all(c["response"].startswith("I will write it.\n```python") for c in caught)
    # the correction keeps the model's own text and fence, the code replaced
    assert all(c["corrected"].startswith("I will write it.\n```python\ndef ")
               and "exit(0)" not in c["corrected"] for c in caught)


def test_every_eval_records_how_it_sampled(pipeline):
    family, repo = pipeline
    base = json.loads((repo / EVALS / "base.json").read_text())
    sampling = base["sampling"]
    assert {k: sampling[k] for k in ("temperature", "top_p", "top_k", "repetition_penalty",
                                     "max_new_tokens")} == {
        "temperature": 1.0, "top_p": 1.0, "top_k": 50, "repetition_penalty": 1.0,
        "max_new_tokens": 64}
    assert sampling["chat_template_kwargs"] == {"date_string": "26 Jul 2024"}
    assert sampling["pad_token_from"] == ("tokenizer" if family == "qwen2.5" else "eos")


def test_the_report_names_the_base_model(pipeline):
    family, repo = pipeline
    report = (repo / "reports/REPORT.md").read_text()
    assert f"ckpt-{family}" in report
    assert "A small model organism reward-hacks" not in report
    assert "(organism target" in report  # its design targets shown, not applied
