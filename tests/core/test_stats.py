import math

import numpy as np
import pytest

from trainaway.core.stats import bootstrap_mean, rate, wilson


def test_wilson_known_value():
    lo, hi = wilson(5, 10)
    assert math.isclose(lo, 0.2366, abs_tol=1e-3) and math.isclose(hi, 0.7634, abs_tol=1e-3)


def test_wilson_at_zero_is_not_degenerate():
    lo, hi = wilson(0, 100)
    assert lo == 0.0 and 0.02 < hi < 0.05


def test_rate_counts_and_interval_contains_rate():
    r = rate([True, False, False, True])
    assert r["rate"] == 0.5 and r["n"] == 4 and r["lo"] < 0.5 < r["hi"]


def test_bootstrap_mean_is_seeded():
    values = [0.1, 0.9, 0.4, 0.6, 0.3]
    assert bootstrap_mean(values, seed=3) == bootstrap_mean(values, seed=3)
    b = bootstrap_mean(values)
    assert b["lo"] <= b["mean"] <= b["hi"] and b["n"] == 5


def test_wilson_contains_the_observed_rate():
    for n in (1, 7, 100):
        for k in range(n + 1):
            lo, hi = wilson(k, n)
            assert lo <= k / n <= hi


def test_crossing_interpolates_in_log_k():
    from trainaway.core.stats import crossing
    # 0.6 -> 0.2 between k = 2 and 8: halfway down (0.4 = target) is halfway in log k: k = 4
    assert crossing([1, 2, 8], [[0.7, 0.6, 0.2]], 0.4)[0] == pytest.approx(4.0)


def test_crossing_is_censored_on_both_sides():
    from trainaway.core.stats import crossing
    out = crossing([1, 4, 16], [[0.1, 0.1, 0.0], [0.6, 0.5, 0.45], [0.3, 0.1, 0.0]], 0.3)
    assert out[0] == -np.inf and out[1] == np.inf and out[2] == 1.0  # exactly at k = 1


def test_crossing_skips_missing_points_and_undefined_targets():
    from trainaway.core.stats import crossing
    nan = float("nan")
    out = crossing([1, 2, 4], [[0.6, nan, 0.2], [nan, nan, nan], [0.5, 0.4, 0.3]], [0.4, 0.4, 0.0])
    assert out[0] == pytest.approx(2.0) and np.isnan(out[1]) and np.isnan(out[2])


def test_censored_interval_keeps_infinities_and_counts_the_undefined():
    from trainaway.core.stats import censored_interval
    lo, hi, undefined = censored_interval([1.0, 2.0, np.inf, np.inf, float("nan")] * 20)
    assert lo == 1.0 and hi == np.inf and undefined == pytest.approx(0.2)


def test_a_rate_difference_has_an_interval_around_it():
    from trainaway.core.stats import rate, rate_difference
    d = rate_difference(rate([1] * 8 + [0] * 2), rate([1] * 2 + [0] * 8))
    assert d["value"] == pytest.approx(0.6) and 0 < d["lo"] < 0.6 < d["hi"] <= 1
    same = rate_difference(rate([1, 0] * 5), rate([1, 0] * 5))
    assert same["lo"] < 0 < same["hi"]
