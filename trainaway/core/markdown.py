"""Formatting numbers with intervals for the Markdown report."""
from __future__ import annotations

import math
from typing import Sequence


def value(s: dict | None) -> float | None:
    """The point estimate (rate, AUROC, mean or derived value); None when missing or undefined
    (n = 0)."""
    if s is None:
        return None
    v = s.get("rate", s.get("auroc", s.get("mean", s.get("value"))))
    return None if v is None or math.isnan(v) else float(v)


def _num(x: float, digits: int, sign: bool) -> str:
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    return f"{x:+.{digits}f}" if sign else f"{x:.{digits}f}"


def fmt(s: dict | None, digits: int = 2, sign: bool = False) -> str:
    """"0.12 [0.08, 0.18]"; the bare value when there is no interval; "—" when no number.
    sign=True writes changes as "+0.05 [-0.02, +0.11]"."""
    v = value(s)
    if v is None:
        return "—"
    if s.get("lo") is None:
        return _num(v, digits, sign)
    return f"{_num(v, digits, sign)} [{_num(s['lo'], digits, sign)}, {_num(s['hi'], digits, sign)}]"


def _amount(x: float, digits: int) -> str:
    return f"{x:.{digits}g}" if abs(x) >= 1 else f"{x:.{digits}f}"


def fmt_censored(s: dict | None, below: float, above: float, digits: int = 2) -> str:
    """An estimate that may be censored, e.g. an amount read off a curve: "4.2 [2.1, 9.8]";
    -inf reads "< below" and inf "> above" (the edges of what was observed), also inside the
    interval: "< 1 [< 1, 2.3]", "> 32 [8.1, > 32]". An estimate may carry its own tighter
    `bounds` per field ({"value": 0.5, "hi": 0.9}: e.g. a ratio of a censored and an observed
    amount), which those fields then read. A share of undefined bootstrap draws is stated."""
    if s is None:
        return "—"

    def one(x: float, below: float = below, above: float = above) -> str:
        if math.isinf(x):
            return f"< {_amount(below, digits)}" if x < 0 else f"> {_amount(above, digits)}"
        return _amount(x, digits)
    def field(name: str) -> str:
        b = s.get("bounds", {}).get(name)
        return one(s[name]) if b is None else one(s[name], b, b)
    text = field("value")
    if s.get("lo") is not None:
        text += f" [{field('lo')}, {field('hi')}]"
    if s.get("undefined"):
        text += f" ({s['undefined']:.0%} of draws undefined)"
    return text


def n_range(stats: Sequence[dict | None]) -> str:
    """'200' or '180–200': the n behind a column, for captions."""
    ns = sorted({s["n"] for s in stats if s is not None})
    if not ns:
        return "—"
    return str(ns[0]) if len(ns) == 1 else f"{ns[0]}–{ns[-1]}"


def span(values: Sequence[float]) -> str:
    """'20' or '12–20' (thousands separated): the spread of a quantity over runs."""
    if not values:
        return "—"
    lo, hi = min(values), max(values)
    return f"{lo:,.0f}" if lo == hi else f"{lo:,.0f}–{hi:,.0f}"


def table(header: Sequence[str], rows: list[Sequence[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header),
            *("| " + " | ".join(r) + " |" for r in rows)]
