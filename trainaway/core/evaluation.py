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
    """P(answer_matching_behavior) / P(either answer) from the first answer token's logits
    after the chat prompt (the original evals score first-token probability the same way)."""
    import torch
    scores = []
    tokenizer.padding_side = "left"
    with torch.no_grad():
        for start in range(0, len(items), batch_size):
            batch = items[start:start + batch_size]
            prompts = [tokenizer.apply_chat_template([{"role": "user", "content": it["question"]}],
                                                     add_generation_prompt=True, tokenize=False)
                       for it in batch]
            enc = tokenizer(prompts, return_tensors="pt", padding=True,
                            add_special_tokens=False).to(model.device)
            logprobs = model(**enc).logits[:, -1, :].float().log_softmax(-1)
            for row, it in zip(logprobs, batch):
                match = row[first_token(tokenizer, it["answer_matching_behavior"])]
                other = row[first_token(tokenizer, it["answer_not_matching_behavior"])]
                scores.append(float(torch.sigmoid(match - other)))
    return scores


def first_token(tokenizer, answer: str) -> int:
    return tokenizer.encode(answer.strip(), add_special_tokens=False)[0]


def text_logprobs(model, tokenizer, texts: list[str], batch_size: int = 128) -> list[float]:
    """log p(text) of each whole text under the model (no chat template). Texts that differ
    only in their last words compare their endings, whatever the tokenizer does at the seam
    (a word's trailing or leading space), since the shared part scores alike."""
    import torch
    tokenizer.padding_side = "right"
    scores = []
    with torch.no_grad():
        for start in range(0, len(texts), batch_size):
            enc = tokenizer(texts[start:start + batch_size], return_tensors="pt", padding=True)
            enc = enc.to(model.device)
            logprobs = model(**enc).logits[:, :-1].float().log_softmax(-1)
            target = enc["input_ids"][:, 1:]
            picked = logprobs.gather(-1, target.unsqueeze(-1)).squeeze(-1)
            scores += (picked * enc["attention_mask"][:, 1:]).sum(-1).tolist()
    return scores
