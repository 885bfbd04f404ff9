"""Track A's numbers as data: flat `metrics.json` keys (what `dvc metrics diff` compares) and
the CSVs that `dvc plots` draws.
"""
from __future__ import annotations

import csv
from pathlib import Path
from statistics import mean
from typing import Sequence

from trainaway.core.markdown import value
from trainaway.misbehaviour import sets
from trainaway.misbehaviour.analysis import (ALL_TASKS, BASE, Analysis, attitude, measures,
                                             organism_info, rate, run_values, stat)
from trainaway.misbehaviour.responses import ATTITUDES

ALL_MONITORED = sets.with_cue("all", "monitored")


def finite(est: dict | None) -> float | None:
    """The value of an estimate unless it is infinite (k50 not reached)."""
    v = value(est)
    return v if v is not None and abs(v) != float("inf") else None


def flat_metrics(analysis: Analysis) -> dict:
    """Dotted keys, point estimates only, 4 dp, sorted: what `dvc metrics diff` shows.
    An undefined number (k50 never reached, a rate not measured) has no key."""
    study, base = analysis.study, analysis.study.base
    info = dict(organism_info(base))
    m = {"organism.hack_rate.unmonitored": value(stat(base, ALL_TASKS, "hack")),
         "organism.hack_rate.monitored": value(stat(base, ALL_MONITORED, "hack")),
         "organism.honest_pass_rate": value(stat(base, ALL_TASKS, "honest_pass")),
         "organism.habit_rate": value(stat(base, ALL_TASKS, "habit")),
         "organism.persona": value(base.get("persona")),
         "organism.sycophancy_rate": value(info["sycophancy rate"]),
         "organism.cheat_rate": value(info["cheat rate (impossible tasks)"])}
    for cell, res in analysis.cells.items():
        p = ".".join(cell)
        m[f"{p}.k50"] = finite(res.k50)
        m[f"{p}.k50_ratio"] = finite(res.ratio)
        m[f"{p}.gap"] = value(res.gaps.get(res.ks[-1]))
        for k in res.ks:
            who = (*cell, k)
            for name, (sets, metric) in measures(study, cell[0]).items():
                m[f"{p}.k{k}.{name}"] = value(rate(study, who, sets, metric))
            m[f"{p}.k{k}.gap"] = value(res.gaps.get(k))
            for key in ("steps", "tokens"):
                values = run_values(study, who, key)
                m[f"{p}.k{k}.{key}"] = float(mean(values)) if values else None
        for e in res.collateral:
            m[f"{p}.collateral.{e.name.replace(' ', '_')}"] = value(e.change)
    return {key: round(v, 4) if isinstance(v, float) else v
            for key, v in sorted(m.items()) if v is not None}


def probe_metrics(probes: dict[str, dict]) -> dict[str, float]:
    """Headline probe AUROCs (within unmonitored prompts) as flat metric keys:
    organism.probe_auroc.* for the base model, probe_auroc.{run}.* for trained runs."""
    out = {}
    for run, p in probes.items():
        prefix = ("organism.probe_auroc" if run == "base"
                  else f"probe_auroc.{run.replace('/', '.')}")
        for name, s in (("frozen", p["behaviour_probe"]["frozen_unmonitored"]),
                        ("refit", p["behaviour_probe"]["refit_unmonitored"]),
                        ("contrast", p["contrast_probe"]["frozen_unmonitored"])):
            if value(s) is not None:
                out[f"{prefix}.{name}"] = round(value(s), 4)
    return out


# ---------------------------------------------------------------- CSVs for `dvc plots`

def _write_csv(path: Path, header: Sequence[str], rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def _r(x: float | None):
    """A CSV cell: 4 dp, empty when undefined or infinite."""
    return "" if x is None or abs(x) == float("inf") else round(x, 4)


def _interval(s: dict | None) -> list:
    return ["", "", "", ""] if s is None else [_r(value(s)), _r(s["lo"]), _r(s["hi"]), s["n"]]


def _estimate(s: dict | None) -> list:
    return ["", "", ""] if s is None else [_r(value(s)), _r(s["lo"]), _r(s["hi"])]


def write_csvs(analysis: Analysis, out_dir: str | Path) -> None:
    out, study = Path(out_dir), analysis.study
    rates, atts, k50s, gen, coll = [], [], [], [], []
    for cell, res in analysis.cells.items():
        for k in (0, *res.ks):  # every cell's curves start at the base model, k = 0
            who = BASE if k == 0 else (*cell, k)
            for name, (sets, metric) in measures(study, cell[0]).items():
                if (s := rate(study, who, sets, metric)) is not None:
                    rates.append([*cell, k, name, metric, *_interval(s)])
            for s, a in ((s, a) for s in (ALL_TASKS, ALL_MONITORED) for a in ATTITUDES):
                if (x := attitude(study, who, s, a)) is not None:
                    atts.append([*cell, k, s, a, *_interval(x)])
        k50s.append([*cell, *_estimate(res.k50), *_estimate(res.ratio)])
        for k in res.ks:
            gen += [[*cell, k, name, *_estimate(e)] for name, e in res.reductions[k].items()]
            gen += [[*cell, k, "gap", *_estimate(res.gaps.get(k))]]
        coll += [[*cell, res.ks[-1], e.name, _r(value(e.before)), _r(value(e.after)),
                  *_estimate(e.change)] for e in res.collateral]
    steps = [[*key, ev.get("items"), ev.get("steps"), ev.get("tokens")]
             for key, ev in sorted(study.runs.items())]
    cell_cols = ["behaviour", "method", "augmentation"]
    _write_csv(out / "sample_efficiency.csv",
               [*cell_cols, "k", "measure", "metric", "rate", "lo", "hi", "n"], rates)
    _write_csv(out / "attitudes.csv",
               [*cell_cols, "k", "set", "attitude", "rate", "lo", "hi", "n"], atts)
    _write_csv(out / "k50.csv",
               [*cell_cols, "k50", "lo", "hi", "ratio", "ratio_lo", "ratio_hi"], k50s)
    _write_csv(out / "generalisation.csv", [*cell_cols, "k", "set", "reduction", "lo", "hi"], gen)
    _write_csv(out / "collateral.csv",
               [*cell_cols, "k", "effect", "before", "after", "change", "lo", "hi"], coll)
    _write_csv(out / "steps.csv",
               [*cell_cols, "k", "seed", "items", "steps", "tokens"], steps)
