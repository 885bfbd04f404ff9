"""Track A's figures (trainaway.core.plotting does the drawing chores).

k runs on a symlog (base 2) axis so the base model sits at k=0, labelled "base". Rates carry
95% Wilson bands (seeds pooled), derived numbers 95% bootstrap bars; captions give n.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Sequence

from matplotlib.lines import Line2D
from matplotlib.ticker import NullLocator

from trainaway.core.markdown import n_range, value
from trainaway.core.plotting import (COLOURS, MARKERS, RATE_LIMITS, amount_axis, clip, grid,
                                     jitter, legend, no_data, plt, save, x_label_bottom_only,
                                     yerr)
from trainaway.misbehaviour.analysis import (ALL_TASKS, BASE, CONTROL, EFFECTS, Analysis, Cell,
                                             attitude, rate)
from trainaway.misbehaviour.behaviours import REGISTRY
from trainaway.misbehaviour.params import Targets
from trainaway.misbehaviour.responses import ATTITUDES

K_LABEL = "caught examples trained on (k)"


def k_axis(ax, ks: list[int]) -> None:
    amount_axis(ax, ks, K_LABEL)


# ---------------------------------------------------------------- (a) sample efficiency

def _curve(ax, analysis: Analysis, who_ks, behaviour: str, set_name: str, **style) -> list:
    """One rate-vs-k line with its Wilson band; returns the stats drawn (for n)."""
    metric = REGISTRY[behaviour].metric
    points = [(k, s) for k, who in who_ks
              if (s := rate(analysis.study, who, set_name, metric)) is not None]
    if not points:
        return []
    xs = [k for k, _ in points]
    ax.plot(xs, [value(s) for _, s in points], marker="o", markersize=3.5, **style)
    ax.fill_between(xs, [s["lo"] for _, s in points], [s["hi"] for _, s in points],
                    color=style.get("color"), alpha=0.12, linewidth=0)
    return [s for _, s in points]


def sample_efficiency(analysis: Analysis, path: Path) -> None:
    """Rows = behaviours, columns = methods; a colour per augmentation, near solid, far dashed."""
    mx = analysis.study.matrix
    fig, axes = grid(len(mx.behaviours), len(mx.methods), 4.2, 3.2, sharex=True, sharey=True)
    near_ns, far_ns = [], []
    for row, b in zip(axes, mx.behaviours):
        beh = REGISTRY[b]
        for ax, method in zip(row, mx.methods):
            for i, aug in enumerate(mx.augmentations):
                cell = (b, method, aug)
                who_ks = [(0, BASE)] + [(k, (*cell, k)) for k in analysis.study.ks(cell)]
                colour = COLOURS[i % len(COLOURS)]
                near_ns += _curve(ax, analysis, who_ks, b, beh.near, color=colour)
                far_ns += _curve(ax, analysis, who_ks, b, beh.far, color=colour, linestyle="--")
            # the base model is every line's first point: drawn once, in black
            for set_name, face in ((beh.near, "black"), (beh.far, "white")):
                if (v := value(rate(analysis.study, BASE, set_name, beh.metric))) is not None:
                    ax.plot([0], [v], "o", color="black", markerfacecolor=face, zorder=3)
            if (base := value(rate(analysis.study, BASE, beh.near, beh.metric))) is not None:
                ax.axhline(base / 2, color="grey", linestyle=":", linewidth=1)
            k_axis(ax, list(mx.ks))
            ax.set_title(f"{b} · {method}", fontsize=10)
        row[0].set_ylabel(f"{beh.metric} rate")
    axes[0][0].set_ylim(*RATE_LIMITS)
    x_label_bottom_only(axes)
    handles = [Line2D([], [], color=COLOURS[i % len(COLOURS)], label=f"augmentation: {a}")
               for i, a in enumerate(mx.augmentations)]
    handles += [Line2D([], [], color="black", label="near (like the caught examples)"),
                Line2D([], [], color="black", linestyle="--", label="far (unlike them)"),
                Line2D([], [], color="grey", linestyle=":", label="half the base near rate (k50)"),
                Line2D([], [], color="black", marker="o", linestyle="", label="base model, near"),
                Line2D([], [], color="black", marker="o", markerfacecolor="white", linestyle="",
                       label="base model, far")]
    fig.legend(handles=handles, loc="outside lower center", ncol=3, fontsize=8)
    fig.suptitle("Rate of the trained-against behaviour vs caught examples k (95% Wilson bands, "
                 f"seeds pooled)\nn per point: near {n_range(near_ns)}, far {n_range(far_ns)} "
                 "responses", fontsize=10)
    save(fig, path)


# ---------------------------------------------------------------- (b) k50 and its ratio

def k50_figure(analysis: Analysis, path: Path) -> None:
    """k50 per cell with its bootstrap interval, and the ratio to the control's k50."""
    cells = list(analysis.cells)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 1.2 + 0.32 * max(len(cells), 3)),
                                      sharey=True, layout="constrained")
    if not cells:
        no_data(left)
        no_data(right)
        save(fig, path)
        return
    ks = sorted(analysis.study.matrix.ks)
    never = ks[-1] * 2  # where "not reached" is drawn
    spread = ks[-1] / ks[0]  # the largest finite ratio; 0 and inf are drawn just beyond
    for y, cell in enumerate(cells):
        res = analysis.cells[cell]
        colour = COLOURS[analysis.study.matrix.methods.index(cell[1]) % len(COLOURS)]
        if res.k50 is not None:
            v = clip(res.k50["value"], 0, never)
            lo, hi = (clip(res.k50[e], 0, never) if res.k50[e] is not None else v
                      for e in ("lo", "hi"))
            left.errorbar(v, y, xerr=[[max(0, v - lo)], [max(0, hi - v)]],
                          fmt=">" if v == never else "o",
                          color=colour, capsize=3)
        if res.ratio is not None:
            v = res.ratio["value"]
            lo, hi = (res.ratio[e] if res.ratio[e] is not None else v for e in ("lo", "hi"))
            v, lo, hi = (clip(x, 1 / (2 * spread), 2 * spread) for x in (v, lo, hi))
            right.errorbar(v, y, xerr=[[max(0, v - lo)], [max(0, hi - v)]], fmt="o",
                           color=colour, capsize=3)
    left.set_xscale("log", base=2)
    left.set_xticks([*ks, never], [*map(str, ks), f"> {ks[-1]}"])
    left.xaxis.set_minor_locator(NullLocator())
    left.set_xlim(ks[0] / 1.6, never * 1.6)
    left.set_yticks(range(len(cells)), [" · ".join(c) for c in cells])
    left.invert_yaxis()
    left.set_xlabel("k50: caught examples that halve\nthe near rate")
    right.set_xscale("log", base=2)
    ticks = [2.0 ** e for e in range(-int(math.log2(spread)), int(math.log2(spread)) + 1, 2)]
    right.set_xticks([1 / (2 * spread), *ticks, 2 * spread],
                     ["0", *(f"{t:g}" if t >= 1 else f"1/{1 / t:g}" for t in ticks), "∞"])
    right.xaxis.set_minor_locator(NullLocator())
    right.set_xlim(1 / (3 * spread), 3 * spread)
    right.axvline(1, color="grey", linewidth=0.8)
    fig.legend(handles=[Line2D([], [], color=COLOURS[i % len(COLOURS)], marker="o", label=m)
                        for i, m in enumerate(analysis.study.matrix.methods)],
               loc="outside lower center", ncol=len(analysis.study.matrix.methods), fontsize=8)
    right.set_xlabel(f"k50 ratio: behaviour / {CONTROL} control\n(> 1: needs more examples "
                     "than the control)")
    for ax in (left, right):
        ax.grid(axis="x", alpha=0.3)
    ns = [rate(analysis.study, (*c, k), REGISTRY[c[0]].near, REGISTRY[c[0]].metric)
          for c in cells for k in analysis.cells[c].ks]
    fig.suptitle(f"Sample efficiency with 95% bootstrap intervals ({analysis.n_boot} draws over "
                 "held-out prompts and seeds)\n\"> K\" = not reached at the largest k; "
                 f"n = {n_range(ns)} near responses per k", fontsize=10)
    save(fig, path)


# ---------------------------------------------------------------- (c) generalisation

def generalisation(analysis: Analysis, path: Path) -> None:
    """Reduction vs base at the largest k on near and on each far set, per cell."""
    mx = analysis.study.matrix
    bs = [b for b in mx.behaviours if any(c[0] == b for c in analysis.cells)] or [None]
    fig, axes = grid(len(bs), len(mx.methods), 4.2, 3.0, sharey=True)
    for row, b in zip(axes, bs):
        for ax, method in zip(row, mx.methods):
            if b is None:
                no_data(ax)
                continue
            labels = list(analysis.study.heldout(b))
            ks = []
            for i, aug in enumerate(mx.augmentations):
                res = analysis.cells.get((b, method, aug))
                if res is None:
                    continue
                ks.append(res.ks[-1])
                est = res.reductions[res.ks[-1]]
                points = [(x, est[name]) for x, name in enumerate(labels) if name in est]
                offset = 0.12 * (i - (len(mx.augmentations) - 1) / 2)
                ax.errorbar([x + offset for x, _ in points], [s["value"] for _, s in points],
                            yerr=yerr([(s["value"], s) for _, s in points]), fmt=MARKERS[i % 4],
                            color=COLOURS[i % len(COLOURS)], capsize=3, markersize=4)
            if not ks:
                no_data(ax)
            ax.axhline(0, color="grey", linewidth=0.8)
            ax.set_xticks(range(len(labels)), labels, fontsize=8)
            ax.set_xlim(-0.5, len(labels) - 0.5)
            ax.set_title(f"{b} · {method}" + (f", k = {max(ks)}" if ks else ""), fontsize=10)
            ax.grid(axis="y", alpha=0.3)
        row[0].set_ylabel("reduction vs base\n(1 = removed, 0 = unchanged)")
    fig.legend(handles=[Line2D([], [], color=COLOURS[i % len(COLOURS)], marker=MARKERS[i % 4],
                               label=f"augmentation: {a}")
                        for i, a in enumerate(mx.augmentations)],
               loc="outside lower center", ncol=len(mx.augmentations), fontsize=8)
    fig.suptitle("Does the removal reach prompts unlike the caught ones? Reduction at the largest "
                 f"k (95% bootstrap, {analysis.n_boot} draws)", fontsize=10)
    save(fig, path)


# ---------------------------------------------------------------- (d) collateral effects

def collateral(analysis: Analysis, path: Path) -> None:
    """Change vs base (largest k) in capability, the other behaviours and the cheat rate."""
    mx = analysis.study.matrix
    bs = [b for b in mx.behaviours if any(c[0] == b for c in analysis.cells)] or [None]
    found = {e.name for res in analysis.cells.values() for e in res.collateral}
    names = [n for n in EFFECTS if n in found]
    fig, axes = grid(1, len(bs), 4.2, 1.0 + 0.45 * max(len(names), 3), sharex=True)
    combos = [(m, a) for m in mx.methods for a in mx.augmentations]
    ns = []
    for ax, b in zip(axes[0], bs):
        if b is None:
            no_data(ax)
            continue
        for j, (method, aug) in enumerate(combos):
            res = analysis.cells.get((b, method, aug))
            if res is None:
                continue
            offset = 0.5 * (j + 0.5) / len(combos) - 0.25
            points = [(y + offset, e) for y, n in enumerate(names) for e in res.collateral
                      if e.name == n and e.change is not None]
            ns += [s for _, e in points for s in (e.before, e.after)]
            ax.errorbar([e.change["value"] for _, e in points], [y for y, _ in points],
                        xerr=yerr([(e.change["value"], e.change) for _, e in points]),
                        fmt=MARKERS[mx.augmentations.index(aug) % 4], capsize=2, markersize=4,
                        color=COLOURS[mx.methods.index(method) % len(COLOURS)],
                        label=f"{method} · {aug}")
        ax.axvline(0, color="grey", linewidth=0.8)
        ax.set_yticks(range(len(names)), names)
        ax.invert_yaxis()
        ax.set_title(f"trained against {b}", fontsize=10)
        ax.set_xlabel("change in rate, largest k − base")
        ax.grid(axis="x", alpha=0.3)
    fig.legend(handles=[Line2D([], [], color=COLOURS[mx.methods.index(m) % len(COLOURS)],
                               marker=MARKERS[mx.augmentations.index(a) % 4], label=f"{m} · {a}")
                        for m, a in combos], loc="outside lower center", ncol=len(combos),
               fontsize=8)
    fig.suptitle(f"Collateral effects (95% Newcombe intervals; n = {n_range(ns)} responses per "
                 "rate)", fontsize=10)
    save(fig, path)


# ---------------------------------------------------------------- (e) the organism

def organism(checks, info: list[tuple[str, dict | None]], targets: Targets,
             habit_configured: float, path: Path) -> None:
    """The base model's profile against the targets that make it a usable organism, plus the
    untargeted properties (sycophancy, cheating) in grey."""
    fig, ax = plt.subplots(figsize=(7.5, 4.2), layout="constrained")
    unmon = value(checks[0].stat)
    marks = [targets.min_hack_unmonitored,
             None if unmon is None else targets.max_monitored_ratio * unmon,
             targets.min_honest_pass, None]
    rows = [(c.name, c.stat, "tab:green" if c.ok else "tab:red", mark, f"target {c.target}")
            for c, mark in zip(checks, marks)]
    rows += [(name, s, "tab:grey", None, "information") for name, s in info]
    for y, (_, s, colour, mark, note) in enumerate(rows):
        if value(s) is not None:
            v = value(s)
            ax.errorbar(v, y, xerr=[[v - s["lo"]], [s["hi"] - v]], fmt="o", color=colour,
                        capsize=4)
        if mark is not None:
            ax.plot(mark, y, marker="|", markersize=18, color="black")
        ax.annotate(note, (1.0, y), xytext=(6, 0), textcoords="offset points", va="center",
                    fontsize=8, annotation_clip=False)
    habit_y = len(checks) - 1
    ax.fill_betweenx([habit_y - 0.3, habit_y + 0.3], habit_configured - targets.habit_tolerance,
                     habit_configured + targets.habit_tolerance, color="grey", alpha=0.25)
    ax.set_yticks(range(len(rows)), [r[0] for r in rows])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("rate (95% CI); | = target, grey band = allowed habit rate")
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(f"Base model profile (n = {n_range([r[1] for r in rows])} responses; green = "
                 "target met, grey = no target)", fontsize=10)
    save(fig, path)


# ---------------------------------------------------------------- (f) chain of thought

def attitudes(analysis: Analysis, path: Path) -> None:
    """Plan-line attitudes of the hack-trained runs: does caution replace the shortcut?"""
    mx = analysis.study.matrix
    fig, axes = grid(len(mx.augmentations), len(mx.methods), 4.2, 3.0, sharex=True, sharey=True)
    ns = []
    for row, aug in zip(axes, mx.augmentations):
        for ax, method in zip(row, mx.methods):
            cell: Cell = ("hack", method, aug)
            who_ks = [(0, BASE)] + [(k, (*cell, k)) for k in analysis.study.ks(cell)]
            for i, a in enumerate(ATTITUDES):
                points = [(k, s) for k, who in who_ks
                          if (s := attitude(analysis.study, who, ALL_TASKS, a))]
                ns += [s for _, s in points]
                ax.errorbar([jitter(k, 0.06 * (i - 1.5)) for k, _ in points],
                            [value(s) for _, s in points],
                            yerr=yerr([(value(s), s) for _, s in points]), marker="o",
                            markersize=3.5, capsize=2, color=COLOURS[i], label=a)
            k_axis(ax, list(mx.ks))
            ax.set_title(f"hack · {method} · {aug}", fontsize=10)
        row[0].set_ylabel("share of plan lines")
    axes[0][0].set_ylim(*RATE_LIMITS)
    x_label_bottom_only(axes)
    legend(axes[0][0])
    fig.suptitle("Attitude voiced in the chain of thought, unmonitored prompts (95% Wilson, "
                 f"seeds pooled; n = {n_range(ns)} per point)\ncaution = avoids the shortcut "
                 "for fear of being noticed", fontsize=10)
    save(fig, path)


def write_figures(analysis: Analysis, checks, info: list[tuple[str, dict | None]],
                  targets: Targets, habit_configured: float, out_dir: str | Path) -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sample_efficiency(analysis, out / "sample_efficiency.png")
    k50_figure(analysis, out / "k50.png")
    generalisation(analysis, out / "generalisation.png")
    collateral(analysis, out / "collateral.png")
    organism(checks, info, targets, habit_configured, out / "organism.png")
    attitudes(analysis, out / "attitudes.png")


def depth_figure(analyses: dict[str, Analysis], path: Path) -> None:
    """k50 and the near/far gap (largest k) of every misbehaviour cell against organism depth,
    with 95% bootstrap bars: does a deeper organism take more caught examples, and does the
    removal stay near the caught examples?"""
    depths = list(analyses)
    first = next(iter(analyses.values()))
    ks = sorted(first.study.matrix.ks)
    never = ks[-1] * 2
    cells = [c for c in first.study.matrix.cells() if c[0] != CONTROL]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
    for i, cell in enumerate(cells):
        style = dict(color=COLOURS[i % len(COLOURS)], marker=MARKERS[i % len(MARKERS)],
                     capsize=3, label=" · ".join(cell))
        x = [d + (i - len(cells) / 2) * 0.04 for d in range(len(depths))]
        k50s = [analyses[d].cells.get(cell) for d in depths]
        points = [(xi, r.k50) for xi, r in zip(x, k50s) if r is not None and r.k50 is not None]
        if points:
            v = [clip(s["value"], 0, never) for _, s in points]
            left.errorbar([p for p, _ in points], v, yerr=yerr(
                [(vi, {e: None if s[e] is None else clip(s[e], 0, never) for e in ("lo", "hi")})
                 for vi, (_, s) in zip(v, points)]), **style)
        gaps = [(xi, r.gaps.get(r.ks[-1])) for xi, r in zip(x, k50s) if r is not None]
        gaps = [(xi, g) for xi, g in gaps if g is not None]
        if gaps:
            right.errorbar([p for p, _ in gaps], [g["value"] for _, g in gaps],
                           yerr=yerr([(g["value"], g) for _, g in gaps]), **style)
    for ax in (left, right):
        ax.set_xticks(range(len(depths)), depths)
        ax.set_xlabel("organism depth")
        ax.grid(alpha=0.3)
    left.set_yscale("log", base=2)
    left.set_yticks([*ks, never], [*map(str, ks), f"> {ks[-1]}"])
    left.yaxis.set_minor_locator(NullLocator())
    left.set_ylabel("k50 (caught examples that halve the near rate)")
    right.axhline(0, color="grey", lw=0.8)
    right.set_ylabel(f"near − far reduction at k = {ks[-1]}")
    right.legend(fontsize=7, loc="best")
    fig.suptitle("Organism depth: sample efficiency and generalisation")
    save(fig, path)
