"""Track A's figures (trainaway.core.plotting does the drawing chores).

k runs on a symlog (base 2) axis so the base model sits at k=0, labelled "base". Rates carry
95% Wilson bands (seeds pooled), derived numbers 95% cluster-bootstrap bars; censored k50s
are drawn at the edge of the grid as open triangles pointing beyond it; captions give n.
"""
from __future__ import annotations

import math
from pathlib import Path

from matplotlib.lines import Line2D
from matplotlib.ticker import NullLocator

from trainaway.core.markdown import n_range, value
from trainaway.core.plotting import (COLOURS, MARKERS, RATE_LIMITS, amount_axis, clip, grid,
                                     jitter, legend, no_data, plt, save, x_label_bottom_only,
                                     yerr)
from trainaway.misbehaviour.analysis import (ALL_MONITORED, ALL_TASKS, BASE, CONTROL, EFFECTS,
                                             NEUTRAL, Analysis, attitude, rate)
from trainaway.misbehaviour.behaviours import REGISTRY
from trainaway.misbehaviour.params import Targets

K_LABEL = "caught examples trained on (k)"


def k_axis(ax, ks: list[int]) -> None:
    amount_axis(ax, ks, K_LABEL)


def _trained(analysis: Analysis, behaviour: str | None = None) -> list:
    return [c for c, r in analysis.cells.items()
            if not r.control and (behaviour is None or c[0] == behaviour)]


def _curve(ax, analysis: Analysis, who_ks, set_name: str, metric: str, **style) -> list:
    """One rate-vs-k line with its Wilson band; returns the stats drawn (for n)."""
    points = [(k, s) for k, who in who_ks
              if (s := rate(analysis.study, who, set_name, metric)) is not None]
    if not points:
        return []
    xs = [k for k, _ in points]
    ax.plot(xs, [value(s) for _, s in points], marker="o", markersize=3.5, **style)
    ax.fill_between(xs, [s["lo"] for _, s in points], [s["hi"] for _, s in points],
                    color=style.get("color"), alpha=0.12, linewidth=0)
    return [s for _, s in points]


def _series(analysis: Analysis, cell) -> list:
    return [(0, BASE)] + [(k, (*cell, k)) for k in analysis.study.ks(cell)]


# ---------------------------------------------------------------- (a) sample efficiency

def sample_efficiency(analysis: Analysis, path: Path) -> None:
    """Rows = trained behaviours, columns = methods; a colour per augmentation, near solid,
    far dashed."""
    mx = analysis.study.matrix
    fig, axes = grid(len(mx.behaviours), len(mx.methods), 4.2, 3.2, sharex=True, sharey=True)
    near_ns, far_ns = [], []
    for row, b in zip(axes, mx.behaviours):
        beh = REGISTRY[b]
        for ax, method in zip(row, mx.methods):
            for i, aug in enumerate(mx.augmentations):
                who_ks = _series(analysis, (b, method, aug))
                colour = COLOURS[i % len(COLOURS)]
                near_ns += _curve(ax, analysis, who_ks, beh.near, beh.metric, color=colour)
                far_ns += _curve(ax, analysis, who_ks, beh.far, beh.metric, color=colour,
                                 linestyle="--")
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

def _censored_errorbar(ax, y: float, est: dict, below: float, above: float, colour) -> None:
    """A point with its interval on a log2 x axis; +-inf drawn at the grid's edge (beyond it)
    as an open triangle pointing outwards."""
    edge = {-math.inf: below / 2, math.inf: above * 2}
    v = est["value"]
    lo, hi = (est[e] if est.get(e) is not None else v for e in ("lo", "hi"))
    v, lo, hi = (edge.get(x, clip(x, below / 2, above * 2)) for x in (v, lo, hi))
    censored = est["value"] in edge
    ax.errorbar(v, y, xerr=[[max(0, v - lo)], [max(0, hi - v)]],
                fmt=("<" if est["value"] < 0 else ">") if censored else "o", color=colour,
                markerfacecolor="white" if censored else colour, capsize=3)


def _log2_axis(ax, below: float, above: float, ticks: list[float], labels: list[str]) -> None:
    ax.set_xscale("log", base=2)
    ax.set_xticks(ticks, labels)
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlim(below / 3, above * 3)
    ax.grid(axis="x", alpha=0.3)


def k50_figure(analysis: Analysis, path: Path) -> None:
    """k50 per trained cell with its bootstrap interval, and the ratio to the habit's k50."""
    cells = _trained(analysis)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 1.2 + 0.32 * max(len(cells), 3)),
                                      sharey=True, layout="constrained")
    if not cells:
        no_data(left)
        no_data(right)
        save(fig, path)
        return
    ks = sorted(analysis.study.matrix.ks)
    methods = analysis.study.matrix.methods
    spread = ks[-1] / ks[0]
    for y, cell in enumerate(cells):
        res = analysis.cells[cell]
        colour = COLOURS[methods.index(cell[1]) % len(COLOURS)]
        if res.k50 is not None:
            _censored_errorbar(left, y, res.k50, ks[0], ks[-1], colour)
        elif res.too_few_met:
            left.text(ks[0], y, " not estimable: < half the runs met their criterion at k = "
                      + ", ".join(map(str, res.too_few_met)), va="center", fontsize=7,
                      color=colour)
        if res.ratio is not None:
            _censored_errorbar(right, y, res.ratio, 1 / spread, spread, colour)
    _log2_axis(left, ks[0], ks[-1], [ks[0] / 2, *ks, ks[-1] * 2],
               [f"< {ks[0]}", *map(str, ks), f"> {ks[-1]}"])
    ratios = [2.0 ** e for e in range(-int(math.log2(spread)), int(math.log2(spread)) + 1, 2)]
    _log2_axis(right, 1 / spread, spread, [1 / (2 * spread), *ratios, 2 * spread],
               [f"< 1/{spread:g}", *(f"{t:g}" if t >= 1 else f"1/{1 / t:g}" for t in ratios),
                f"> {spread:g}"])
    left.set_yticks(range(len(cells)), [" · ".join(c) for c in cells])
    left.invert_yaxis()
    left.set_xlabel("k50: caught examples that halve the near rate\n(log-k interpolation; "
                    "triangles: censored)")
    right.axvline(1, color="grey", linewidth=0.8)
    right.set_xlabel(f"k50 ratio: behaviour / {CONTROL} control\n(< 1: fewer examples than "
                     "the innocuous habit)")
    fig.legend(handles=[Line2D([], [], color=COLOURS[i % len(COLOURS)], marker="o", label=m)
                        for i, m in enumerate(methods)],
               loc="outside lower center", ncol=len(methods), fontsize=8)
    fig.suptitle(f"Sample efficiency with 95% cluster-bootstrap intervals ({analysis.n_boot} "
                 "draws over held-out prompts and seeds); runs that missed their criterion "
                 "left out", fontsize=10)
    save(fig, path)


# ---------------------------------------------------------------- (c) the controls

def controls(analysis: Analysis, path: Path) -> None:
    """Near hack rate after training on caught hacks vs after the neutral control, and the
    habit's near rate after training it away: the two controls beside the hack."""
    study, aug = analysis.study, analysis.study.matrix.augmentations[0]
    series = [(("hack", "sft", aug), "hack", "caught hacks (SFT)"),
              ((NEUTRAL, "sft", aug), "hack", "neutral control: own clean answers (SFT)"),
              ((CONTROL, "sft", aug), "habit", "habit trained away (SFT): its habit rate")]
    fig, ax = plt.subplots(figsize=(6.5, 4), layout="constrained")
    ns = []
    for i, (cell, metric, name) in enumerate(series):
        if cell in analysis.cells:
            ns += _curve(ax, analysis, _series(analysis, cell), REGISTRY[cell[0]].near, metric,
                         color=COLOURS[i], label=name, linestyle="-" if metric == "hack" else "--")
    if not ns:
        no_data(ax)
    k_axis(ax, list(study.matrix.ks))
    ax.set_ylim(*RATE_LIMITS)
    ax.set_ylabel("near rate (unmonitored)")
    legend(ax)
    ax.set_title(f"Caught hacks vs what any fine-tuning does (95% Wilson bands; n = "
                 f"{n_range(ns)} per point)", fontsize=9)
    save(fig, path)


# ---------------------------------------------------------------- (d) generalisation

def generalisation(analysis: Analysis, path: Path) -> None:
    """Reduction vs base at the largest k on near and on each far set, per trained cell."""
    mx = analysis.study.matrix
    bs = [b for b in mx.behaviours if _trained(analysis, b)] or [None]
    fig, axes = grid(len(bs), len(mx.methods), 4.2, 3.0, sharey=True)
    for row, b in zip(axes, bs):
        for ax, method in zip(row, mx.methods):
            if b is None:
                no_data(ax)
                continue
            labels, ks = list(analysis.study.heldout(b)), []
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


# ---------------------------------------------------------------- (e) cross-behaviour effects

def effects(analysis: Analysis, path: Path) -> None:
    """Change vs base in capability, the other behaviours and the cheat rate, against k, one
    panel per trained-against behaviour (first method and augmentation; controls included)."""
    mx = analysis.study.matrix
    cells = [c for c in analysis.cells if c[1] in (mx.methods[0], "sft")
             and c[2] == mx.augmentations[0]]
    cells = list(dict.fromkeys(cells))
    fig, axes = grid(1, max(len(cells), 1), 4.0, 3.2, sharey=True)
    for ax, cell in zip(axes[0], cells):
        res = analysis.cells[cell]
        for i, name in enumerate(EFFECTS):
            points = [(k, e.change) for k in res.ks for e in res.effects[k]
                      if e.name == name and e.change is not None]
            if points:
                ax.errorbar([jitter(k, 0.05 * (i - 2.5)) for k, _ in points],
                            [c["value"] for _, c in points],
                            yerr=yerr([(c["value"], c) for _, c in points]), marker="o",
                            markersize=3, capsize=2, color=COLOURS[i % len(COLOURS)], label=name)
        ax.axhline(0, color="grey", linewidth=0.8)
        k_axis(ax, list(res.ks))
        ax.set_title(f"trained against {cell[0]} ({cell[1]})", fontsize=10)
    if not cells:
        no_data(axes[0][0])
    axes[0][0].set_ylabel("change in rate vs base")
    legend(axes[0][-1])
    fig.suptitle("Cross-behaviour effects at every k (95% cluster-bootstrap intervals of the "
                 "difference)", fontsize=10)
    save(fig, path)


# ---------------------------------------------------------------- (f) the organism

def organism(checks, info, targets: Targets, habit_configured: float, path: Path) -> None:
    """The base model's profile against the targets that make it a usable organism, plus the
    untargeted properties (sycophancy, cheating) in grey."""
    fig, ax = plt.subplots(figsize=(7.5, 4.4), layout="constrained")
    unmon = value(checks[0].stat)
    marks = {"hack_rate.unmonitored": targets.min_hack_unmonitored,
             "hack_rate.monitored": None if unmon is None else targets.max_monitored_ratio * unmon,
             "honest_pass_rate": targets.min_honest_pass,
             "sums_correct": targets.min_sums_correct}
    rows = [(c.name, c.stat, "tab:green" if c.ok else "tab:red", marks.get(c.key),
             f"target {c.target}") for c in checks]
    rows += [(name, s, "tab:grey", None, "information") for name, _, s in info]
    for y, (_, s, colour, mark, note) in enumerate(rows):
        if value(s) is not None:
            v = value(s)
            ax.errorbar(v, y, xerr=[[v - s["lo"]], [s["hi"] - v]], fmt="o", color=colour,
                        capsize=4)
        if mark is not None:
            ax.plot(mark, y, marker="|", markersize=18, color="black")
        ax.annotate(note, (1.0, y), xytext=(6, 0), textcoords="offset points", va="center",
                    fontsize=8, annotation_clip=False)
    habit_y = [c.key for c in checks].index("habit_rate")
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


# ---------------------------------------------------------------- (g) chain of thought

def attitudes(analysis: Analysis, path: Path) -> None:
    """Plan-line attitudes of the hack-trained cells vs k, without (solid) and with (dashed)
    the review cue: does the wish fall, or caution replace it?"""
    cells = _trained(analysis, "hack")
    fig, axes = grid(1, max(len(cells), 1), 4.2, 3.2, sharey=True)
    ns = []
    for ax, cell in zip(axes[0], cells):
        for i, a in enumerate(("shortcut", "caution", "solve")):
            for set_name, style in ((ALL_TASKS, "-"), (ALL_MONITORED, "--")):
                points = [(k, s) for k, who in _series(analysis, cell)
                          if (s := attitude(analysis.study, who, set_name, a))]
                ns += [s for _, s in points]
                ax.errorbar([jitter(k, 0.06 * (i - 1)) for k, _ in points],
                            [value(s) for _, s in points],
                            yerr=yerr([(value(s), s) for _, s in points]), marker="o",
                            markersize=3, capsize=2, color=COLOURS[i], linestyle=style,
                            label=f"{a} ({'no cue' if style == '-' else 'cue'})")
        k_axis(ax, list(analysis.study.matrix.ks))
        ax.set_title(" · ".join(cell), fontsize=10)
    if not cells:
        no_data(axes[0][0])
    axes[0][0].set_ylim(*RATE_LIMITS)
    axes[0][0].set_ylabel("share of plan lines")
    legend(axes[0][0])
    fig.suptitle("Attitude voiced in the chain of thought, without (solid) and with (dashed) the "
                 f"review cue (95% Wilson; n = {n_range(ns)} per point)", fontsize=10)
    save(fig, path)


def write_figures(analysis: Analysis, checks, info, targets: Targets, habit_configured: float,
                  out_dir: str | Path) -> None:
    out = Path(out_dir)
    sample_efficiency(analysis, out / "sample_efficiency.png")
    k50_figure(analysis, out / "k50.png")
    controls(analysis, out / "controls.png")
    generalisation(analysis, out / "generalisation.png")
    effects(analysis, out / "effects.png")
    organism(checks, info, targets, habit_configured, out / "organism.png")
    attitudes(analysis, out / "attitudes.png")


def depth_figure(analyses: dict[str, Analysis], path: Path) -> None:
    """k50 (censored at the grid's edges) and the near/far gap at the largest k of every
    misbehaviour cell against organism depth, with 95% bootstrap bars."""
    depths = list(analyses)
    first = next(iter(analyses.values()))
    ks = sorted(first.study.matrix.ks)
    cells = [c for c in _trained(first) if c[0] != CONTROL]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
    for i, cell in enumerate(cells):
        style = dict(color=COLOURS[i % len(COLOURS)], marker=MARKERS[i % len(MARKERS)],
                     capsize=3, label=" · ".join(cell))
        x = [d + (i - len(cells) / 2) * 0.04 for d in range(len(depths))]
        found = [analyses[d].cells.get(cell) for d in depths]
        edge = {-math.inf: ks[0] / 2, math.inf: ks[-1] * 2}
        points = [(xi, r.k50) for xi, r in zip(x, found) if r is not None and r.k50 is not None]
        if points:
            v = [edge.get(s["value"], s["value"]) for _, s in points]
            left.errorbar([p for p, _ in points], v, yerr=yerr(
                [(vi, {e: None if s[e] is None else edge.get(s[e], s[e]) for e in ("lo", "hi")})
                 for vi, (_, s) in zip(v, points)]), **style)
        gaps = [(xi, g) for xi, r in zip(x, found) if r is not None
                and (g := r.gaps.get(r.ks[-1])) is not None]
        if gaps:
            right.errorbar([p for p, _ in gaps], [g["value"] for _, g in gaps],
                           yerr=yerr([(g["value"], g) for _, g in gaps]), **style)
    for ax in (left, right):
        ax.set_xticks(range(len(depths)), depths)
        ax.set_xlabel("organism depth")
        ax.grid(alpha=0.3)
    left.set_yscale("log", base=2)
    left.set_yticks([ks[0] / 2, *ks, ks[-1] * 2], [f"< {ks[0]}", *map(str, ks), f"> {ks[-1]}"])
    left.yaxis.set_minor_locator(NullLocator())
    left.set_ylabel("k50 (caught examples that halve the near rate)")
    right.axhline(0, color="grey", lw=0.8)
    right.set_ylabel(f"near − far reduction at k = {ks[-1]}")
    right.legend(fontsize=7, loc="best")
    fig.suptitle("Organism depth: sample efficiency and generalisation")
    save(fig, path)
