"""What a model is asked, what it answered and how that was scored: open records.

- An **item** is anything with an `id`, a `kind`, a `prompt` and `to_dict()`. Experiments
  register their item classes by kind (`register_kind`); `item_from_dict` rebuilds any of them
  from its JSON, so no code downstream needs to know which kinds exist.
- An **outcome** carries the ids, the prompt, the response and a `scores` mapping (name ->
  bool, str or None), in the spirit of inspect_ai's `Score`: an experiment chooses its score
  names, and summaries (`trainaway.core.stats.summarise`) work for any of them. None means
  "not applicable" (e.g. a pass rate among honest answers, for a hack) and is left out of rates.
- An **eval set** is data: a name, items and tags (distance near/far, cue, family, domain,
  ...). Pooled sets are derived from tags (`Pool`), never by parsing names.
"""
from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from typing import Any, Mapping, Protocol, Sequence


class Item(Protocol):
    id: str
    kind: str

    @property
    def prompt(self) -> str: ...

    def to_dict(self) -> dict: ...


KINDS: dict[str, type] = {}


def register_kind(name: str):
    """Class decorator: items whose dict has `"kind": name` are rebuilt with `cls.from_dict`."""
    def register(cls):
        KINDS[name] = cls
        return cls
    return register


def item_from_dict(d: Mapping[str, Any]) -> Item:
    if not isinstance(d, Mapping):
        raise ValueError(f"expected an item (a JSON object), got {type(d).__name__}")
    kind = d.get("kind")
    if kind not in KINDS:
        raise ValueError(f"unknown item kind {kind!r}; known: {sorted(KINDS)}")
    cls = KINDS[kind]
    if is_dataclass(cls):  # say which field is missing, not a TypeError from the constructor
        missing = [f.name for f in fields(cls) if f.name not in d and f.default is MISSING
                   and f.default_factory is MISSING]
        if missing:
            raise ValueError(f"{kind} item {d.get('id', '')!r} is missing field(s) "
                             f"{', '.join(missing)}")
    return cls.from_dict(d)


@dataclass(frozen=True)
class Outcome:
    item_id: str
    prompt: str
    response: str
    scores: Mapping[str, Any]

    def __getitem__(self, name: str) -> Any:
        return self.scores[name]

    def to_dict(self) -> dict:
        return {"item_id": self.item_id, "prompt": self.prompt, "response": self.response,
                "scores": dict(self.scores)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Outcome":
        return cls(d["item_id"], d["prompt"], d["response"], d["scores"])


@dataclass(frozen=True)
class ScoreSpec:
    """What a scorer produces for one item kind: boolean scores summarised as rates, and
    categorical scores summarised as the share of each label."""
    rates: tuple[str, ...]
    categories: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


Tags = Mapping[str, str]


def matches(tags: Tags, query: Mapping[str, str | Sequence[str]]) -> bool:
    """Every queried tag has the given value (or one of the given values)."""
    for key, want in query.items():
        have = tags.get(key)
        if have != want and not (not isinstance(want, str) and have in want):
            return False
    return True


@dataclass(frozen=True)
class EvalSet:
    name: str
    items: Sequence[Item]
    tags: Tags
    samples: int = 1  # samples per item


@dataclass(frozen=True)
class Pool:
    """A pooled set: every eval set whose tags match `query`, outcomes concatenated."""
    name: str
    query: Mapping[str, str | Sequence[str]]

    def members(self, tags_by_set: Mapping[str, Tags]) -> list[str]:
        return [name for name, tags in tags_by_set.items() if matches(tags, self.query)]


def select(sets: Sequence[EvalSet], **query) -> list[EvalSet]:
    return [s for s in sets if matches(s.tags, query)]
