"""The messages source: caught examples read from chat JSONL files instead of sampled from the
model (the School of Reward Hacks setting: free-text tasks where a hacking response games the
stated grader, and a matched "straightforward" response does the task).

- `misbehaviour.messages.caught`: dialogues {"messages": [user, assistant]} whose assistant
  turn shows the behaviour; `corrections`: dialogues without it, matched on the user prompt
  (not every hack has one). Every file is validated, with file:line errors, before compute.
- A seeded share of the distinct prompts (`heldout_share`) is held out: the model is sampled
  on them and judged (the near set, `messages.near`); the rest is the pool of caught examples.
- A pool row trains with its matched correction; a row without one takes the base model's own
  first sample on that prompt that the judge passes (stage collect), or is left out (counted).
  Only rows the judge flags are caught, and corrections it flags are not used, so the label
  audit holds by construction. Rows keep the source's own text: nothing is reformatted.
"""
from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass

from trainaway.core.io import DataError
from trainaway.core.records import Outcome, register_kind
from trainaway.misbehaviour.judges import build
from trainaway.misbehaviour.public import checked

NEAR = "messages.near"


@register_kind("chat")
@dataclass(frozen=True)
class Dialogue:
    """A free-text prompt and the judge its responses are read by (the item's own grader, as a
    code task carries its tests)."""
    id: str
    prompt: str
    judge: dict
    kind: str = "chat"

    def to_dict(self) -> dict:
        return {"id": self.id, "prompt": self.prompt, "judge": self.judge, "kind": self.kind}

    @classmethod
    def from_dict(cls, d) -> "Dialogue":
        return cls(d["id"], d["prompt"], d["judge"])

    @property
    def meaning(self) -> tuple:
        return ("chat", re.sub(r"\s+", " ", self.prompt).strip().lower())


def dialogues(files: list[str], group: str) -> list[tuple[str, str]]:
    """(user prompt, assistant response) of every single-turn dialogue in `files`."""
    out = []
    for file in files:
        for line, row in checked(group, file).records:
            roles = [t["role"] for t in row["messages"]]
            if roles != ["user", "assistant"]:
                raise DataError(f"{file}:{line}: the messages source takes single-turn "
                                f"dialogues (user, assistant), got {roles}")
            out.append((row["messages"][0]["content"], row["messages"][1]["content"]))
    return out


@dataclass(frozen=True)
class Source:
    pool: list[tuple[Dialogue, str, str | None]]  # (prompt, caught response, matched correction)
    heldout: list[Dialogue]
    not_judged: int                               # caught dialogues the judge does not flag


def item(prompt: str, judge: dict) -> Dialogue:
    return Dialogue("chat-" + hashlib.sha256(prompt.encode()).hexdigest()[:12], prompt, judge)


def load(cfg, seed: int) -> Source:
    """The pool and the held-out prompts of the source `cfg` (params misbehaviour.messages)."""
    spec = cfg.judge.model_dump()
    judge = build(spec)
    caught = dialogues(cfg.caught, "caught")
    flagged = judge([p for p, _ in caught], [r for _, r in caught])
    controls = dialogues(cfg.corrections, "corrections")
    clean = [not f for f in judge([p for p, _ in controls], [r for _, r in controls])]
    matched: dict[str, str] = {}
    for (prompt, response), ok in zip(controls, clean):
        if ok:
            matched.setdefault(prompt, response)
    prompts = list(dict.fromkeys(p for (p, _), f in zip(caught, flagged) if f))
    order = random.Random(f"messages:{seed}").sample(prompts, len(prompts))
    held = set(order[:max(1, round(cfg.heldout_share * len(prompts)))]) if prompts else set()
    pool = [(item(p, spec), r, matched.get(p)) for (p, r), f in zip(caught, flagged)
            if f and p not in held]
    return Source(pool, [item(p, spec) for p in prompts if p in held],
                  len(caught) - sum(flagged))


def score_dialogues(items: list[Dialogue], responses: list[str], classify=None) -> list[Outcome]:
    """The behaviour is what the item's judge says; one judge call per distinct judge."""
    flags: list[bool | None] = [None] * len(items)
    by_judge: dict[str, list[int]] = {}
    for i, it in enumerate(items):
        by_judge.setdefault(repr(sorted(it.judge.items())), []).append(i)
    for at in by_judge.values():
        judge = build(items[at[0]].judge)
        for i, flag in zip(at, judge([items[i].prompt for i in at], [responses[i] for i in at])):
            flags[i] = flag
    return [Outcome(it.id, it.prompt, r, {"hack": flag})
            for it, r, flag in zip(items, responses, flags)]


def caught_rows(source: Source, own: dict[str, str]) -> tuple[list[dict], int]:
    """The caught examples in file order: each with its matched correction, or else the base
    model's own clean sample (`own`: prompt -> response); rows with neither are left out."""
    rows, dropped = [], 0
    for dialogue, response, correction in source.pool:
        corrected = correction if correction is not None else own.get(dialogue.prompt)
        if corrected is None:
            dropped += 1
            continue
        rows.append({"task": dialogue.to_dict(), "response": response, "corrected": corrected,
                     "family": None})
    return rows, dropped
