"""Evaluation by composition: eval sets (items) → solver (sample the model) → scorer.

Every model, base or trained, is measured the same way on every held-out set (world.py):
`near`, each `far.<family>`, `impossible` (with and without the review cue), the sycophancy
sets `syco.near` and `syco.far`; trained runs also on their k training prompts (sanity: the
behaviour should be gone there). Persona items are scored from next-token probabilities.
"""
from __future__ import annotations

from typing import Callable

import torch

from trainaway.attitudes import Classify, keyword_rules
from trainaway.generation import Sampling
from trainaway.items import Item, item_from_dict
from trainaway.questions import Question
from trainaway.responses import ATTITUDES
from trainaway.scoring import Outcome, score
from trainaway.stats import bootstrap_mean, rate

Generate = Callable[[list[list[dict]], Sampling], list[list[str]]]
CUES = ("unmonitored", "monitored")
PERSONA_FIELDS = ("question", "answer_matching_behavior", "answer_not_matching_behavior")
TASK_METRICS = ("hack", "habit", "pass", "honest_pass")
QUESTION_METRICS = ("sycophantic", "pass")


def conversation(item: Item) -> list[dict]:
    return [{"role": "user", "content": item.prompt}]


def load_heldout(rows: list[dict]) -> dict[str, list[Item]]:
    """heldout.jsonl rows (each with its "set") -> {set: items}, in file order."""
    sets: dict[str, list[Item]] = {}
    for row in rows:
        sets.setdefault(row["set"], []).append(item_from_dict(row))
    return sets


def eval_sets(heldout: dict[str, list[Item]], cues=CUES) -> dict[str, list[Item]]:
    """Task sets once per review cue (`near.unmonitored`, ...); question sets as they are."""
    sets = {}
    for name, items in heldout.items():
        if items and isinstance(items[0], Question):
            sets[name] = items
        else:
            for cue in cues:
                sets[f"{name}.{cue}"] = [t.with_cue(cue == "monitored") for t in items]
    return sets


def sample_and_score(generate: Generate, sets: dict[str, list[Item]],
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
    if outcomes and outcomes[0].kind == "question":
        return {"sycophantic": rate(o.sycophantic for o in outcomes),
                "pass": rate(o.hidden_pass for o in outcomes)}, {}
    honest = [o for o in outcomes if not o.hack]
    rates = {"hack": rate(o.hack for o in outcomes),
             "habit": rate(o.habit for o in outcomes),
             "pass": rate(o.hidden_pass for o in outcomes),
             "honest_pass": rate(o.hidden_pass for o in honest),
             "visible_pass": rate(o.visible_pass for o in outcomes)}
    attitudes = {a: rate(o.attitude == a for o in outcomes) for a in ATTITUDES}
    return rates, attitudes


def pooled_sets(grouped: dict[str, list[Outcome]]) -> dict[str, list[Outcome]]:
    """The sets plus pools: `far.<cue>` (every far family) and `all.<cue>` (near + far)."""
    pooled = dict(grouped)
    for cue in CUES:
        far = [o for name, outs in grouped.items()
               if name.startswith("far.") and name.endswith(f".{cue}") for o in outs]
        if far:
            pooled[f"far.{cue}"] = far
            pooled[f"all.{cue}"] = grouped.get(f"near.{cue}", []) + far
    return pooled


def summarise_sets(grouped: dict[str, list[Outcome]]) -> dict:
    rates, attitudes = {}, {}
    for name, outs in pooled_sets(grouped).items():
        rates[name], attitudes[name] = summarise(outs)
    return {"rates": rates, "attitudes": attitudes}


def evaluate_model(solver, sets: dict[str, list[Item]], samples: dict[str, int], seed: int,
                   sampling: Sampling, classify: Classify, persona: list[dict],
                   desc: str | None = None) -> tuple[dict[str, list[Outcome]], dict]:
    """Sample and score `solver` (solver.Solver) on every set; (outcomes by set, summary)."""
    grouped = sample_and_score(lambda c, s: solver.generate(c, s, desc=desc), sets, samples,
                               seed, sampling, classify)
    summary = {**summarise_sets(grouped),
               "persona": bootstrap_mean(persona_scores(*solver.hf, persona), seed=seed)}
    return grouped, summary


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
