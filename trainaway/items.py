"""What a model is asked: code tasks (reward hacking, the habit) and questions (sycophancy).

Both have an `id`, a `prompt`, `monitored` and `to_dict()`; a dict's `kind` says which."""
from __future__ import annotations

from trainaway.questions import Question
from trainaway.tasks import Task

Item = Task | Question


def item_from_dict(d: dict) -> Item:
    return Question.from_dict(d) if d.get("kind") == "question" else Task.from_dict(d)
