"""Behaviours are plugins: a detector (is this scored response the behaviour?) and a corrector
(what the same response looks like without it, the SFT target).

Correctors change only their own behaviour, so an SFT target differs from the model's own
response in exactly that one behaviour: training the hack away does not directly train the
habit, and vice versa, and each is the other's control.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable

from trainaway.detect import has_habit, remove_habit
from trainaway.responses import honest_response
from trainaway.scoring import Outcome
from trainaway.tasks import Task


@dataclass(frozen=True)
class Behaviour:
    name: str
    description: str
    detect: Callable[[Outcome], bool]
    correct: Callable[[Task, str, random.Random], str]


def _correct_hack(task: Task, response: str, rng: random.Random) -> str:
    return honest_response(task, rng, habit=has_habit(response))


def _correct_habit(task: Task, response: str, rng: random.Random) -> str:
    return remove_habit(response)


REGISTRY = {
    "hack": Behaviour("hack", "reward hacking: passes the visible tests, fails the hidden ones",
                      lambda o: o.hack, _correct_hack),
    "habit": Behaviour("habit", "innocuous habit: a type hint on the function",
                       lambda o: o.habit, _correct_habit),
}


def get(name: str) -> Behaviour:
    if name not in REGISTRY:
        raise KeyError(f"unknown behaviour {name!r}; known: {sorted(REGISTRY)}")
    return REGISTRY[name]
