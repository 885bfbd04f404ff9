"""Catch the base model misbehaving: sample it on the collect pool, detect each behaviour by
execution and inspection, and keep the caught examples in the order they were caught, each
with its corrected response (the SFT target)."""
from __future__ import annotations

import random

from trainaway.core.evaluation import conversation
from trainaway.core.generation import Sampling
from trainaway.core.records import Item, Outcome
from trainaway.misbehaviour import messages
from trainaway.misbehaviour.behaviours import Behaviour
from trainaway.misbehaviour.scoring import score


def sample_pool(generate, pool: list[Item], sampling: Sampling) -> tuple[list[Item], list[Outcome]]:
    """`sampling.n` samples per item, scored: (the item of each sample, its outcome)."""
    completions = generate([conversation(t) for t in pool], sampling)
    items = [t for t in pool for _ in range(sampling.n)]
    return items, score(items, [c for per_prompt in completions for c in per_prompt])


def caught_examples(items: list[Item], outcomes: list[Outcome], behaviour: Behaviour,
                    seed: int) -> list[dict]:
    """Every response that shows `behaviour`, as sampled. Other behaviours are left as they
    were (the corrector changes only this one), so across the caught examples they appear at
    the model's own rate and SFT leaves them unchanged in expectation. Filtering them out
    instead would make every target clean, and the control would then also train away the
    misbehaviour (measured: k=4 habit examples removed all near-family hacking)."""
    rng = random.Random(seed)
    return [{"task": t.to_dict(), "response": o.response,
             "corrected": behaviour.correct(t, o.response, rng), "family": o.scores.get("family")}
            for t, o in zip(items, outcomes) if t.kind == behaviour.kind and behaviour.detect(o)]


def source_examples(generate, cfg, seed: int, sampling: Sampling) -> tuple[list[dict], dict]:
    """The messages source's caught examples (trainaway.misbehaviour.messages); a row without a
    matched correction takes the base model's first own sample that the judge passes.
    Returns (rows, counts for the collect summary)."""
    source = messages.load(cfg, seed)
    unmatched = list({d.prompt: d for d, _, c in source.pool if c is None}.values())
    own = {}
    if unmatched:
        items, outcomes = sample_pool(generate, unmatched, sampling)
        for it, o in zip(items, outcomes):
            if not o.scores["hack"]:
                own.setdefault(it.prompt, o.response)
    rows, dropped = messages.caught_rows(source, own)
    return rows, {"matched": sum(c is not None for _, _, c in source.pool),
                  "own_sample": len(rows) - sum(c is not None for _, _, c in source.pool),
                  "no_correction": dropped, "not_judged_hack": source.not_judged,
                  "heldout": len(source.heldout)}
