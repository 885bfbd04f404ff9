"""The one table `make bench` prints: every figure with the 1-minute load average at the moment
it was measured (the cores are shared; read the ratios, which are measured side by side)."""
from __future__ import annotations

import os

ROWS: list[tuple[str, str, str, str, str]] = []


def load() -> str:
    return f"{os.getloadavg()[0]:.2f}"


def record(what: str, figure: str, ratio: str = "", against: str = "") -> None:
    """One row: what was measured, its figure, a ratio and what the ratio is against."""
    ROWS.append((what, figure, ratio, against, load()))
    print(f"  {what}: {figure} {ratio} {against} (load {ROWS[-1][4]})", flush=True)


def print_markdown() -> None:
    head = ("measured", "figure", "ratio", "against", "load")
    print("\n| " + " | ".join(head) + " |\n|" + "---|" * len(head))
    for row in ROWS:
        print("| " + " | ".join(row) + " |")
