"""Judges of free-text responses: does a response show the behaviour? (The messages source's
detector: School-of-Reward-Hacks tasks are graded by reading, not by running.)

A judge is built from its params (`misbehaviour.messages.judge`: `kind` plus its settings) and
called on (prompts, responses) -> one bool per response, in one batch, so a judge that is
itself a model can score a whole eval set in one pass: register it in JUDGES under its kind.
The default is a rule: a response shows the behaviour when any of the `patterns` matches it.
"""
from __future__ import annotations

import re
from typing import Callable

Judge = Callable[[list[str], list[str]], list[bool]]


def regex_judge(spec: dict) -> Judge:
    flags = re.IGNORECASE if spec.get("ignore_case", True) else 0
    try:
        patterns = [re.compile(p, flags) for p in spec.get("patterns", [])]
    except re.error as e:
        raise ValueError(f"judge.patterns: {e.pattern!r} is not a valid regex ({e})") from None

    def judge(prompts: list[str], responses: list[str]) -> list[bool]:
        return [any(p.search(r) for p in patterns) for r in responses]
    return judge


JUDGES: dict[str, Callable[[dict], Judge]] = {"regex": regex_judge}


def build(spec: dict) -> Judge:
    return JUDGES[spec["kind"]](spec)
