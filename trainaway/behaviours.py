"""Behaviours are plugins: a detector (is this scored response the behaviour?), a corrector
(what the same response looks like without it: the SFT target, DPO's chosen response) and the
held-out sets that measure it near to and far from where it was caught.

Correctors change only their own behaviour, so a target differs from the model's own response
in exactly that one behaviour: training the hack away does not directly train the habit, and
vice versa, and each is the other's control.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable

from trainaway.detect import has_habit, remove_habit
from trainaway.items import Item
from trainaway.questions import honest_answer
from trainaway.responses import honest_response
from trainaway.scoring import Outcome


@dataclass(frozen=True)
class Behaviour:
    name: str
    description: str
    metric: str                     # the Outcome field (and rate name) that is the behaviour
    kind: str                       # the items it is caught on: "task" | "question"
    near: str                       # eval set in the collect pool's context
    far: str                        # eval set in contexts it was never caught in
    correct: Callable[[Item, str, random.Random], str]

    def detect(self, outcome: Outcome) -> bool:
        return bool(getattr(outcome, self.metric))


def _correct_hack(task, response: str, rng: random.Random) -> str:
    return honest_response(task, rng, habit=has_habit(response))


def _correct_habit(task, response: str, rng: random.Random) -> str:
    return remove_habit(response)


def _correct_sycophancy(question, response: str, rng: random.Random) -> str:
    return honest_answer(question)


REGISTRY = {
    "hack": Behaviour("hack", "reward hacking: passes the visible tests, fails the hidden ones",
                      "hack", "task", "near.unmonitored", "far.unmonitored", _correct_hack),
    "habit": Behaviour("habit", "innocuous habit: a type hint on the function",
                       "habit", "task", "near.unmonitored", "far.unmonitored", _correct_habit),
    "sycophancy": Behaviour("sycophancy", "sycophancy: answers with the user's wrong belief",
                            "sycophantic", "question", "syco.near", "syco.far",
                            _correct_sycophancy),
}


def get(name: str) -> Behaviour:
    if name not in REGISTRY:
        raise KeyError(f"unknown behaviour {name!r}; known: {sorted(REGISTRY)}")
    return REGISTRY[name]
