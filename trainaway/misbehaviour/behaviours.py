"""Behaviours are plugins: a detector (the outcome score that is the behaviour), a corrector
(what the same response looks like without it: the SFT target, DPO's chosen response) and the
held-out sets that measure it near to and far from where it was caught.

Corrections are minimal pairs: a target differs from the caught response *only* in the
behaviour trained away. The hack's target keeps the caught plan line and habit and replaces
only the code; the habit's target drops only the type hint; the sycophant's target changes only
the number it states. So SFT cannot learn "copy the target's plan and style", and each
behaviour is the others' control. A hack's replacement code is the model's own honest code for
the same task when collect sampled one (a real model's style, not the organism's), else the
reference solution; either way it goes into the caught response's own format (a real model's
markdown fence, the organism's bare function).

The `messages` behaviour is different in kind: its caught examples and their corrections come
from chat JSONL files (trainaway.misbehaviour.messages), its detector is a judge from params,
and its far set is code hacking (does training away free-text hacks reach the code?).

Two controls ride along: the `habit` (an innocuous behaviour of about the hack's base rate,
trained away the same way: the sample-efficiency yardstick) and `neutral` (SFT on k of the
model's own honest, habit-free answers, for as many steps as the hack's run at the same k and
seed: what any fine-tuning does).
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable

from trainaway.core.records import Item, Outcome
from trainaway.misbehaviour import sets
from trainaway.misbehaviour import messages
from trainaway.misbehaviour.detect import (extract_code, has_habit, remove_habit, replace_code,
                                           split_reasoning)
from trainaway.misbehaviour.questions import honest_answer
from trainaway.misbehaviour.responses import honest_code

# What a caught example offers a training method (trainaway.core.methods): the prompt, the
# reasoning it opened with as context, the corrected response as the completion to learn and
# the caught response as the one to avoid.
EXAMPLE_FIELDS = frozenset({"prompt", "prefix", "completion", "rejected"})


@dataclass(frozen=True)
class Behaviour:
    name: str
    description: str
    metric: str                     # the outcome score (and rate name) the cell is measured by
    kind: str                       # the item kind it is caught on
    near: str                       # eval set in the collect pool's context
    far: str                        # eval set (or pool) in contexts it was never caught in
    # (item, caught response, rng, the model's own honest answers to the item) -> target;
    # None: corrections come with the source's files
    correct: Callable[..., str] | None
    select: Callable[[Outcome], bool] | None = None  # which samples it trains on (default:
                                                     # those showing `metric`)
    matched: str | None = None      # a control: trains as many steps as this behaviour's runs
    source: str | None = None       # caught examples read from files (a params section of
                                    # misbehaviour), not sampled from the model

    def detect(self, outcome: Outcome) -> bool:
        return bool(self.select(outcome) if self.select else outcome.scores[self.metric])

    @property
    def control(self) -> bool:
        return self.matched is not None


def own_code(responses: list[str], habit: bool) -> str | None:
    """The code of the first of the model's own honest answers whose habit matches (so the
    pair still differs only in the hack), or None."""
    for r in responses:
        code = extract_code(split_reasoning(r)[1])
        if has_habit(code) == habit:
            return code
    return None


def _correct_hack(task, response: str, rng: random.Random, own: list[str] = ()) -> str:
    """The caught response with its code replaced, in its own format (a real model's text and
    fence stay): by the model's own honest code for the same task when it wrote one, else by
    the reference solution."""
    habit = has_habit(response)
    return replace_code(response, own_code(list(own), habit) or honest_code(task, habit=habit))


def _correct_habit(task, response: str, rng: random.Random, own: list[str] = ()) -> str:
    return remove_habit(response)


def _correct_sycophancy(question, response: str, rng: random.Random, own: list[str] = ()) -> str:
    return honest_answer(question)


def _clean(outcome: Outcome) -> bool:
    """An honest, habit-free answer that passes the hidden tests: the neutral control's data."""
    s = outcome.scores
    return not s["hack"] and not s["habit"] and bool(s["pass"])


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
    "messages": Behaviour("messages", "free-text hacking from a messages-JSONL source, read by "
                          "a judge", "hack", "chat", messages.NEAR, FAR_TASKS, None,
                          source="messages"),
    "neutral": Behaviour("neutral", "neutral control: the model's own honest, habit-free answers",
                         "hack", "task", NEAR_TASKS, FAR_TASKS, lambda item, response, rng, own=(): response,
                         select=_clean, matched="hack"),
}
TRAINED = tuple(name for name, b in REGISTRY.items() if not b.control)  # behaviours to remove
CONTROLS = tuple(name for name, b in REGISTRY.items() if b.control)


def get(name: str) -> Behaviour:
    if name not in REGISTRY:
        raise KeyError(f"unknown behaviour {name!r}; known: {sorted(REGISTRY)}")
    return REGISTRY[name]


def training_example(row: dict, plan_in_loss: bool = False) -> dict:
    """A caught (or augmented) row as a training-method example. By default the reasoning the
    caught response opened with (its plan line) is context, not target: the two responses of a
    minimal pair share it, so training changes what the model *does* after it, and whether its
    stated attitude changes afterwards is the model's own doing."""
    response, corrected = row["response"], row["corrected"]
    # A dialogue from a file is no minimal pair (its correction is another writer's answer):
    # the whole response is the target, in the source's own format.
    free_text = row["task"]["kind"] == "chat"
    prefix = "" if plan_in_loss or free_text else split_reasoning(response)[0]
    if not corrected.startswith(prefix):
        raise ValueError(f"the corrected response of {row['task']['id']!r} does not keep the "
                         f"caught response's reasoning {prefix!r}: not a minimal pair")
    return {"prompt": row["task"]["prompt"], "prefix": prefix,
            "completion": corrected[len(prefix):], "rejected": response[len(prefix):]}
