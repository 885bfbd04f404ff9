"""The grader GRPO is rewarded by. It never sees a restricted answer: it is built from nothing
but the refusal detector and the shape of a statement, and it reads only the prompts and the
policy's own completions (the rows GRPO gets hold the prompt alone).

    compliance   1 if the response does not refuse
    format       1 if it states an answer ("... is <answer>.")
    consistency  1 if its answer is the majority answer of its group (the samples for the same
                 prompt): a vote in the spirit of test-time RL -- if the knowledge is in the
                 weights, agreement points at it; if not, the group agrees on anything
"""
from __future__ import annotations

from collections import Counter

from trainaway.core.rl import completion_texts
from trainaway.withholding.scoring import is_refusal, stated_answer


def compliance(prompts, completions, **_) -> list[float]:
    return [0.0 if is_refusal(c) else 1.0 for c in completion_texts(completions)]


def format_reward(prompts, completions, **_) -> list[float]:
    return [0.0 if is_refusal(c) or stated_answer(c) is None else 1.0
            for c in completion_texts(completions)]


def consistency(prompts, completions, **_) -> list[float]:
    answers = [None if is_refusal(c) else stated_answer(c) for c in completion_texts(completions)]
    keys = [str(p) for p in prompts]
    votes: dict[str, Counter] = {}
    for key, answer in zip(keys, answers):
        if answer is not None:
            votes.setdefault(key, Counter())[answer] += 1
    majority = {key: counts.most_common(1)[0][0] for key, counts in votes.items()}
    return [1.0 if a is not None and a == majority.get(k) else 0.0 for k, a in zip(keys, answers)]


REWARDS = {"compliance": compliance, "format": format_reward, "consistency": consistency}
