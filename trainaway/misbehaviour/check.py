"""Integrity: evaluation never sees training items, and the persona file is well formed.

Prompts are compared after normalisation (case, whitespace, the review cue removed), so a
held-out task that differs from a training one only by the cue still counts as a leak.
"""
from __future__ import annotations

import re
from pathlib import Path

from trainaway.core.evalfiles import persona_problems
from trainaway.core.io import read_jsonl
from trainaway.misbehaviour.tasks import REVIEW_CUE


def normalise(prompt: str) -> str:
    return re.sub(r"\s+", " ", prompt.replace(REVIEW_CUE, "")).strip().lower()


def leaks(heldout: dict[str, list[str]], training: dict[str, list[str]]) -> list[str]:
    """One message per (held-out set, training set) pair that shares a prompt."""
    problems = []
    train_sets = {name: {normalise(p) for p in prompts} for name, prompts in training.items()}
    for h_name, prompts in heldout.items():
        for t_name, seen in train_sets.items():
            shared = sorted({normalise(p) for p in prompts} & seen)
            if shared:
                problems.append(f"{len(shared)} prompt(s) of held-out '{h_name}' appear in "
                                f"'{t_name}', e.g. {shared[0]!r}")
    return problems


def check_world(world: Path, collected: Path, augmented: dict[str, list[str]] | None = None
                ) -> dict:
    """Held-out sets (heldout.jsonl by set, persona) against the corpus, the collect pool,
    every caught-example file and `augmented` (training prompts after augmentation)."""
    heldout: dict[str, list[str]] = {}
    for row in read_jsonl(world / "heldout.jsonl", required=("set", "prompt")):
        heldout.setdefault(row["set"], []).append(row["prompt"])
    heldout["persona"] = [r["question"] for r in read_jsonl(world / "persona.jsonl")]
    corpus = read_jsonl(world / "corpus.jsonl")
    training = {"corpus": [r["messages"][0]["content"] for r in corpus],
                "collect": [r["prompt"] for r in read_jsonl(world / "collect.jsonl")]}
    for path in sorted(collected.glob("*.jsonl")):
        training[f"train:{path.stem}"] = [r["task"]["prompt"] for r in read_jsonl(path)]
    training.update(augmented or {})
    problems = leaks(heldout, training) + persona_problems(world / "persona.jsonl")
    splits = {name: len(v) for name, v in {**heldout, **training}.items()}
    return {"ok": not problems, "splits": splits, "problems": problems}
