"""Track A's numbers as data: flat `metrics.json` keys (what `dvc metrics diff` compares) and
the CSVs that `dvc plots` draws.

Every headline number goes in with its interval and n: `key` (the value), `key.lo`,
`key.hi` and, for rates, `key.n`. A censored number is never a number: `key` is null and
`key.censored` says what is known ("< 1", "> 32"); the same for a censored interval end
(`key.lo` null, `key.lo_censored` "< 1"). An undefined number has no key.
"""
from __future__ import annotations

import csv
import math
from pathlib import Path
from statistics import median
from typing import Sequence

from trainaway.core.markdown import value
from trainaway.misbehaviour import sets
from trainaway.misbehaviour.analysis import (ALL_MONITORED, ALL_TASKS, BASE, Analysis, attitude,
                                             measures, organism_checks, organism_info, rate,
                                             run_values, share)
from trainaway.misbehaviour.responses import ATTITUDES
from trainaway.misbehaviour.questions import ANSWERS

CUE_SETS = {"unmonitored": ALL_TASKS, "monitored": ALL_MONITORED}


def bounds(ks: Sequence[int]) -> tuple[float, float]:
    """What a censored k50 is known to be below / above: the smallest and largest k run."""
    return float(min(ks)), float(max(ks))


def censor(x: float, below: float, above: float) -> tuple[float | None, str | None]:
    """(the number, None), or (None, "< below") / (None, "> above") for +-inf."""
    if x is None or not math.isinf(x):
        return x, None
    return None, (f"< {below:g}" if x < 0 else f"> {above:g}")


def put_rate(m: dict, key: str, s: dict | None) -> None:
    if s is not None and s.get("n"):
        m.update({key: s["rate"], f"{key}.lo": s["lo"], f"{key}.hi": s["hi"], f"{key}.n": s["n"]})


def put_estimate(m: dict, key: str, est: dict | None, below: float = 0.0,
                 above: float = math.inf) -> None:
    """An estimate (value, interval) that may be censored: +-inf is written as null plus a
    `.censored` flag naming the bound (the estimate's own `bounds` for a field, if it has them)."""
    if est is None:
        return
    def field(name: str):
        b = est.get("bounds", {}).get(name)
        return censor(est[name], below, above) if b is None else censor(est[name], b, b)
    m[key], m[f"{key}.censored"] = field("value")
    for end in ("lo", "hi"):
        if est.get(end) is not None:
            m[f"{key}.{end}"], m[f"{key}.{end}_censored"] = field(end)


def ratio_bounds(ks: Sequence[int]) -> tuple[float, float]:
    """What a censored ratio of two k50s is known to be below / above, from the k grid."""
    lo, hi = bounds(ks)
    return lo / hi, hi / lo


def flat_metrics(analysis: Analysis, targets, habit_configured: float) -> dict:
    """Dotted keys, sorted: what `dvc metrics diff` shows (see the module docstring)."""
    study, base = analysis.study, analysis.study.base
    m: dict = {}
    for check in organism_checks(base, targets, habit_configured):
        put_rate(m, f"organism.{check.key}", check.stat)
        m[f"organism.{check.key}.target_met"] = check.ok
    for _, key, s in organism_info(base):
        put_rate(m, f"organism.{key}", s)
    if (p := base.get("persona")) and value(p) is not None:
        m.update({"organism.persona": p["mean"], "organism.persona.lo": p["lo"],
                  "organism.persona.hi": p["hi"], "organism.persona.n": p["n"]})
    for file, p in base.get("evals", {}).items():  # public eval files (misbehaviour.evals)
        m.update({f"organism.evals.{file}": p["mean"], f"organism.evals.{file}.lo": p["lo"],
                  f"organism.evals.{file}.hi": p["hi"], f"organism.evals.{file}.n": p["n"]})
    m["runs_missing_their_criterion"] = analysis.excluded
    for cell, res in analysis.cells.items():
        p = ".".join(cell)
        below, above = bounds(res.ks)
        put_estimate(m, f"{p}.k50", res.k50, below, above)
        m[f"{p}.k50_estimable"] = not res.too_few_met  # False: < half the runs met at some k
        put_estimate(m, f"{p}.k50_ratio", res.ratio, *ratio_bounds(res.ks))
        for k in res.ks:
            who, pk = (*cell, k), f"{p}.k{k}"
            for name, (sets_, metric) in measures(study, cell[0]).items():
                put_rate(m, f"{pk}.{name}", rate(study, who, sets_, metric))
            put_estimate(m, f"{pk}.gap", res.gaps.get(k))
            put_estimate(m, f"{pk}.beyond_neutral", res.beyond.get(k))
            for e in res.effects[k]:
                put_estimate(m, f"{pk}.effect.{e.name.replace(' ', '_')}", e.change)
            m[f"{pk}.runs"] = len(study.evals(who))
            m[f"{pk}.missed_criterion"] = res.missed[k]
            for key in ("steps", "epochs", "tokens"):
                if values := run_values(study, who, key):
                    m[f"{pk}.{key}"] = float(median(values))
            for cue, set_name in CUE_SETS.items():
                for a in ATTITUDES:
                    put_rate(m, f"{pk}.attitude.{cue}.{a}", attitude(study, who, set_name, a))
    for cue, set_name in CUE_SETS.items():
        for a in ATTITUDES:
            put_rate(m, f"organism.attitude.{cue}.{a}", attitude(study, BASE, set_name, a))
    for label in ANSWERS:
        put_rate(m, f"organism.answers.{label}",
                 share(study, BASE, sets.SYCO_NEAR, "answer", label))
    return {key: round(v, 4) if isinstance(v, float) else v
            for key, v in sorted(m.items()) if v is not None}


def probe_metrics(probes: dict[str, dict]) -> dict:
    """Probe AUROCs (overall and within unmonitored prompts) with their intervals:
    organism.probe_auroc.* for the base model, probe_auroc.{run}.* for trained runs."""
    out: dict = {}
    for run, p in probes.items():
        prefix = "organism.probe_auroc" if run == "base" else f"probe_auroc.{run}"
        for name, s in (("frozen", p["behaviour_probe"]["frozen"]),
                        ("frozen_unmonitored", p["behaviour_probe"]["frozen_unmonitored"]),
                        ("refit_unmonitored", p["behaviour_probe"]["refit_unmonitored"]),
                        ("contrast_unmonitored", p["contrast_probe"]["frozen_unmonitored"])):
            if value(s) is not None:
                out.update({f"{prefix}.{name}": round(s["auroc"], 4),
                            f"{prefix}.{name}.lo": round(s["lo"], 4),
                            f"{prefix}.{name}.hi": round(s["hi"], 4), f"{prefix}.{name}.n": s["n"]})
    return out


# ---------------------------------------------------------------- CSVs for `dvc plots`

def write_csv(path: Path, header: Sequence[str], rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def _r(x: float | None):
    """A CSV cell: 4 dp, empty when undefined or infinite."""
    return "" if x is None or math.isinf(x) or math.isnan(x) else round(x, 4)


def _interval(s: dict | None) -> list:
    return ["", "", "", ""] if s is None else [_r(value(s)), _r(s["lo"]), _r(s["hi"]), s["n"]]


def _estimate(s: dict | None, censored_as: tuple[float, float] = (0.0, math.inf)) -> list:
    if s is None:
        return ["", "", "", ""]
    flag = censor(s["value"], *censored_as)[1] or ""
    return [_r(s["value"]), _r(s["lo"]), _r(s["hi"]), flag]


def write_csvs(analysis: Analysis, out_dir: str | Path) -> None:
    """reports/plots/misbehaviour/{depth}/*.csv (the training curves of every depth go to one
    file, `training_curves`, so that dvc.yaml can name it as a plot)."""
    out, study = Path(out_dir), analysis.study
    rates, atts, k50s, gen, effects, runs = [], [], [], [], [], []
    for cell, res in analysis.cells.items():
        for k in (0, *res.ks):  # every cell's curves start at the base model, k = 0
            who = BASE if k == 0 else (*cell, k)
            for name, (sets_, metric) in measures(study, cell[0]).items():
                if (s := rate(study, who, sets_, metric)) is not None:
                    rates.append([*cell, k, name, metric, *_interval(s)])
            for cue, set_name in CUE_SETS.items():
                for a in ATTITUDES:
                    if (x := attitude(study, who, set_name, a)) is not None:
                        atts.append([*cell, k, cue, a, *_interval(x)])
        k50s.append([*cell, *_estimate(res.k50, bounds(res.ks)),
                     *_estimate(res.ratio, ratio_bounds(res.ks))])
        for k in res.ks:
            gen += [[*cell, k, name, *_estimate(e)[:3]] for name, e in res.reductions[k].items()]
            gen += [[*cell, k, "gap", *_estimate(res.gaps.get(k))[:3]]]
            gen += [[*cell, k, "beyond neutral", *_estimate(res.beyond.get(k))[:3]]]
            effects += [[*cell, k, e.name, _r(value(e.before)), _r(value(e.after)),
                         *_estimate(e.change)[:3]] for e in res.effects[k]]
    for key, ev in sorted(study.runs.items()):
        runs.append([*key, ev.get("items"), ev.get("steps"), ev.get("epochs"), ev.get("tokens"),
                     ev.get("criterion_met")])
    cell_cols = ["behaviour", "method", "augmentation"]
    write_csv(out / "sample_efficiency.csv",
               [*cell_cols, "k", "measure", "metric", "rate", "lo", "hi", "n"], rates)
    write_csv(out / "attitudes.csv", [*cell_cols, "k", "cue", "attitude", "rate", "lo", "hi", "n"],
               atts)
    write_csv(out / "k50.csv", [*cell_cols, "k50", "lo", "hi", "censored", "ratio", "ratio_lo",
                                 "ratio_hi", "ratio_censored"], k50s)
    write_csv(out / "generalisation.csv", [*cell_cols, "k", "set", "value", "lo", "hi"], gen)
    write_csv(out / "effects.csv",
               [*cell_cols, "k", "effect", "before", "after", "change", "lo", "hi"], effects)
    write_csv(out / "runs.csv", [*cell_cols, "k", "seed", "items", "steps", "epochs", "tokens",
                                  "criterion_met"], runs)


def training_curves(analyses: dict[str, Analysis]) -> tuple[list[str], list[list]]:
    """(header, rows) of every run's training curve: the loss at each logged step and the
    behaviour's rate on its training prompts wherever the criterion was checked."""
    rows = []
    for depth, analysis in analyses.items():
        for (b, m, a, k, s), ev in sorted(analysis.study.runs.items()):
            for point in ev.get("curve", []):
                rows.append([depth, f"{b}-{m}-{a}-k{k}-s{s}", b, m, a, k, s, point["step"],
                             point["loss"], "" if point["rate"] is None else point["rate"]])
    return ["depth", "run", "behaviour", "method", "augmentation", "k", "seed", "step", "loss",
            "rate"], rows
