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
from trainaway.core.io import DataError
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


def answer_prompt(tokenizer, item: dict) -> tuple[list[int], list[int]]:
    """(the chat prompt and the answers' shared start, as token ids; each answer's next token
    after it, the matching answer first): where the answers are told apart."""
    shared, candidates = distinguishing_tokens(tokenizer, item)
    prompt = render(tokenizer, [{"role": "user", "content": item["question"]}],
                    add_generation_prompt=True)
    return encode(tokenizer, prompt + shared), candidates


def answer_sequences(tokenizer, items: list[dict]) -> list[list[list[int]]]:
    """Per item, prompt + each candidate token (the matching answer's first): what a backend
    that scores token sequences (vLLM's prompt_logprobs) reads."""
    return [[prompt + [c] for c in candidates]
            for prompt, candidates in (answer_prompt(tokenizer, it) for it in items)]


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
            prompts, candidates = zip(*(answer_prompt(tokenizer, it)
                                        for it in items[start:start + batch_size]))
            enc = tokenizer.pad({"input_ids": list(prompts)}, return_tensors="pt").to(model.device)
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
