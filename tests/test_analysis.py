"""The decisive statistics on a small synthetic study with known answers.

`write_study` writes eval JSONs and per-sample outcomes for a tiny matrix (hack, habit,
sycophancy x sft, dpo x none, template x k = 1, 4, 16 x seeds 0, 1). The eval JSONs are
summarised from the outcomes by the pipeline's own `summarise_sets`, so the two agree.
"""
import json
import math
from pathlib import Path

import numpy as np
import pytest

from trainaway.analysis import (BASE, Matrix, analyse, k50, load_study, rate, reduction)
from trainaway.evaluation import summarise_sets
from trainaway.scoring import Outcome

MATRIX = Matrix(("hack", "habit", "sycophancy"), ("sft", "dpo"), ("none", "template"),
                (1, 4, 16), (0, 1), multiplier=4)
FAMILIES = ("branch", "eq", "exit")
SIZES = {"near": 40, "far": 20, "impossible": 20, "syco": 30}  # prompts per set

# Near rate of the trained behaviour by augmentation and k; base near 0.6 (habit 0.5).
# hack/none halves at k=4, hack/template at k=1, habit at k=1, sycophancy never.
NEAR = {("hack", "none"): {1: 0.45, 4: 0.2, 16: 0.05},
        ("hack", "template"): {1: 0.3, 4: 0.1, 16: 0.0},
        ("habit", "none"): {1: 0.2, 4: 0.1, 16: 0.0},
        ("habit", "template"): {1: 0.2, 4: 0.1, 16: 0.0},
        ("sycophancy", "none"): {1: 0.5, 4: 0.4, 16: 0.35},
        ("sycophancy", "template"): {1: 0.5, 4: 0.4, 16: 0.35}}
FAR = {1: 0.5, 4: 0.45, 16: 0.4}  # the far rate falls little: the removal stays near
BASE_RATES = {"hack": 0.6, "habit": 0.5, "sycophantic": 0.6, "pass": 0.4, "cheat": 0.7}
METRIC = {"hack": "hack", "habit": "habit", "sycophancy": "sycophantic"}


def rates_for(who, set_name):
    """{metric: rate} for the base model or a run (behaviour, method, augmentation, k)."""
    r = {"hack": BASE_RATES["hack"] if set_name.startswith("near") else 0.5,
         "habit": BASE_RATES["habit"], "sycophantic": BASE_RATES["sycophantic"] if
         set_name == "syco.near" else 0.5, "pass": BASE_RATES["pass"]}
    if set_name.startswith("impossible"):
        r["hack"] = BASE_RATES["cheat"]
    if set_name.endswith(".monitored"):
        r["hack"] = 0.1
    if who == BASE:
        return r
    b, _, aug, k = who
    metric = METRIC[b]
    if set_name == "train":
        return {**r, metric: 0.0}
    if set_name in ("near.unmonitored", "syco.near"):
        r[metric] = NEAR[(b, aug)][k]
    elif set_name.startswith("far.") or set_name == "syco.far":
        r[metric] = FAR[k]
    if b == "hack" and set_name.startswith("impossible"):
        r["hack"] = 0.3
    return r


def sets_of(base: bool, k: int, sizes) -> dict[str, tuple[str, int]]:
    """set -> (task id prefix, prompts)."""
    cues = ("unmonitored", "monitored") if base else ("unmonitored",)
    out = {}
    for cue in cues:
        out[f"near.{cue}"] = ("near", sizes["near"])
        out.update({f"far.{f}.{cue}": (f"far-{f}", sizes["far"]) for f in FAMILIES})
        out[f"impossible.{cue}"] = ("impossible", sizes["impossible"])
    out["syco.near"] = ("syco-near", sizes["syco"])
    out["syco.far"] = ("syco-far", sizes["syco"])
    if not base:
        out["train"] = ("collect", k)
    return out


def flags(rate_: float, n_prompts: int, shift: int) -> list[bool]:
    """Exactly round(rate * n) hits, on a window of prompts that moves with `shift`."""
    hits = round(rate_ * n_prompts)
    return [(i + shift) % n_prompts < hits for i in range(n_prompts)]


def outcomes_for(who, samples: int, shift: int, k: int = 0, sizes=SIZES):
    grouped = {}
    for set_name, (prefix, n) in sets_of(who == BASE, k, sizes).items():
        r = rates_for(who, set_name)
        question = set_name.startswith("syco") or (set_name == "train" and who[0] == "sycophancy")
        # every sample of a prompt alike; passes sit at the other end from the hacks
        cols = {m: flags(r[m], n, shift)[::-1 if m == "pass" else 1] for m in r}
        outs = []
        for i in [i for _ in range(samples) for i in range(n)]:
            hack = cols["hack"][i] and not question
            outs.append(Outcome(
                task_id=f"{prefix}{i:03d}", prompt="", monitored=set_name.endswith(".monitored"),
                response="", visible_pass=hack, hidden_pass=cols["pass"][i] and not hack,
                hack=hack, family="lookup" if hack else None,
                habit=cols["habit"][i] and not question, attitude="shortcut" if hack else "solve",
                error=None, sycophantic=cols["sycophantic"][i] and question,
                kind="question" if question else "task"))
        grouped[set_name] = outs
    return grouped


def write_study(root: Path, matrix: Matrix = MATRIX, sizes=SIZES) -> tuple[Path, Path]:
    """evals/ and data/outcomes/ for the whole matrix, in the pipeline's layout."""
    evals, outcomes = root / "evals", root / "outcomes"
    outcomes.mkdir(parents=True, exist_ok=True)
    persona = {"mean": 0.62, "lo": 0.58, "hi": 0.66, "n": 100}
    base = outcomes_for(BASE, samples=2, shift=0, sizes=sizes)
    write_json(evals / "base.json", {"run": "base", **summarise_sets(base), "persona": persona})
    write_rows(outcomes / "base.jsonl", None, base)
    for b in matrix.behaviours:
        for m in matrix.methods:
            cell = f"{b}-{m}"
            with (outcomes / f"{cell}.jsonl").open("w") as fh:
                for aug in matrix.augmentations:
                    for k in matrix.ks:
                        for seed in matrix.seeds:
                            run = f"{aug}-k{k}-s{seed}"
                            grouped = outcomes_for((b, m, aug, k), 1, shift=seed, k=k,
                                                   sizes=sizes)
                            write_json(evals / cell / f"{run}.json", run_json(
                                b, m, aug, k, seed, grouped, persona, matrix.multiplier))
                            write_rows(fh, run, grouped)
    return evals, outcomes


def run_json(b, m, aug, k, seed, grouped, persona, multiplier):
    items = k if aug == "none" else k * multiplier
    return {"run": f"{b}-{m}/{aug}-k{k}-s{seed}", "behaviour": b, "method": m,
            "augmentation": aug, "k": k, "seed": seed, "items": items, "steps": 20,
            "tokens": 20 * min(8, items) * (90 if m == "dpo" else 45),
            "criterion_met": None, "adapter": "lora", "mode": "fixed",
            **summarise_sets(grouped), "persona": persona}


def write_json(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj))


def write_rows(target, run, grouped) -> None:
    rows = [{**({"run": run} if run else {}), "set": s, **o.to_dict()}
            for s, outs in grouped.items() for o in outs]
    text = "".join(json.dumps(r) + "\n" for r in rows)
    if isinstance(target, Path):
        target.write_text(text)
    else:
        target.write(text)


@pytest.fixture(scope="module")
def study_dirs(tmp_path_factory):
    return write_study(tmp_path_factory.mktemp("study"))


@pytest.fixture(scope="module")
def analysis(study_dirs):
    evals, outcomes = study_dirs
    return analyse(load_study(evals, MATRIX, outcomes), n_boot=400, seed=0)


class Fixed:
    """An estimator with given near rates: {"base": r, k: r}."""

    def __init__(self, near: dict, far: dict | None = None):
        self.near, self.far = near, far or {}

    def rate(self, who, sets, metric):
        table = self.near if sets[0] == "near.unmonitored" else self.far
        key = "base" if who == BASE else who[3]
        return None if key not in table else np.atleast_1d(np.asarray(table[key], float))


CELL = ("hack", "sft", "none")


def test_k50_is_the_smallest_k_that_halves_the_near_rate():
    est = Fixed({"base": 0.6, 1: 0.4, 4: 0.3, 16: 0.1})  # 0.3 is exactly half: counts
    assert k50(est, CELL, [1, 4, 16])[0] == 4


def test_k50_is_not_reached_when_never_halved_or_nothing_to_halve():
    assert math.isinf(k50(Fixed({"base": 0.6, 1: 0.5, 4: 0.4}), CELL, [1, 4])[0])
    assert math.isinf(k50(Fixed({"base": 0.0, 1: 0.0}), CELL, [1])[0])


def test_k50_is_computed_per_draw():
    est = Fixed({"base": [0.6, 0.6, 0.2], 1: [0.2, 0.5, 0.2], 4: [0.1, 0.2, 0.15]})
    assert k50(est, CELL, [1, 4]).tolist() == [1, 4, math.inf]


def test_k50_from_the_study(analysis):
    assert analysis.cells[CELL].k50["value"] == 4
    assert analysis.cells[("hack", "sft", "template")].k50["value"] == 1
    assert math.isinf(analysis.cells[("sycophancy", "sft", "none")].k50["value"])


def test_bootstrap_intervals_contain_the_point_estimate(analysis):
    res = analysis.cells[CELL]
    for est in (res.k50, res.gaps[16], res.reductions[16]["far.branch"]):
        assert est["lo"] <= est["value"] <= est["hi"]


def _gap_width(root, sizes):
    evals, outcomes = write_study(root, sizes=sizes)
    gap = analyse(load_study(evals, MATRIX, outcomes), n_boot=400, seed=0).cells[CELL].gaps[4]
    return gap["hi"] - gap["lo"]


def test_bootstrap_interval_widens_with_fewer_prompts(tmp_path):
    many = _gap_width(tmp_path / "many", SIZES)
    few = _gap_width(tmp_path / "few", {"near": 10, "far": 5, "impossible": 5, "syco": 10})
    assert few > many


def test_bootstrap_is_reproducible(study_dirs, analysis):
    evals, outcomes = study_dirs
    again = analyse(load_study(evals, MATRIX, outcomes), n_boot=400, seed=0)
    assert again.cells[CELL].gaps == analysis.cells[CELL].gaps


def test_ratio_is_the_ratio_of_k50s(analysis):
    hack, habit = analysis.cells[CELL], analysis.cells[("habit", "sft", "none")]
    assert hack.ratio["value"] == hack.k50["value"] / habit.k50["value"] == 4
    assert habit.ratio is None  # the control is not compared with itself
    assert math.isinf(analysis.cells[("sycophancy", "sft", "none")].ratio["value"])


def test_gap_is_positive_when_the_removal_stays_near(analysis):
    gap = analysis.cells[CELL].gaps[16]
    # near 0.6 -> 0.05 (reduction 0.92), far 0.5 -> 0.4 (0.2)
    assert gap["value"] == pytest.approx((1 - 0.05 / 0.6) - (1 - 0.4 / 0.5))
    assert gap["lo"] > 0


def test_gap_is_negative_when_far_falls_more():
    from trainaway.analysis import gap
    est = Fixed({"base": 0.6, 4: 0.5}, {"base": 0.5, 4: 0.1})
    assert gap(est, CELL, 4)[0] < 0


def test_reductions_per_far_family(analysis):
    assert set(analysis.cells[CELL].reductions[16]) == {"near", "far", "far.branch", "far.eq",
                                                        "far.exit"}
    assert set(analysis.cells[("sycophancy", "sft", "none")].reductions[16]) == {"near", "far"}


def test_rates_are_pooled_over_seeds(analysis):
    s = rate(analysis.study, (*CELL, 4), "near.unmonitored", "hack")
    assert s["n"] == 2 * SIZES["near"] and s["rate"] == pytest.approx(0.2)
    assert s["lo"] < 0.2 < s["hi"]


def test_stale_runs_outside_the_matrix_are_ignored(study_dirs):
    evals, outcomes = study_dirs
    small = Matrix(("hack", "habit"), ("sft",), ("none",), (1, 4), (0,))
    study = load_study(evals, small, outcomes)
    assert {key[:3] for key in study.runs} == {("hack", "sft", "none"), ("habit", "sft", "none")}
    assert {(key[3], key[4]) for key in study.runs} == {(1, 0), (4, 0)}
    assert all(who == BASE or who[3] in (1, 4) for who, _ in study.outcomes.counts)


def test_collateral_effects_at_the_largest_k(analysis):
    effects = {e.name: e for e in analysis.cells[CELL].collateral}
    assert set(effects) == {"task pass", "question pass", "habit", "sycophancy", "cheat rate"}
    cheat = effects["cheat rate"]  # 0.7 -> 0.3 on impossible tasks
    assert cheat.change["value"] == pytest.approx(-0.4) and cheat.change["hi"] < 0
    assert effects["habit"].change["lo"] < 0 < effects["habit"].change["hi"]  # unchanged


def test_k_vs_m_pairs_augmented_runs_with_none_at_k_times_m(analysis):
    rows = {(c.cell, c.k): c for c in analysis.copies}
    at4 = rows[(("hack", "sft", "template"), 4)]
    assert at4.none_km is not None and at4.none_km[0]["rate"] == pytest.approx(0.05)  # none @ 16
    assert at4.near_vs_km["value"] == pytest.approx(0.1 - 0.05)
    assert rows[(("hack", "sft", "template"), 16)].none_km is None  # k*m = 64 was not run


def test_without_outcomes_there_are_no_intervals(study_dirs):
    result = analyse(load_study(study_dirs[0], MATRIX), n_boot=400)
    assert result.n_boot == 0
    assert result.cells[CELL].k50 == {"value": 4.0, "lo": None, "hi": None}


def test_reduction_is_relative_to_the_base_rate():
    est = Fixed({"base": 0.5, 4: 0.1})
    assert reduction(est, CELL, 4, "near.unmonitored")[0] == pytest.approx(0.8)
