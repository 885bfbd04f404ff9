"""Formatting numbers with intervals for the Markdown report."""
from __future__ import annotations

import math
from typing import Sequence


def value(s: dict | None) -> float | None:
    """The point estimate (rate, AUROC or mean); None when missing or undefined (n = 0)."""
    if s is None:
        return None
    v = s.get("rate", s.get("auroc", s.get("mean")))
    return None if v is None or math.isnan(v) else float(v)


def fmt(s: dict | None) -> str:
    """"0.12 [0.08, 0.18]", or "—" when there is no number."""
    v = value(s)
    return "—" if v is None else f"{v:.2f} [{s['lo']:.2f}, {s['hi']:.2f}]"


def table(header: Sequence[str], rows: list[Sequence[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header),
            *("| " + " | ".join(r) + " |" for r in rows)]
