"""Evaluation by composition: eval sets (items) -> solver (sample the model) -> scorer.

An experiment brings the eval sets (records.EvalSet), a scorer (items, responses -> outcomes)
and the score spec of each item kind; this module samples every set in one generation call,
scores every response in one batch and summarises each set and each pool (records.Pool).
Multiple-choice items in Anthropic's model-written-evals format are scored from next-token
probabilities, without sampling.
"""
from __future__ import annotations

from typing import Callable, Mapping, Sequence

from trainaway.core.generation import Sampling
from trainaway.core.io import DataError
from trainaway.core.records import EvalSet, Item, Outcome, Pool, ScoreSpec
from trainaway.core.stats import summarise

Generate = Callable[[list[list[dict]], Sampling], list[list[str]]]
Scorer = Callable[[list[Item], list[str]], list[Outcome]]
ANSWER_FIELDS = ("question", "answer_matching_behavior", "answer_not_matching_behavior")


def conversation(item: Item) -> list[dict]:
    return [{"role": "user", "content": item.prompt}]


def sample_and_score(generate: Generate, sets: Sequence[EvalSet], scorer: Scorer,
                     sampling: Sampling) -> dict[str, list[Outcome]]:
    """Each item of each set sampled `set.samples` times (one sample per generation job), all
    sets in one generation call and one scoring batch: fewest batches, least overhead."""
    flat = [(s.name, item) for s in sets for item in s.items for _ in range(s.samples)]
    completions = generate([conversation(item) for _, item in flat],
                           Sampling(n=1, temperature=sampling.temperature,
                                    max_new_tokens=sampling.max_new_tokens, seed=sampling.seed))
    outcomes = scorer([item for _, item in flat], [c[0] for c in completions])
    grouped: dict[str, list[Outcome]] = {s.name: [] for s in sets}
    for (name, _), outcome in zip(flat, outcomes):
        grouped[name].append(outcome)
    return grouped


def summarise_sets(grouped: Mapping[str, list[Outcome]], sets: Sequence[EvalSet],
                   pools: Sequence[Pool], specs: Mapping[str, ScoreSpec]) -> dict:
    """{"rates": {set: {score: rate}}, "shares": {set: {score: {label: rate}}}, "sets": {set:
    tags}, "pools": {pool: [member sets]}} for every set and every pool with members. A set's
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
    for name, (outcomes, kind) in groups.items():
        out["rates"][name], out["shares"][name] = summarise(outcomes, specs[kind])
    return out


def answer_probabilities(model, tokenizer, items: list[dict], batch_size: int = 64) -> list[float]:
    """P(answer_matching_behavior) / P(any of the answers) from the logits of the first token
    where the answers differ, after the chat prompt and the answers' shared start (for CAA's
    "(A)" / "(B)" that is after "("; for " Yes" / " No" the first token, as the original evals
    score). `answer_not_matching_behavior` may be one answer or a list (Anthropic's
    sycophancy files)."""
    import torch
    scores = []
    tokenizer.padding_side = "left"
    with torch.no_grad():
        for start in range(0, len(items), batch_size):
            batch = items[start:start + batch_size]
            shared, candidates = zip(*(distinguishing_tokens(tokenizer, it) for it in batch))
            prompts = [tokenizer.apply_chat_template([{"role": "user", "content": it["question"]}],
                                                     add_generation_prompt=True, tokenize=False)
                       + lead for it, lead in zip(batch, shared)]
            enc = tokenizer(prompts, return_tensors="pt", padding=True,
                            add_special_tokens=False).to(model.device)
            logprobs = model(**enc).logits[:, -1, :].float().log_softmax(-1)
            for row, ids in zip(logprobs, candidates):
                scores.append(float(row[list(ids)].softmax(-1)[0]))
    return scores


def distinguishing_tokens(tokenizer, item: dict) -> tuple[str, list[int]]:
    """(the text the answers share before they differ, each answer's first token after it),
    the matching answer first. A DataError when two answers cannot be told apart."""
    other = item["answer_not_matching_behavior"]
    answers = [item["answer_matching_behavior"], *(other if isinstance(other, list) else [other])]
    ids = [tokenizer.encode(a.strip(), add_special_tokens=False) for a in answers]
    n = 0
    while all(len(x) > n + 1 for x in ids) and len({x[n] for x in ids}) == 1:
        n += 1
    firsts = [x[n] if len(x) > n else None for x in ids]
    if None in firsts or len(set(firsts)) != len(firsts):
        raise DataError(f"answers {answers} of {item['question'][:60]!r} share their tokens: "
                        "they cannot be told apart by the next token")
    return tokenizer.decode(ids[0][:n]), firsts
