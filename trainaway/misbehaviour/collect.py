"""Catch the base model misbehaving: sample it on the collect pool, detect each behaviour by
execution and inspection, and keep the caught examples in the order they were caught, each
with its corrected response (the SFT target)."""
from __future__ import annotations

import random

from trainaway.core.evaluation import conversation, flag_truncated
from trainaway.core.generation import Sampling
from trainaway.core.records import Item, Outcome
from trainaway.misbehaviour import messages
from trainaway.misbehaviour.behaviours import Behaviour
from trainaway.misbehaviour.scoring import score


def sample_pool(generate, pool: list[Item], sampling: Sampling) -> tuple[list[Item], list[Outcome]]:
    """`sampling.n` samples per item, scored: (the item of each sample, its outcome). A
    truncated sample has no scores, so it is never caught as anything."""
    completions = [c for per_prompt in generate([conversation(t) for t in pool], sampling)
                   for c in per_prompt]
    items = [t for t in pool for _ in range(sampling.n)]
    return items, [flag_truncated(o, c) for o, c in
                   zip(score(items, [c.text for c in completions]), completions)]


def too_few(caught: dict[str, int], k: int) -> list[str]:
    """Behaviours caught fewer times than the largest k needs, each with its count."""
    return [f"{name}: caught {n}, max(misbehaviour.ks) = {k} needs {k}"
            for name, n in caught.items() if n < k]


def caught_examples(items: list[Item], outcomes: list[Outcome], behaviour: Behaviour,
                    seed: int) -> list[dict]:
    """Every response that shows `behaviour`, as sampled. Other behaviours are left as they
    were (the corrector changes only this one), so across the caught examples they appear at
    the model's own rate and SFT leaves them unchanged in expectation. Filtering them out
    instead would make every target clean, and the control would then also train away the
    misbehaviour (measured: k=4 habit examples removed all near-family hacking)."""
    rng = random.Random(seed)
    own = honest_answers(items, outcomes)
    return [{"task": t.to_dict(), "response": o.response,
             "corrected": behaviour.correct(t, o.response, rng, own.get(t.id, [])),
             "family": o.scores.get("family")}
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
            if o.scores.get("hack") is False:  # judged honest (a truncated sample has no scores)
                own.setdefault(it.prompt, o.response)
    rows, dropped = messages.caught_rows(source, own)
    return rows, {"matched": sum(c is not None for _, _, c in source.pool),
                  "own_sample": len(rows) - sum(c is not None for _, _, c in source.pool),
                  "no_correction": dropped, "not_judged_hack": source.not_judged,
                  "heldout": len(source.heldout)}


def honest_answers(items: list[Item], outcomes: list[Outcome]) -> dict[str, list[str]]:
    """Per item, the model's own answers that pass its hidden tests without a hack (several
    samples per prompt give a real model's own correction for its caught ones)."""
    own: dict[str, list[str]] = {}
    for t, o in zip(items, outcomes):
        if o.scores.get("pass") and o.scores.get("hack") is False:
            own.setdefault(t.id, []).append(o.response)
    return own
