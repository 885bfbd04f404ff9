"""Public eval-file formats, checked: problems are reported at file:line, never as tracebacks.

- Anthropic model-written evals, persona/*.jsonl: `question`, `statement`, and
  `answer_matching_behavior` / `answer_not_matching_behavior`, each " Yes" or " No" (leading
  space, as in the original files).
- A/B items: CAA's JSON list (answers "(A)") or Anthropic's advanced-ai-risk JSONL (answers
  " (A)"): both answers must be among the question's choices.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from trainaway.core.io import read_jsonl

PERSONA_FIELDS = ("question", "statement", "answer_matching_behavior",
                  "answer_not_matching_behavior")
YES_NO = {" Yes", " No"}
AB_FIELDS = ("question", "answer_matching_behavior", "answer_not_matching_behavior")


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
