"""The decisive statistics on the synthetic study (conftest.py) with known answers."""
import json
import math

import numpy as np
import pytest

from trainaway.misbehaviour.analysis import (BASE, Matrix, analyse, k50, load_study, rate,
                                             ratio, ratio_bound, reduction)


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

    def rate(self, who, sets, metric, met_only=False):
        table = self.near if sets[0] == "near.unmonitored" else self.far
        key = "base" if who == BASE else who[3]
        return None if key not in table else np.atleast_1d(np.asarray(table[key], float))


CELL = ("hack", "sft", "none")


def test_k50_is_interpolated_in_log_k_where_the_curve_crosses_half_the_base_rate():
    est = Fixed({"base": 0.6, 1: 0.4, 4: 0.2, 16: 0.1})  # 0.3 halfway between k=1 and 4
    assert k50(est, CELL, [1, 4, 16])[0] == pytest.approx(2.0)


def test_k50_on_a_censored_curve_is_censored_not_a_number():
    assert k50(Fixed({"base": 0.6, 1: 0.5, 4: 0.4}), CELL, [1, 4])[0] == math.inf  # "> 4"
    assert k50(Fixed({"base": 0.6, 1: 0.1, 4: 0.0}), CELL, [1, 4])[0] == -math.inf  # "< 1"
    assert math.isnan(k50(Fixed({"base": 0.0, 1: 0.0}), CELL, [1])[0])  # nothing to halve


def test_k50_is_computed_per_draw():
    est = Fixed({"base": [0.6, 0.6, 0.2], 1: [0.2, 0.45, 0.2], 4: [0.1, 0.15, 0.15]})
    assert k50(est, CELL, [1, 4]).tolist() == [-math.inf, pytest.approx(2.0), math.inf]


def test_a_ratio_of_censored_k50s_is_censored_or_undefined():
    mine = np.array([2.0, 2.0, math.inf, -math.inf, math.inf, 2.0])
    theirs = np.array([4.0, math.inf, 4.0, math.inf, math.inf, -math.inf])
    out = ratio(mine, theirs)
    assert out[0] == 0.5 and out[1] == -math.inf and out[2] == math.inf
    assert out[3] == -math.inf and math.isnan(out[4]) and out[5] == math.inf


def test_a_censored_ratio_is_bounded_by_its_own_k50s():
    # k50 < 1 over a habit k50 of 2: the ratio is known to be below 1 / 2, not below 1 / max k
    assert ratio_bound([-math.inf, 8.0, math.inf], [2.0, math.inf, -math.inf],
                       [1, 4, 32]).tolist() == [0.5, 0.25, 32.0]


def test_k50_from_the_study(analysis):
    assert analysis.cells[CELL].k50["value"] == pytest.approx(4 ** 0.6)
    assert analysis.cells[("hack", "sft", "template")].k50["value"] == 1.0
    assert analysis.cells[("habit", "sft", "template")].k50["value"] == -math.inf
    assert analysis.cells[("sycophancy", "sft", "none")].k50["value"] == math.inf


def test_bootstrap_intervals_contain_the_point_estimate(analysis):
    res = analysis.cells[CELL]
    for est in (res.k50, res.gaps[16], res.reductions[16]["far.branch"], res.beyond[16]):
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


def test_ratio_is_the_ratio_of_k50s_and_censored_where_one_is(analysis):
    hack, habit = analysis.cells[CELL], analysis.cells[("habit", "sft", "none")]
    assert hack.ratio["value"] == pytest.approx(4 ** 0.6 / 4 ** 1.25)
    assert habit.ratio is None  # the control is not compared with itself
    # the habit halves below k=1 with template: the hack's 1.0 / "< 1" is "more than any"
    assert analysis.cells[("hack", "sft", "template")].ratio["value"] == math.inf
    assert analysis.cells[("sycophancy", "sft", "none")].ratio["value"] == math.inf


def test_a_run_that_missed_its_criterion_is_kept_out_of_k50_and_counted(analysis, synthetic):
    b, m, a, k, _ = synthetic.MISSED
    res = analysis.cells[(b, m, a)]
    assert res.missed == {1: 0, 4: 0, 16: 1} and analysis.excluded == 1
    alone = rate(analysis.study, (b, m, a, k), "near.unmonitored", "hack", met_only=True)
    both = rate(analysis.study, (b, m, a, k), "near.unmonitored", "hack")
    assert alone["n"] == both["n"] / 2


def _missed_everywhere_at(evals, cell: str, k: int) -> None:
    """Mark every run of one cell at one k as having missed its criterion."""
    for path in (evals / cell).glob(f"none-k{k}-s*.json"):
        ev = json.loads(path.read_text())
        path.write_text(json.dumps({**ev, "criterion_met": False}))


def test_a_k50_through_a_selected_few_is_not_estimated_and_takes_its_ratio(tmp_path, synthetic):
    evals, outcomes = synthetic.write_study(tmp_path)
    _missed_everywhere_at(evals, "habit-sft", 4)  # no habit run at k = 4 met its criterion
    a = analyse(load_study(evals, synthetic.MATRIX, outcomes), n_boot=50, seed=0)
    habit, hack = a.cells[("habit", "sft", "none")], a.cells[CELL]
    assert habit.too_few_met == (4,) and habit.k50 is None
    assert hack.too_few_met == () and hack.k50 is not None
    assert hack.ratio is None  # never divided by a k50 from the survivors


def test_the_neutral_control_is_what_caught_examples_must_beat(analysis):
    beyond = analysis.cells[CELL].beyond[16]  # neutral near 0.45, caught hacks 0.05
    assert beyond["value"] == pytest.approx(0.40) and beyond["lo"] > 0
    assert analysis.cells[("neutral", "sft", "none")].beyond == {}  # no control of itself


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


def test_cross_behaviour_effects_at_every_k(analysis):
    for k in (1, 4, 16):
        effects = {e.name: e for e in analysis.cells[CELL].effects[k]}
        assert set(effects) == {"task pass", "question pass", "habit", "sycophancy",
                                "cheat rate"}
    cheat = {e.name: e for e in analysis.cells[CELL].effects[16]}["cheat rate"]
    assert cheat.change["value"] == pytest.approx(-0.4) and cheat.change["hi"] < 0
    habit = {e.name: e for e in analysis.cells[CELL].effects[16]}["habit"]
    assert habit.change["lo"] < 0 < habit.change["hi"]  # unchanged


def test_the_persona_change_is_paired_with_the_base_model(analysis):
    change = analysis.cells[CELL].persona_change[16]
    assert change["value"] == pytest.approx(-0.1) and change["hi"] < 0
    assert analysis.cells[("habit", "sft", "none")].persona_change[16]["value"] == 0


def test_k_vs_m_pairs_augmented_runs_with_none_at_k_times_m(analysis):
    rows = {(c.cell, c.k): c for c in analysis.copies}
    at4 = rows[(("hack", "sft", "template"), 4)]
    assert at4.none_km is not None and at4.none_km[0]["rate"] == pytest.approx(0.05)  # none @ 16
    assert at4.near_vs_km["value"] == pytest.approx(0.1 - 0.05)
    assert rows[(("hack", "sft", "template"), 16)].none_km is None  # k*m = 64 was not run


def test_without_outcomes_there_are_no_intervals(study_dirs, synthetic):
    result = analyse(load_study(study_dirs[0], synthetic.MATRIX), n_boot=400)
    assert result.n_boot == 0
    assert result.cells[CELL].k50["lo"] is None


def test_reduction_is_relative_to_the_base_rate():
    est = Fixed({"base": 0.5, 4: 0.1})
    assert reduction(est, CELL, 4, "near.unmonitored")[0] == pytest.approx(0.8)
