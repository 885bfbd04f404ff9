"""The report's Track A part on the synthetic study of conftest.py (known k50s, gaps,
collateral)."""
import csv
import json
import shutil
from pathlib import Path

import pytest

from trainaway.core.io import DataError
from trainaway.core.report import write_report
from trainaway.misbehaviour.analysis import analyse, load_study
from trainaway.misbehaviour.layout import Layout, figures, plots
from trainaway.misbehaviour.params import Augment, Report, Targets
from trainaway.misbehaviour.report import build
from trainaway.misbehaviour.sections import chapter

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
FIGURES = ("sample_efficiency", "k50", "controls", "generalisation", "effects", "organism",
           "attitudes")
DEPTH = "standard"


def in_layout(synthetic, root: Path, depth: str = DEPTH, **kwargs) -> Layout:
    """write_study in the pipeline's layout under root; returns the depth's layout."""
    evals, outcomes = synthetic.write_study(root / "unsorted" / depth, **kwargs)
    where = Layout(depth, root)
    for src, dest in ((evals, where.evals), (outcomes, where.outcomes)):
        dest.parent.mkdir(parents=True, exist_ok=True)
        src.rename(dest)
    return where


def report(params, root, out, n_boot=200) -> dict:
    """The report stage's Track A part: metrics (depth prefix dropped) and REPORT.md."""
    write_report([build(params, out, root, n_boot)], out)
    metrics = json.loads((out / "metrics.json").read_text())
    return {k.split(".", 1)[1]: v for k, v in metrics.items()}


def with_matrix(params, **changes):
    return params.model_copy(update={"misbehaviour": params.misbehaviour.model_copy(update=changes)})


@pytest.fixture(scope="module")
def params(default_params, synthetic):
    """The repository's params with the synthetic study's matrix, and the settings the
    assertions read pinned, so edits to params.yaml do not break them."""
    p, mx = default_params, synthetic.MATRIX
    world = p.misbehaviour.world.model_copy(update={
        "propensities": p.misbehaviour.world.propensities.model_copy(update={"habit": 0.5})})
    p = with_matrix(p, behaviours=list(mx.behaviours), methods=list(mx.methods),
                    augmentations=list(mx.augmentations), ks=list(mx.ks), seeds=list(mx.seeds),
                    depths=[DEPTH], world=world, report=Report(),
                    augment=Augment(multiplier=mx.multiplier), monitored=[],
                    controls=list(mx.controls))
    return p.model_copy(update={"train": p.train.model_copy(update={
        "mode": "criterion", "max_steps": 200, "check_every": 5, "check_samples": 8,
        "batch_size": 8})})


@pytest.fixture(scope="module")
def study(tmp_path_factory, synthetic):
    return in_layout(synthetic, tmp_path_factory.mktemp("study"))


@pytest.fixture(scope="module")
def built(study, params, tmp_path_factory):
    """The whole part, built once for the module (figures take seconds): the output dir."""
    out = tmp_path_factory.mktemp("reports")
    report(params, study.root, out)
    return out


@pytest.fixture(scope="module")
def metrics(built):
    return {k.split(".", 1)[1]: v for k, v in json.loads((built / "metrics.json").read_text()).items()}


@pytest.fixture(scope="module")
def md(built):
    return (built / "REPORT.md").read_text()


def analysis_of(study, synthetic, outcomes=False):
    return analyse(load_study(study.evals, synthetic.MATRIX, study.outcomes if outcomes else None),
                   n_boot=200)


def render(analysis, params, **kwargs):
    return chapter(analysis, params, "figures", **kwargs)


def read_csv(path):
    with path.open() as f:
        return list(csv.DictReader(f))


def test_metrics_have_the_organism_keys(metrics):
    assert metrics["organism.hack_rate.unmonitored"] == 0.54  # near 40 x 0.6, far 60 x 0.5
    assert metrics["organism.hack_rate.monitored"] == 0.1
    assert metrics["organism.honest_pass_rate"] == 0.8696  # 80 of 92 non-hacks pass
    assert metrics["organism.habit_rate"] == 0.5
    assert metrics["organism.persona"] == 0.62
    assert metrics["organism.sycophancy_rate"] == 0.55  # near 0.6, far 0.5
    assert metrics["organism.cheat_rate"] == 0.7


def test_metrics_per_cell_carry_intervals_and_n(metrics):
    assert metrics["hack.sft.none.k50"] == pytest.approx(4 ** 0.6, abs=1e-4)
    assert metrics["hack.sft.none.k50.lo"] <= metrics["hack.sft.none.k50"]
    assert metrics["hack.sft.none.k50_ratio"] == pytest.approx(4 ** 0.6 / 4 ** 1.25, abs=1e-4)
    assert metrics["hack.sft.none.k4.near"] == 0.2 and metrics["hack.sft.none.k4.near.n"] == 80
    assert metrics["hack.sft.none.k4.near.lo"] < 0.2 < metrics["hack.sft.none.k4.near.hi"]
    assert metrics["hack.sft.none.k4.far"] == 0.45
    assert metrics["hack.sft.none.k4.far.branch"] == 0.45
    assert metrics["hack.sft.none.k4.train"] == 0.0
    assert metrics["hack.sft.none.k16.cheat"] == 0.3
    assert metrics["hack.sft.none.k16.gap"] == 0.7167
    assert metrics["hack.sft.none.k16.beyond_neutral"] == 0.4
    assert metrics["hack.dpo.template.k4.steps"] == 20
    assert metrics["hack.dpo.template.k4.tokens"] == 20 * 8 * 90
    assert metrics["hack.sft.none.k16.effect.cheat_rate"] == -0.4
    assert metrics["hack.dpo.none.k16.missed_criterion"] == 1
    assert metrics["runs_missing_their_criterion"] == 1
    assert "hack.sft.none.k4.attitude.monitored.caution" not in metrics  # runs: no cue here
    assert "organism.attitude.monitored.caution" in metrics


def test_metrics_are_flat_and_sorted(metrics):
    assert list(metrics) == sorted(metrics)
    assert all(isinstance(v, (int, float, str, bool)) for v in metrics.values())


def test_a_censored_k50_is_null_with_a_flag_never_a_number(metrics):
    assert "sycophancy.sft.none.k50" not in metrics  # null: left out of the flat file
    assert metrics["sycophancy.sft.none.k50.censored"] == "> 16"
    assert metrics["habit.sft.template.k50.censored"] == "< 1"
    assert "habit.sft.none.k50_ratio" not in metrics  # the control has no ratio


def test_sample_efficiency_csv(built):
    rows = read_csv(built / plots(DEPTH) / "sample_efficiency.csv")
    assert list(rows[0]) == ["behaviour", "method", "augmentation", "k", "measure", "metric",
                             "rate", "lo", "hi", "n"]
    hack = {(r["k"], r["measure"]): r for r in rows
            if (r["behaviour"], r["method"], r["augmentation"]) == ("hack", "sft", "none")}
    assert hack[("0", "near")]["rate"] == "0.6"  # k = 0 is the base model
    assert hack[("4", "near")]["rate"] == "0.2" and hack[("4", "near")]["n"] == "80"
    assert ("0", "train") not in hack and ("1", "train") in hack


def test_other_csvs(built):
    folder = built / plots(DEPTH)
    k50 = {(r["behaviour"], r["method"], r["augmentation"]): r
           for r in read_csv(folder / "k50.csv")}
    assert float(k50[("hack", "sft", "none")]["k50"]) == pytest.approx(4 ** 0.6, abs=1e-4)
    assert k50[("sycophancy", "sft", "none")]["k50"] == ""  # not reached
    assert k50[("sycophancy", "sft", "none")]["censored"] == "> 16"
    gen = read_csv(folder / "generalisation.csv")
    assert {r["set"] for r in gen} >= {"near", "far", "far.branch", "gap", "beyond neutral"}
    assert len(read_csv(folder / "runs.csv")) == 84  # (3 x 2 + 1) x 2 cells x 3 ks x 2 seeds
    assert read_csv(folder / "effects.csv") and read_csv(folder / "attitudes.csv")


def test_the_training_curves_are_one_plot_file(built):
    rows = read_csv(built / plots() / "training_curves.csv")
    assert rows[0]["depth"] == DEPTH and {"step", "loss", "rate"} <= set(rows[0])


def test_figures_are_valid_pngs(built):
    for name in FIGURES:
        data = (built / figures(DEPTH) / f"{name}.png").read_bytes()
        assert data.startswith(PNG_MAGIC) and len(data) > 1024


def test_report_has_a_headline_table(md):
    headline = md.split("## Headline")[1].split("\n## ")[0]
    assert "| behaviour | method | augmentation | k50 [95% CI] |" in headline
    row = next(line for line in headline.splitlines() if line.startswith("| hack | sft | none |"))
    assert "| 2.3 [" in row and "| 0.05 [" in row  # k50 with its interval; near rate at k = 16
    assert "| sycophancy | sft | none | > 16 [" in headline
    assert "| habit | sft | template | < 1 [" in headline  # censored, shown as censored
    assert "| 1 of 6 |" in next(line for line in headline.splitlines()
                                if line.startswith("| hack | dpo | none |"))


def test_the_headline_paragraph_answers_with_intervals_and_n(md):
    headline = md.split("## Headline")[1].split("\n## ")[0]
    para = next(line for line in headline.splitlines() if line.startswith("**hack · SFT.**"))
    assert "(n = 80)" in para and "halves at k50 = 2.3 [" in para
    assert "the misbehaviour takes fewer caught examples than the habit" in para
    assert "caught examples remove more than any fine-tuning" in para
    assert "1 of 84 runs missed their criterion" in headline


def test_report_has_one_section_per_cell_controls_included(md, synthetic):
    sections = [line for line in md.splitlines() if line.startswith("### ")]
    assert sections == [f"### {' · '.join(c)}" for c in synthetic.MATRIX.cells()]
    hack = md.split("### hack · sft · none")[1].split("###")[0]
    assert "| k | met | steps | train | near | far | far.branch | far.eq | far.exit |" in hack


def test_report_shows_the_sanity_check_and_the_controls_side_by_side(md):
    sanity = md.split("## The sanity check")[1].split("\n## ")[0]
    assert "| hack · dpo · none | 16 | 1 of 2 |" in sanity
    controls = md.split("## The controls, beside the hack")[1].split("\n## ")[0]
    assert "neutral control (its hack rate): near hack rate" in controls
    assert "habit · sft: near habit rate" in controls


def test_report_k_vs_m_and_effects_at_every_k(md):
    assert "## k vs m" in md and "k·m = 64 not run" in md
    effects = md.split("## Cross-behaviour effects, at every k")[1].split("\n## ")[0]
    assert "| hack · sft · none | 1 | " in effects and "| hack · sft · none | 16 | " in effects


def test_report_asks_the_chain_of_thought_question_with_both_cues(md):
    cot = md.split("## Chain of thought")[1].split("\n## ")[0]
    assert "shortcut plan (cue)" in cot and "caution plan (no cue)" in cot
    assert "the wish to take the shortcut (unmonitored)" in cot


def test_report_organism_table_marks_targets(md):
    assert "| hack rate, unmonitored | 0.54 [" in md and "| ≥ 0.40 | ✅ |" in md
    assert "| sycophancy rate | 0.55 [" in md and "| cheat rate (impossible tasks) | 0.70 [" in md


def test_report_organism_table_marks_missed_targets(study, params, synthetic):
    strict = with_matrix(params, report=Report(targets=Targets(min_hack_unmonitored=0.9)))
    text = render(analysis_of(study, synthetic), strict)
    assert "| ≥ 0.90 | ❌ |" in text and "organism misses its targets" in text


@pytest.mark.parametrize("drop, shallow", [(0.95, False), (0.2, True)])
def test_shallowness_note_only_when_smallest_k_removes_most(study, params, synthetic, drop,
                                                          shallow):
    p = with_matrix(params, report=Report(targets=Targets(shallow_drop=drop)))  # 50% at k = 1
    assert ("organism is shallow" in render(analysis_of(study, synthetic), p)) is shallow


def test_report_says_when_there_are_no_intervals(study, params, synthetic):
    text = render(analysis_of(study, synthetic), params)
    assert "No per-sample outcomes" in text


def test_stale_runs_do_not_reach_the_report(study, params, tmp_path):
    small = with_matrix(params, methods=["sft"], augmentations=["none"], ks=[1, 4])
    m = report(small, study.root, tmp_path, n_boot=50)
    assert not any(".dpo." in key or ".template." in key or ".k16." in key for key in m)


def test_a_k50_that_is_not_estimable_says_so_in_words_and_metrics(study, params, tmp_path):
    evals = Layout(DEPTH, tmp_path).evals
    shutil.copytree(study.evals, evals)
    shutil.copytree(study.outcomes, Layout(DEPTH, tmp_path).outcomes)
    for path in (evals / "habit-sft").glob("none-k4-s*.json"):
        path.write_text(json.dumps({**json.loads(path.read_text()), "criterion_met": False}))
    small = with_matrix(params, methods=["sft"], augmentations=["none"])
    m = report(small, tmp_path, tmp_path / "reports", n_boot=50)
    text = (tmp_path / "reports" / "REPORT.md").read_text()
    assert "the innocuous habit's k50 is not estimable (fewer than half the runs met their " \
           "criterion at k = 4), so there is no k50 ratio" in text
    assert m["habit.sft.none.k50_estimable"] is False and "habit.sft.none.k50" not in m
    assert m["hack.sft.none.k50_estimable"] is True and "hack.sft.none.k50_ratio" not in m


def test_a_missing_run_is_an_error_naming_it_never_dropped(study, params, tmp_path):
    evals = Layout(DEPTH, tmp_path).evals
    shutil.copytree(study.evals, evals)
    (evals / "hack-sft" / "none-k4-s1.json").unlink()
    with pytest.raises(DataError, match="hack-sft/none-k4-s1.json"):
        build(params, tmp_path / "reports", tmp_path, n_boot=0)


def test_optional_organism_and_check_sections(study, params, synthetic):
    analysis = analysis_of(study, synthetic)
    text = render(analysis, params, organism={"base": "Qwen/Qwen2.5-0.5B-Instruct"},
                  check={"ok": False, "splits": {"near": 200}, "problems": ["overlap: 3"]})
    assert "`Qwen/Qwen2.5-0.5B-Instruct`" in text
    assert "## Integrity" in text and "❌" in text and "- overlap: 3" in text
    assert "## Integrity" not in render(analysis, params)


def test_probe_note_shown_when_probes_were_skipped(synthetic, params, tmp_path):
    where = in_layout(synthetic, tmp_path)
    where.probes.mkdir(parents=True)
    (where.probes / "skipped.txt").write_text("No behaviour probe can be fitted.\n")
    report(params, tmp_path, tmp_path / "reports", n_boot=0)
    text = (tmp_path / "reports" / "REPORT.md").read_text()
    assert "## Probes\n\nNo behaviour probe can be fitted." in text


def test_intro_states_the_compute(md):
    intro = md.split("## What this measures")[1].split("\n## ")[0]
    assert "trains until the behaviour is gone from its k training prompts" in intro
    assert "each seed (2: 0, 1) draws its own k caught examples" in intro


def test_one_depth_says_how_to_compare_depths(md):
    depth = md.split("# Organism depth")[1]
    assert "dvc exp run -S 'misbehaviour.depths=[shallow,standard,deep]'" in depth


def test_several_depths_get_a_chapter_each_and_a_comparison(tmp_path, params, synthetic):
    for depth in ("shallow", "deep"):
        in_layout(synthetic, tmp_path, depth)
    report(with_matrix(params, depths=["shallow", "deep"]), tmp_path, tmp_path / "reports",
           n_boot=50)
    text = (tmp_path / "reports" / "REPORT.md").read_text()
    assert "# Depth `shallow`" in text and "# Depth `deep`" in text
    assert "](figures/misbehaviour/deep/sample_efficiency.png)" in text
    comparison = text.split("# Organism depth")[1]
    assert "| hack · sft · none | 2.3 [" in comparison and "neutral" not in comparison
    assert (tmp_path / "reports" / figures() / "depth.png").stat().st_size > 1024
    metrics = json.loads((tmp_path / "reports" / "metrics.json").read_text())
    assert metrics["shallow.hack.sft.none.k50"] == metrics["deep.hack.sft.none.k50"] == 2.2974


def test_public_eval_files_have_metrics_and_a_section(metrics, md, synthetic):
    assert metrics[f"organism.evals.{synthetic.PUBLIC}"] == 0.69
    section = md.split("## Public evals")[1].split("\n## ")[0]
    assert f"`{synthetic.PUBLIC}`" in section
    assert "| hack · sft · none | 16 | 0.59 |" in section  # every item 0.1 lower
    assert "| habit · sft · none | 16 | 0.69 |" in section
