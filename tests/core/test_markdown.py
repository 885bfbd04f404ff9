import math

from trainaway.core.markdown import fmt_censored


def test_a_censored_value_reads_the_grid_edge():
    s = {"value": -math.inf, "lo": -math.inf, "hi": 2.3, "undefined": 0.0}
    assert fmt_censored(s, 1, 32) == "< 1 [< 1, 2.3]"


def test_a_censored_value_reads_its_own_bound_when_it_has_one():
    s = {"value": -math.inf, "lo": -math.inf, "hi": -math.inf, "undefined": 0.25,
         "bounds": {"value": 0.5, "hi": 0.9}}
    assert fmt_censored(s, 1 / 32, 32) == "< 0.50 [< 0.03, < 0.90] (25% of draws undefined)"
