"""Matplotlib helpers shared by every experiment's figures (Agg backend: runs headless under
`dvc repro`). Amounts (k caught examples, n documents, ...) run on a symlog (base 2) axis so
that the model before training sits at 0, labelled "base", next to 1, 2, 4, ... on what is
otherwise a log2 scale.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (backend must be chosen first)
from matplotlib.ticker import NullLocator  # noqa: E402

DPI = 150
COLOURS = plt.rcParams["axes.prop_cycle"].by_key()["color"]
MARKERS = ("o", "s", "^", "D")
RATE_LIMITS = (-0.03, 1.03)  # a little beyond [0, 1], so points at 0 and 1 are not clipped


def amount_axis(ax, amounts: list[int], label: str) -> None:
    amounts = sorted(set(amounts) | {0})
    ax.set_xscale("symlog", base=2, linthresh=1, linscale=0.6)
    ax.set_xticks(amounts, ["base" if a == 0 else str(a) for a in amounts])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlim(-0.25, max(amounts) * 1.35 if max(amounts) else 1)
    ax.set_xlabel(label)
    ax.grid(alpha=0.3)


def jitter(x: float, offset: float) -> float:
    """Shift a point sideways by a constant visual amount on the symlog axis."""
    return x + offset if x == 0 else x * 2 ** offset


def save(fig, path: Path) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=DPI, bbox_inches="tight")
    plt.close(fig)


def yerr(points: Sequence[tuple[float, dict]]):
    """Errorbar extents of (value, estimate) pairs; zero where there is no interval."""
    # max(0, .): a percentile interval need not contain its point estimate
    return [[max(0, v - s["lo"]) if s.get("lo") is not None else 0 for v, s in points],
            [max(0, s["hi"] - v) if s.get("hi") is not None else 0 for v, s in points]]


def no_data(ax, text: str = "no trained runs yet") -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="grey")


def legend(ax) -> None:
    if ax.get_legend_handles_labels()[0]:  # a panel without data has nothing to label
        ax.legend(fontsize=7)


def grid(rows: int, cols: int, width: float, height: float, **kw):
    return plt.subplots(rows, cols, figsize=(width * cols, height * rows), squeeze=False,
                        layout="constrained", **kw)


def x_label_bottom_only(axes) -> None:
    """Shared x axes: one label under each column is enough."""
    for ax in axes[:-1].flat:
        ax.set_xlabel("")


def clip(x: float, lo: float, hi: float) -> float:
    return min(max(x, lo), hi)
