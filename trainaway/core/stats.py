"""Intervals for every headline number: Wilson for rates, percentile bootstrap for means, and
summaries of any named score."""
from __future__ import annotations

import math

import numpy as np

Z95 = 1.959963984540054


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval; honest at 0 and 1, where the normal interval collapses."""
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    # The interval contains p mathematically; the clamps only undo floating-point error at 0 and 1.
    return (max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half)))


def rate(flags) -> dict:
    """{"rate", "lo", "hi", "n"} for a list of booleans."""
    flags = list(flags)
    n, k = len(flags), sum(bool(f) for f in flags)
    lo, hi = wilson(k, n)
    return {"rate": k / n if n else float("nan"), "lo": lo, "hi": hi, "n": n}


def bootstrap_mean(values, n_boot: int = 2000, seed: int = 0) -> dict:
    """{"mean", "lo", "hi", "n"}: mean with a 95% percentile-bootstrap interval."""
    x = np.asarray(list(values), dtype=float)
    if len(x) == 0:
        return {"mean": float("nan"), "lo": float("nan"), "hi": float("nan"), "n": 0}
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, len(x), size=(n_boot, len(x)))].mean(axis=1)
    lo, hi = np.percentile(means, [2.5, 97.5])
    return {"mean": float(x.mean()), "lo": float(lo), "hi": float(hi), "n": int(len(x))}


def summarise(outcomes, spec) -> tuple[dict, dict]:
    """(rates, shares) of outcomes (records.Outcome) under a records.ScoreSpec: a Wilson rate
    per boolean score over the outcomes where it applies (not None), and for each categorical
    score the share of every label."""
    rates = {name: rate(o.scores[name] for o in outcomes if o.scores.get(name) is not None)
             for name in spec.rates}
    shares = {name: {label: rate(o.scores.get(name) == label for o in outcomes)
                     for label in labels} for name, labels in spec.categories.items()}
    return rates, shares


def crossing(xs, ys, target):
    """Where each curve first falls to `target`, interpolated linearly in log x between the
    grid points on either side: xs (grid, increasing, > 0), ys [draws, len(xs)] (nan = no
    point at that x in that draw: it is skipped), target [draws]. -inf: already below target at
    the first available point (censored: "< xs[0]"); inf: never reached (censored: "> last x");
    nan: no point at all, or nothing to fall from (target <= 0)."""
    xs = np.log(np.asarray(xs, dtype=float))
    ys = np.atleast_2d(np.asarray(ys, dtype=float))
    target = np.broadcast_to(np.asarray(target, dtype=float), ys.shape[:1])
    out = np.full(ys.shape[0], np.nan)
    for d, (curve, t) in enumerate(zip(ys, target)):
        ok = ~np.isnan(curve)
        if not ok.any() or not t > 0:
            continue
        x, y = xs[ok], curve[ok]
        below = np.flatnonzero(y <= t)
        if not below.size:
            out[d] = np.inf
        elif below[0] == 0:
            out[d] = np.exp(x[0]) if y[0] == t else -np.inf
        else:
            i = below[0]
            frac = (y[i - 1] - t) / (y[i - 1] - y[i])
            out[d] = np.exp(x[i - 1] + frac * (x[i] - x[i - 1]))
    return out


def censored_interval(draws, level: float = 0.95) -> tuple[float, float, float]:
    """(lo, hi, share undefined) of bootstrap draws that may be censored (+-inf, kept: they
    order correctly) or undefined (nan, left out and counted)."""
    draws = np.asarray(draws, dtype=float)
    defined = draws[~np.isnan(draws)]
    if not defined.size:
        return float("nan"), float("nan"), 1.0
    tail = (1 - level) / 2
    lo, hi = np.quantile(defined, [tail, 1 - tail], method="inverted_cdf")
    return float(lo), float(hi), float(1 - defined.size / draws.size)


def rate_difference(a: dict, b: dict) -> dict:
    """{"value", "lo", "hi"}: rate a minus rate b (independent samples, each a `rate` dict),
    with Newcombe's hybrid score interval built from the two Wilson intervals (method 10 of
    Newcombe 1998): honest near 0 and 1, where the normal interval collapses."""
    if not a["n"] or not b["n"]:
        return {"value": float("nan"), "lo": float("nan"), "hi": float("nan")}
    p, q = a["rate"], b["rate"]
    d = p - q
    lo = d - math.sqrt((p - a["lo"]) ** 2 + (b["hi"] - q) ** 2)
    hi = d + math.sqrt((a["hi"] - p) ** 2 + (q - b["lo"]) ** 2)
    return {"value": d, "lo": lo, "hi": hi}
