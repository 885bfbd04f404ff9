"""Integrity: evaluation never sees training items, and eval files are well formed.

Prompts are compared after normalisation (case, whitespace, the review cue removed), so a
held-out task that differs from a training one only by the cue still counts as a leak.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from trainaway.jsonl import read_jsonl
from trainaway.tasks import REVIEW_CUE

PERSONA_FIELDS = ("question", "statement", "answer_matching_behavior",
                  "answer_not_matching_behavior")
YES_NO = {" Yes", " No"}
AB_FIELDS = ("question", "answer_matching_behavior", "answer_not_matching_behavior")


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


def persona_problems(path: Path) -> list[str]:
    """Anthropic persona format: fields present, answers among Yes/No, no duplicate questions."""
    problems, seen = [], {}
    for lineno, row in enumerate(read_jsonl(path), 1):
        missing = [f for f in PERSONA_FIELDS if f not in row]
        if missing:
            problems.append(f"{path}:{lineno}: missing {', '.join(missing)}")
            continue
        answers = {row["answer_matching_behavior"], row["answer_not_matching_behavior"]}
        if answers != YES_NO:
            problems.append(f"{path}:{lineno}: answers must be ' Yes' and ' No', got {sorted(answers)}")
        if row["question"] in seen:
            problems.append(f"{path}:{lineno}: duplicate of line {seen[row['question']]}")
        seen.setdefault(row["question"], lineno)
    return problems


CHOICE = re.compile(r"\(([A-Z])\)")


def ab_problems(path: Path) -> list[str]:
    """A/B items (CAA's JSON list, or Anthropic's advanced-ai-risk JSONL with " (A)"-style
    answers): fields present, both answers among the question's choices, no duplicates."""
    if path.suffix == ".json":
        items = json.loads(path.read_text())
        if not isinstance(items, list):
            return [f"{path}: expected a JSON list of items"]
        where = [f"{path}: item {i}" for i in range(len(items))]
    else:
        items = read_jsonl(path)
        where = [f"{path}:{i}" for i in range(1, len(items) + 1)]
    problems, seen = [], {}
    for at, row in zip(where, items):
        missing = [f for f in AB_FIELDS if not isinstance(row, dict) or f not in row]
        if missing:
            problems.append(f"{at}: missing {', '.join(missing)}")
            continue
        choices = set(CHOICE.findall(row["question"]))
        for field in AB_FIELDS[1:]:
            answer = CHOICE.fullmatch(str(row[field]).strip())
            if not answer or answer.group(1) not in choices:
                problems.append(f"{at}: {field} {row[field]!r} is not one of the choices "
                                f"{sorted(choices)}")
        if row["question"] in seen:
            problems.append(f"{at}: duplicate of {seen[row['question']]}")
        seen.setdefault(row["question"], at)
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
