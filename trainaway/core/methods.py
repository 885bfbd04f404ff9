"""The registry of training methods: name -> how TRL rows are built -> which TRL trainer.

Experiments hand training *examples* to a method; an example is a dict with any of
  prompt     the user turn (text)
  completion the assistant turn to learn (SFT target, DPO's chosen, KTO's desirable)
  rejected   the assistant turn to move away from (DPO's rejected, KTO's undesirable)
and a method declares which fields it `needs`, so an experiment's params can be validated
against the methods its data supports (`supported`). Params validation, training, the report
and the docs all read this one table.

Light at import time: the TRL classes behind `trainer` are looked up in trainaway.core.trainers.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Method:
    name: str
    description: str                           # one clause, for the report and the docs
    trainer: str                               # key of trainaway.core.trainers.TRAINERS
    needs: frozenset[str]                      # example fields the rows are built from
    rows: Callable[[list[dict]], list[dict]]   # examples -> TRL dataset rows
    min_batch: int = 1                         # rows per step the algorithm cannot do without


def _user(example: dict) -> list[dict]:
    return [{"role": "user", "content": example["prompt"]}]


def _assistant(text: str) -> list[dict]:
    return [{"role": "assistant", "content": text}]


def sft_rows(examples: list[dict]) -> list[dict]:
    """Conversational `messages`; the loss covers the assistant turn only."""
    return [{"messages": _user(e) + _assistant(e["completion"])} for e in examples]


def dpo_rows(examples: list[dict]) -> list[dict]:
    return [{"prompt": _user(e), "chosen": _assistant(e["completion"]),
             "rejected": _assistant(e["rejected"])} for e in examples]


def kto_rows(examples: list[dict]) -> list[dict]:
    """Two unpaired rows per example: the completion desirable, the rejected one not."""
    rows = []
    for e in examples:
        rows += [{"prompt": _user(e), "completion": _assistant(e["completion"]), "label": True},
                 {"prompt": _user(e), "completion": _assistant(e["rejected"]), "label": False}]
    return rows


METHODS = {m.name: m for m in [
    Method("sft", "SFT imitates the target completion", "sft",
           frozenset({"prompt", "completion"}), sft_rows),
    Method("dpo", "DPO prefers the target completion to the rejected one", "dpo",
           frozenset({"prompt", "completion", "rejected"}), dpo_rows),
    # KTO estimates its KL baseline from mismatched pairs within a batch: it needs two rows.
    Method("kto", "KTO marks the target completion desirable and the rejected one undesirable",
           "kto", frozenset({"prompt", "completion", "rejected"}), kto_rows, min_batch=2),
]}


def get(name: str) -> Method:
    if name not in METHODS:
        raise KeyError(f"unknown method {name!r}; known: {sorted(METHODS)}")
    return METHODS[name]


def supported(fields: set[str] | frozenset[str]) -> tuple[str, ...]:
    """Methods whose rows can be built from examples with these fields."""
    return tuple(name for name, m in METHODS.items() if m.needs <= set(fields))
