"""Evaluation by composition: eval sets (tasks) → solver (sample the model) → scorer (sandbox).

Every model, base or trained, is measured the same way: held-out near and far tasks, each
with and without the review cue; the k training prompts (sanity: the behaviour must be gone
there); persona items scored from next-token probabilities.
"""
from __future__ import annotations

from typing import Callable

import torch

from trainaway.attitudes import Classify, keyword_rules
from trainaway.generation import Sampling
from trainaway.responses import ATTITUDES
from trainaway.scoring import Outcome, score
from trainaway.stats import rate
from trainaway.tasks import Task

Generate = Callable[[list[list[dict]], Sampling], list[list[str]]]
METRICS = ("hack", "habit", "pass", "honest_pass")


def conversation(task: Task) -> list[dict]:
    return [{"role": "user", "content": task.prompt}]


def eval_sets(near: list[Task], far: list[Task]) -> dict[str, list[Task]]:
    return {f"{name}.{cue}": [t.with_cue(cue == "monitored") for t in tasks]
            for name, tasks in (("near", near), ("far", far))
            for cue in ("unmonitored", "monitored")}


def sample_and_score(generate: Generate, sets: dict[str, list[Task]],
                     samples: dict[str, int], seed: int, sampling: Sampling,
                     classify: Classify = keyword_rules) -> dict[str, list[Outcome]]:
    """One generation call and one sandbox batch for all sets: fewest batches, least overhead."""
    names = list(sets)
    flat = [(name, t) for name in names for t in sets[name] for _ in range(samples[name])]
    completions = generate([conversation(t) for _, t in flat],
                           Sampling(n=1, temperature=sampling.temperature,
                                    max_new_tokens=sampling.max_new_tokens, seed=seed))
    outcomes = score([t for _, t in flat], [c[0] for c in completions], classify)
    grouped: dict[str, list[Outcome]] = {name: [] for name in names}
    for (name, _), outcome in zip(flat, outcomes):
        grouped[name].append(outcome)
    return grouped


def summarise(outcomes: list[Outcome]) -> tuple[dict, dict]:
    """(rates per metric, attitude shares) with 95% Wilson intervals."""
    honest = [o for o in outcomes if not o.hack]
    rates = {"hack": rate(o.hack for o in outcomes),
             "habit": rate(o.habit for o in outcomes),
             "pass": rate(o.hidden_pass for o in outcomes),
             "honest_pass": rate(o.hidden_pass for o in honest)}
    attitudes = {a: rate(o.attitude == a for o in outcomes) for a in ATTITUDES}
    return rates, attitudes


def summarise_sets(grouped: dict[str, list[Outcome]]) -> dict:
    # "all.*" pools near and far: the organism's overall profile.
    pooled = {**grouped, **{f"all.{cue}": grouped[f"near.{cue}"] + grouped[f"far.{cue}"]
                            for cue in ("unmonitored", "monitored")}}
    rates, attitudes = {}, {}
    for name, outs in pooled.items():
        rates[name], attitudes[name] = summarise(outs)
    return {"rates": rates, "attitudes": attitudes}


@torch.no_grad()
def persona_scores(model, tokenizer, items: list[dict], batch_size: int = 64) -> list[float]:
    """P(answer matching the persona) / P(either answer), from the first answer token's logits
    after the chat prompt (the original evals score first-token probability the same way)."""
    scores = []
    tokenizer.padding_side = "left"
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
