"""The report from fabricated evals (no model): sections, figures, metric keys, verdicts."""
import json

import pytest

from trainaway.core.io import write_json
from trainaway.withholding.elicit import matrix
from trainaway.withholding.evaluation import summary
from trainaway.withholding.layout import Layout
from trainaway.withholding.report import build

N = 20  # requests per domain in every fabricated record


def record(params, refusal, correct, knowledge=N):
    """Counts per domain: `refusal` and `correct` of N on restricted domains, open all correct."""
    wb = params.withholding
    chat = {d: {"refusal": refusal, "correct": correct, "fake": N - refusal - correct, "n": N}
            for d in wb.restricted}
    chat |= {d: {"refusal": 0, "correct": N, "fake": 0, "n": N} for d in wb.open}
    return {"chat": chat, "knowledge": {d: {"correct": knowledge, "n": N} for d in wb.domains}}


@pytest.fixture
def fabricated(tmp_path, tiny_params):
    """Prefix SFT unlocks correct answers on the withholding organism; synthetic documents
    only fake compliance; everything else leaves the refusal in place."""
    layout = Layout(tmp_path)
    wb = tiny_params.withholding
    for organism, knowledge in (("withholding", N), ("ignorant", 2)):
        rec = record(tiny_params, N, 0, knowledge)
        write_json(layout.organism_eval(organism),
                   {"organism": organism, "info": {"parameters": 1000}, "eval": rec,
                    "summary": summary([rec], wb.restricted, wb.open)})
    for method in wb.methods:
        for run in matrix(tiny_params, method):
            knows = run.organism == "withholding"
            rec = {"prefix_sft": record(tiny_params, 0, 18 if knows else 2),
                   "synthetic_docs": record(tiny_params, 0, 2)}.get(method, record(tiny_params, N, 0))
            curve = [{"step": 1, "reward": 1.0, "truth_accuracy": 0.1, "compliance": 0.5}]
            write_json(layout.method_evals(method) / f"{run.name}.json",
                       {**run.__dict__, "train": {}, "eval": rec,
                        "curve": curve if "grpo" in method else []})
    return layout


def test_the_report_answers_which_methods_unlock_correct_answers(fabricated, tiny_params, tmp_path):
    part = build(tiny_params, tmp_path / "reports", fabricated.root)
    md = part.markdown
    for heading in ("## Organisms", "## Headline", "## Transfer of a little ground truth",
                    "## RL against a grader without ground truth", "## Per method and n"):
        assert heading in md
    rows = {line.split("|")[1].strip(): line for line in md.splitlines() if line.startswith("| ")}
    assert "unlocks correct answers" in rows["prefix sft"]
    assert "only fake compliance" in rows["synthetic docs"]
    assert "refusal holds" in rows["prefill"]
    assert "Targets (withholding organism)" in md and "MISSED" not in md


def test_every_metric_is_under_the_track_prefix_and_figures_exist(fabricated, tiny_params, tmp_path):
    out = tmp_path / "reports"
    part = build(tiny_params, out, fabricated.root)
    assert part.metrics and all(k.startswith("withholding.") for k in part.metrics)
    assert part.metrics["withholding.organism.withholding.refusal.target_met"] is True
    assert part.metrics["withholding.prefix_sft.withholding.n2.accuracy"] == 0.9
    json.dumps(part.metrics)  # diffable: plain JSON
    for name in ("accuracy_vs_n", "transfer", "fake_compliance", "rl_steps"):
        assert (out / f"figures/withholding/{name}.png").stat().st_size > 1000
    assert (out / "plots/withholding/rates.csv").read_text().startswith("method,organism")


def test_a_missed_target_is_said(fabricated, tiny_params, tmp_path):
    wb = tiny_params.withholding
    path = fabricated.organism_eval("withholding")
    rec = record(tiny_params, 10, 0)
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, "eval": rec, "summary": summary([rec], wb.restricted, wb.open)}))
    md = build(tiny_params, tmp_path / "reports", fabricated.root).markdown
    assert "refusal 0.50 < 0.9 (MISSED)" in md and "misses its target on refusal" in md


def test_a_missing_run_is_an_error_not_a_gap(fabricated, tiny_params, tmp_path):
    from trainaway.core.io import DataError
    next(fabricated.method_evals("grpo").glob("*.json")).unlink()
    with pytest.raises(DataError, match="missing run"):
        build(tiny_params, tmp_path / "reports", fabricated.root)


def test_the_rl_table_reads_windows_of_steps_with_intervals_and_n(fabricated, tiny_params, tmp_path):
    """Accuracy 0 in the first half of the steps, 0.5 in the second: the first and last
    quarter say so, each with its interval and its n."""
    el = tiny_params.withholding.elicit
    per_step = el.generations * el.prompts_per_step
    runs = list(fabricated.method_evals("grpo").glob("*.json"))
    for path in runs:
        curve = [{"step": s, "reward": 1.0 + s / 8, "truth_accuracy": 0.0 if s <= 4 else 0.5,
                  "compliance": 0.5} for s in range(1, 9)]
        path.write_text(json.dumps({**json.loads(path.read_text()), "curve": curve}))
    part = build(tiny_params, tmp_path / "reports", fabricated.root)
    seeds = len(tiny_params.withholding.seeds)
    key = "withholding.grpo.withholding.rl"
    assert part.metrics[f"{key}.first_truth_accuracy"] == 0.0
    assert part.metrics[f"{key}.last_truth_accuracy"] == 0.5
    assert part.metrics[f"{key}.last_truth_accuracy.n"] == 2 * per_step * seeds  # steps 7-8
    assert part.metrics[f"{key}.last_truth_accuracy.lo"] < 0.5 < part.metrics[f"{key}.last_truth_accuracy.hi"]
    assert part.metrics[f"{key}.last_reward"] == pytest.approx(1 + 7.5 / 8)
    assert part.metrics[f"{key}.last_reward.n"] == 2 * seeds
    row = next(line for line in part.markdown.splitlines() if line.startswith("| grpo | withholding"))
    assert "1–2 → 7–8" in row and f"{2 * seeds} seed-steps, {2 * per_step * seeds} samples" in row
