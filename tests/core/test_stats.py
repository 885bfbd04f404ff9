import math

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
