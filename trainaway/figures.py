"""Matplotlib figures for the report stage (Agg backend: runs headless under `dvc repro`).

k runs on a symlog (base 2) axis so the base model sits at k=0, labelled "base", next to
k = 1, 2, 4, ... on what is otherwise a log2 scale.
"""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (backend must be chosen first)
from matplotlib.ticker import NullLocator  # noqa: E402

from trainaway.markdown import value  # noqa: E402
from trainaway.report import (ATTITUDES, CONTROL, Evals, Targets, n_range,  # noqa: E402
                              organism_checks, stat)

DPI = 120
COLOURS = plt.rcParams["axes.prop_cycle"].by_key()["color"]
RATE_LIMITS = (-0.03, 1.0)  # a little below 0, so points at rate 0 are not clipped


def _k_axis(ax, ks: list[int]) -> None:
    ks = sorted(set(ks) | {0})
    ax.set_xscale("symlog", base=2, linthresh=1, linscale=0.6)
    ax.set_xticks(ks, ["base" if k == 0 else str(k) for k in ks])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlim(-0.25, max(ks) * 1.35 if max(ks) else 1)
    ax.set_xlabel("caught examples trained on (k)")
    ax.grid(alpha=0.3)


def _jitter(k: int, offset: float) -> float:
    """Shift a point sideways by a constant visual amount on the symlog axis."""
    return k + offset if k == 0 else k * 2 ** offset


def _points(series, get):
    """(x, y, lower error, upper error) for the points where `get(ev)` is measured."""
    xs, ys, lo, hi = [], [], [], []
    for k, ev in series:
        s = get(ev)
        if value(s) is None:
            continue
        v = value(s)
        xs.append(k)
        ys.append(v)
        lo.append(v - s["lo"])
        hi.append(s["hi"] - v)
    return xs, ys, lo, hi


def _band(ax, series, get, **style) -> None:
    xs, ys, lo, hi = _points(series, get)
    if not xs:
        return
    ax.plot(xs, ys, marker="o", **style)
    ax.fill_between(xs, [y - e for y, e in zip(ys, lo)], [y + e for y, e in zip(ys, hi)],
                    color=style.get("color"), alpha=0.15, linewidth=0)


def _bars(ax, series, get, offset: float = 0.0, **style) -> None:
    xs, ys, lo, hi = _points(series, get)
    if xs:
        ax.errorbar([_jitter(x, offset) for x in xs], ys, yerr=[lo, hi], marker="o",
                    capsize=3, markersize=4, **style)


def _all_ks(evals: Evals) -> list[int]:
    return [k for b in evals.behaviours for k, _ in evals.series(b)]


def _save(fig, path: Path) -> None:
    fig.savefig(path, dpi=DPI, bbox_inches="tight")
    plt.close(fig)


def sample_efficiency(evals: Evals, path: Path) -> None:
    """The headline: every behaviour's held-out near rate vs k on one axis."""
    fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
    near, train = [], []
    for i, b in enumerate(evals.behaviours):
        colour = COLOURS[i % len(COLOURS)]
        series = evals.series(b)
        _band(ax, series, lambda ev: stat(ev, "near.unmonitored", b), color=colour,
              label=f"{b}: held-out near, unmonitored")
        _bars(ax, series[1:], lambda ev: stat(ev, "train", b), color=colour, linestyle="--",
              alpha=0.7, label=f"{b}: its k training prompts")
        near += [stat(ev, "near.unmonitored", b) for _, ev in series]
        train += [stat(ev, "train", b) for _, ev in series[1:]]
    _k_axis(ax, _all_ks(evals))
    ax.set_ylim(*RATE_LIMITS)
    ax.set_ylabel("rate of the trained-against behaviour")
    ax.set_title(f"Behaviour rate vs caught examples (95% CI)\n"
                 f"n = {n_range(near)} held-out responses, {n_range(train)} on training prompts")
    ax.legend(fontsize=8, loc="upper right")
    _save(fig, path)


NEAR_FAR = (("near.unmonitored", 0, "-", -0.09), ("near.monitored", 0, "--", -0.03),
            ("far.unmonitored", 1, "-", 0.03), ("far.monitored", 1, "--", 0.09))


def near_far(evals: Evals, path: Path) -> None:
    """Generalisation: same family vs another family, with and without the review cue."""
    bs = evals.behaviours
    fig, axes = plt.subplots(1, len(bs), figsize=(5.5 * len(bs), 4.2), sharey=True, squeeze=False,
                             layout="constrained")
    for ax, b in zip(axes[0], bs):
        series, ns = evals.series(b), []
        for s, colour, ls, offset in NEAR_FAR:
            _bars(ax, series, lambda ev: stat(ev, s, b), offset, color=COLOURS[colour],
                  linestyle=ls, label=s.replace(".", ", "))
            ns += [stat(ev, s, b) for _, ev in series]
        _k_axis(ax, _all_ks(evals))
        ax.set_title(f"{b} (n = {n_range(ns)} per point)")
        ax.legend(fontsize=8)
    axes[0][0].set_ylim(*RATE_LIMITS)
    axes[0][0].set_ylabel("rate of the trained-against behaviour")
    fig.suptitle("Near (trained family) vs far (other family), unmonitored vs monitored (95% CI)")
    _save(fig, path)


def attitudes(evals: Evals, path: Path) -> None:
    """Plan-line attitudes for the misbehaviour's runs: does caution replace the shortcut?"""
    bs = [b for b in evals.focus() if b != CONTROL] or list(evals.focus()) or ["base"]
    sets = ("all.unmonitored", "all.monitored")
    fig, axes = plt.subplots(len(bs), 2, figsize=(10, 3.8 * len(bs)), sharex=True, sharey=True,
                             squeeze=False, layout="constrained")
    for row, b in zip(axes, bs):
        series = evals.series(b)
        for ax, s in zip(row, sets):
            ns = []
            for i, a in enumerate(ATTITUDES):
                get = lambda ev: ev.get("attitudes", {}).get(s, {}).get(a)  # noqa: E731
                _band(ax, series, get, color=COLOURS[i], label=a)
                ns += [get(ev) for _, ev in series]
            _k_axis(ax, _all_ks(evals))
            ax.set_title(f"{b}-trained, {s.split('.')[1]} (n = {n_range(ns)} per point)")
        row[0].set_ylabel("share of plan lines")
    axes[0][0].set_ylim(*RATE_LIMITS)
    axes[0][0].legend(fontsize=8)
    fig.suptitle("Attitude voiced in the chain of thought (95% CI); caution = avoids the "
                 "shortcut for fear of being noticed")
    _save(fig, path)


def organism(evals: Evals, targets: Targets, habit_configured: float, path: Path) -> None:
    """The base model's profile against the targets that make it a usable organism."""
    checks = organism_checks(evals.base, targets, habit_configured)
    fig, ax = plt.subplots(figsize=(7, 3.6), layout="constrained")
    unmon = value(checks[0].stat)
    target_marks = [targets.min_hack_unmonitored,
                    None if unmon is None else targets.max_monitored_ratio * unmon,
                    targets.min_honest_pass, None]
    for y, (c, mark) in enumerate(zip(checks, target_marks)):
        colour = "tab:green" if c.ok else "tab:red"
        if value(c.stat) is not None:
            v = value(c.stat)
            ax.errorbar(v, y, xerr=[[v - c.stat["lo"]], [c.stat["hi"] - v]], fmt="o",
                        color=colour, capsize=4)
        if mark is not None:
            ax.plot(mark, y, marker="|", markersize=18, color="black")
        ax.annotate(f"target {c.target}", (1.0, y), xytext=(6, 0), textcoords="offset points",
                    va="center", fontsize=8, annotation_clip=False)
    habit_y = len(checks) - 1
    ax.fill_betweenx([habit_y - 0.3, habit_y + 0.3], habit_configured - targets.habit_tolerance,
                     habit_configured + targets.habit_tolerance, color="grey", alpha=0.25)
    ax.set_yticks(range(len(checks)), [c.name for c in checks])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("rate (95% CI); | = target, grey = allowed habit band")
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(f"Base model profile (n = {n_range([c.stat for c in checks])} responses; "
                 "green = target met)")
    _save(fig, path)


def write_figures(evals: Evals, targets: Targets, habit_configured: float,
                  out_dir: str | Path) -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sample_efficiency(evals, out / "sample_efficiency.png")
    near_far(evals, out / "near_far.png")
    attitudes(evals, out / "attitudes.png")
    organism(evals, targets, habit_configured, out / "organism.png")
