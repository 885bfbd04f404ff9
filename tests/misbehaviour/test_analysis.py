"""The decisive statistics on the synthetic study (conftest.py) with known answers."""
import math

import numpy as np
import pytest

from trainaway.misbehaviour.analysis import BASE, Matrix, analyse, k50, load_study, rate, reduction


@pytest.fixture(scope="module")
def study_dirs(tmp_path_factory, synthetic):
    return synthetic.write_study(tmp_path_factory.mktemp("study"))


@pytest.fixture(scope="module")
def analysis(study_dirs, synthetic):
    evals, outcomes = study_dirs
    return analyse(load_study(evals, synthetic.MATRIX, outcomes), n_boot=400, seed=0)


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


def _gap_width(synthetic, root, sizes):
    evals, outcomes = synthetic.write_study(root, sizes=sizes)
    study = load_study(evals, synthetic.MATRIX, outcomes)
    gap = analyse(study, n_boot=400, seed=0).cells[CELL].gaps[4]
    return gap["hi"] - gap["lo"]


def test_bootstrap_interval_widens_with_fewer_prompts(tmp_path, synthetic):
    many = _gap_width(synthetic, tmp_path / "many", synthetic.SIZES)
    few = _gap_width(synthetic, tmp_path / "few",
                     {"near": 10, "far": 5, "impossible": 5, "syco": 10})
    assert few > many


def test_bootstrap_is_reproducible(study_dirs, analysis, synthetic):
    evals, outcomes = study_dirs
    again = analyse(load_study(evals, synthetic.MATRIX, outcomes), n_boot=400, seed=0)
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
    from trainaway.misbehaviour.analysis import gap
    est = Fixed({"base": 0.6, 4: 0.5}, {"base": 0.5, 4: 0.1})
    assert gap(est, CELL, 4)[0] < 0


def test_reductions_per_far_family(analysis):
    assert set(analysis.cells[CELL].reductions[16]) == {"near", "far", "far.branch", "far.eq",
                                                        "far.exit"}
    assert set(analysis.cells[("sycophancy", "sft", "none")].reductions[16]) == {"near", "far"}


def test_rates_are_pooled_over_seeds(analysis, synthetic):
    s = rate(analysis.study, (*CELL, 4), "near.unmonitored", "hack")
    assert s["n"] == 2 * synthetic.SIZES["near"] and s["rate"] == pytest.approx(0.2)
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


def test_without_outcomes_there_are_no_intervals(study_dirs, synthetic):
    result = analyse(load_study(study_dirs[0], synthetic.MATRIX), n_boot=400)
    assert result.n_boot == 0
    assert result.cells[CELL].k50 == {"value": 4.0, "lo": None, "hi": None}


def test_reduction_is_relative_to_the_base_rate():
    est = Fixed({"base": 0.5, 4: 0.1})
    assert reduction(est, CELL, 4, "near.unmonitored")[0] == pytest.approx(0.8)
