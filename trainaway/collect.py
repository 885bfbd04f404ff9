"""Catch the base model misbehaving: sample it on the collect pool, detect each behaviour by
execution and inspection, and keep the caught examples in the order they were caught, each
with its corrected response (the SFT target)."""
from __future__ import annotations

import random

from trainaway.behaviours import Behaviour
from trainaway.evaluation import conversation
from trainaway.generation import Sampling
from trainaway.items import Item
from trainaway.scoring import Outcome, score


def sample_pool(generate, pool: list[Item], sampling: Sampling) -> tuple[list[Item], list[Outcome]]:
    completions = generate([conversation(t) for t in pool], sampling)
    tasks = [t for t in pool for _ in range(sampling.n)]
    return tasks, score(tasks, [c for per_prompt in completions for c in per_prompt])


def caught_examples(tasks: list[Item], outcomes: list[Outcome], behaviour: Behaviour,
                    seed: int) -> list[dict]:
    """Every response that shows `behaviour`, as sampled. Other behaviours are left as they
    were (the corrector changes only this one), so across the caught examples they appear at
    the model's own rate and SFT leaves them unchanged in expectation. Filtering them out
    instead would make every target clean, and the control would then also train away the
    misbehaviour (measured: k=4 habit examples removed all near-family hacking)."""
    rng = random.Random(seed)
    return [{"task": t.to_dict(), "response": o.response,
             "corrected": behaviour.correct(t, o.response, rng), "family": o.family}
            for t, o in zip(tasks, outcomes) if t.kind == behaviour.kind and behaviour.detect(o)]
