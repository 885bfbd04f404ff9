"""Evaluation by composition: eval sets (items) -> solver (sample the model) -> scorer.

An experiment brings the eval sets (records.EvalSet), a scorer (items, responses -> outcomes)
and the score spec of each item kind; this module samples every set in one generation call,
scores every response in one batch and summarises each set and each pool (records.Pool).
Multiple-choice items in Anthropic's model-written-evals format are scored from next-token
probabilities, without sampling.

A sample that stopped at its token limit is *truncated*: its scores are set to None (no rate
counts it either way; a cut-off hack is not an honest answer) and `truncated` is True, so
summaries report how many there were. Limits are per set (`limits`: set name or item kind ->
max_new_tokens), so real answers fit where they are long.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable, Mapping, Sequence

from trainaway.core.chat import encode, render
from trainaway.core.generation import Completion, Sampling
from trainaway.core.records import EvalSet, Item, Outcome, Pool, ScoreSpec
from trainaway.core.stats import summarise

Generate = Callable[[list[list[dict]], Sampling], list[list[Completion]]]
Scorer = Callable[[list[Item], list[str]], list[Outcome]]
ANSWER_FIELDS = ("question", "answer_matching_behavior", "answer_not_matching_behavior")
TRUNCATED = "truncated"


def conversation(item: Item) -> list[dict]:
    return [{"role": "user", "content": item.prompt}]


def flag_truncated(outcome: Outcome, completion: Completion) -> Outcome:
    """A truncated sample keeps its response but none of its scores."""
    if not completion.truncated:
        return replace(outcome, scores={**outcome.scores, TRUNCATED: False})
    return replace(outcome, scores={**{k: None for k in outcome.scores}, TRUNCATED: True})


def sample_and_score(generate: Generate, sets: Sequence[EvalSet], scorer: Scorer,
                     sampling: Sampling, limits: Mapping[str, int] | None = None
                     ) -> dict[str, list[Outcome]]:
    """Each item of each set sampled `set.samples` times (one sample per generation job); one
    generation call per token limit and one scoring batch: fewest batches, least overhead."""
    limits = limits or {}
    flat = [(s.name, item) for s in sets for item in s.items for _ in range(s.samples)]
    limit_of = {s.name: limits.get(s.name, limits.get(s.tags.get("kind"),
                                                     sampling.max_new_tokens)) for s in sets}
    completions: list[Completion | None] = [None] * len(flat)
    for limit in sorted(set(limit_of.values())):
        at = [i for i, (name, _) in enumerate(flat) if limit_of[name] == limit]
        out = generate([conversation(flat[i][1]) for i in at],
                       replace(sampling, n=1, max_new_tokens=limit))
        for i, c in zip(at, out):
            completions[i] = c[0]
    outcomes = scorer([item for _, item in flat], [c.text for c in completions])
    grouped: dict[str, list[Outcome]] = {s.name: [] for s in sets}
    for (name, _), outcome, c in zip(flat, outcomes, completions):
        grouped[name].append(flag_truncated(outcome, c))
    return grouped


def summarise_sets(grouped: Mapping[str, list[Outcome]], sets: Sequence[EvalSet],
                   pools: Sequence[Pool], specs: Mapping[str, ScoreSpec]) -> dict:
    """{"rates": {set: {score: rate}}, "shares": {set: {score: {label: rate}}}, "sets": {set:
    tags}, "pools": {pool: [member sets]}, "truncated": {set: samples}} for every set and
    every pool with members. A set's
    kind tag picks its score spec; a pool takes the spec of its members' kind."""
    tags = {s.name: dict(s.tags) for s in sets}
    out = {"rates": {}, "shares": {}, "sets": tags, "pools": {}}
    groups = {name: (grouped[name], tags[name]["kind"]) for name in tags}
    for pool in pools:
        members = pool.members(tags)
        if members:
            kinds = {tags[m]["kind"] for m in members}
            if len(kinds) != 1:
                raise ValueError(f"pool {pool.name!r} mixes item kinds {sorted(kinds)}")
            out["pools"][pool.name] = members
            groups[pool.name] = ([o for m in members for o in grouped[m]], kinds.pop())
    out["truncated"] = {}
    for name, (outcomes, kind) in groups.items():
        out["rates"][name], out["shares"][name] = summarise(outcomes, specs[kind])
        out["truncated"][name] = sum(bool(o.scores.get(TRUNCATED)) for o in outcomes)
    return out


def answer_prompt(tokenizer, item: dict) -> list[int]:
    return encode(tokenizer, render(tokenizer, [{"role": "user", "content": item["question"]}],
                                    add_generation_prompt=True))


def answer_sequences(tokenizer, items: list[dict]) -> tuple[list[list[int]], list[list[int]]]:
    """(prompt + first token of the matching answer, prompt + that of the other) per item:
    what a backend that scores token sequences (vLLM's prompt_logprobs) reads."""
    prompts = [answer_prompt(tokenizer, it) for it in items]
    return ([p + [first_token(tokenizer, it["answer_matching_behavior"])]
             for p, it in zip(prompts, items)],
            [p + [first_token(tokenizer, it["answer_not_matching_behavior"])]
             for p, it in zip(prompts, items)])


def answer_probabilities(model, tokenizer, items: list[dict], batch_size: int = 64) -> list[float]:
    """P(answer_matching_behavior) / P(either answer) from the first answer token's logits
    after the chat prompt (the original evals score first-token probability the same way)."""
    import torch
    scores = []
    tokenizer.padding_side = "left"
    with torch.no_grad():
        for start in range(0, len(items), batch_size):
            batch = items[start:start + batch_size]
            enc = tokenizer.pad({"input_ids": [answer_prompt(tokenizer, it) for it in batch]},
                                return_tensors="pt").to(model.device)
            logprobs = model(**enc).logits[:, -1, :].float().log_softmax(-1)
            for row, it in zip(logprobs, batch):
                match = row[first_token(tokenizer, it["answer_matching_behavior"])]
                other = row[first_token(tokenizer, it["answer_not_matching_behavior"])]
                scores.append(float(torch.sigmoid(match - other)))
    return scores


def first_token(tokenizer, answer: str) -> int:
    return tokenizer.encode(answer.strip(), add_special_tokens=False)[0]
