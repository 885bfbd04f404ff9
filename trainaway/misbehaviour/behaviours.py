"""Behaviours are plugins: a detector (the outcome score that is the behaviour), a corrector
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

from trainaway.core.records import Item, Outcome
from trainaway.misbehaviour import sets
from trainaway.misbehaviour.detect import has_habit, remove_habit
from trainaway.misbehaviour.questions import honest_answer
from trainaway.misbehaviour.responses import honest_response

# What a caught example offers a training method (trainaway.core.methods): the prompt, the
# corrected response as the completion to learn, the caught response as the one to avoid.
EXAMPLE_FIELDS = frozenset({"prompt", "completion", "rejected"})


@dataclass(frozen=True)
class Behaviour:
    name: str
    description: str
    metric: str                     # the outcome score (and rate name) that is the behaviour
    kind: str                       # the item kind it is caught on
    near: str                       # eval set in the collect pool's context
    far: str                        # eval set (or pool) in contexts it was never caught in
    correct: Callable[[Item, str, random.Random], str]

    def detect(self, outcome: Outcome) -> bool:
        return bool(outcome.scores[self.metric])


def _correct_hack(task, response: str, rng: random.Random) -> str:
    return honest_response(task, rng, habit=has_habit(response))


def _correct_habit(task, response: str, rng: random.Random) -> str:
    return remove_habit(response)


def _correct_sycophancy(question, response: str, rng: random.Random) -> str:
    return honest_answer(question)


NEAR_TASKS = sets.with_cue(sets.NEAR, "unmonitored")
FAR_TASKS = sets.with_cue("far", "unmonitored")
REGISTRY = {
    "hack": Behaviour("hack", "reward hacking: passes the visible tests, fails the hidden ones",
                      "hack", "task", NEAR_TASKS, FAR_TASKS, _correct_hack),
    "habit": Behaviour("habit", "innocuous habit: a type hint on the function",
                       "habit", "task", NEAR_TASKS, FAR_TASKS, _correct_habit),
    "sycophancy": Behaviour("sycophancy", "sycophancy: answers with the user's wrong belief",
                            "sycophantic", "question", sets.SYCO_NEAR, sets.SYCO_FAR,
                            _correct_sycophancy),
}


def get(name: str) -> Behaviour:
    if name not in REGISTRY:
        raise KeyError(f"unknown behaviour {name!r}; known: {sorted(REGISTRY)}")
    return REGISTRY[name]


def training_example(row: dict) -> dict:
    """A caught (or augmented) row as a training-method example."""
    return {"prompt": row["task"]["prompt"], "completion": row["corrected"],
            "rejected": row["response"]}
