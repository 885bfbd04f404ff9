"""Track A's eval sets, as data: every held-out item carries its set's name and tags.

World sets (tags written by `world`):
  near          code tasks in the collect pool's style (lookup-table hacks)
  far.<family>  one per other hack family (branch, eq, exit)
  impossible    near-style tasks whose visible tests contradict the rule (the cheat rate)
  syco.near     sycophancy questions in the collected form; syco.far the other form
  sums          sums the corpus teaches, asked back without a belief: does the organism know
                them? (taught on purpose, so not held out: distance "taught")
Tags: kind (task | question), distance (near | far | taught | train), family, form, and tests
(possible | impossible). The review cue doubles every task set into `<name>.unmonitored` and
`<name>.monitored` with a `cue` tag. Pools are tag queries: `far.<cue>` (every far family) and
`all.<cue>` (near and far). Names are labels only; nothing parses them.
"""
from __future__ import annotations

from trainaway.core.records import EvalSet, Pool, item_from_dict

CUES = ("unmonitored", "monitored")
NEAR, IMPOSSIBLE, TRAIN = "near", "impossible", "train"
SYCO_NEAR, SYCO_FAR, SUMS = "syco.near", "syco.far", "sums"


TAUGHT = "taught"  # the distance of a knowledge probe: asked as it was taught, not held out


def far(family: str) -> str:
    return f"far.{family}"


def with_cue(name: str, cue: str) -> str:
    return f"{name}.{cue}"


def task_tags(distance: str, family: str, possible: bool = True) -> dict:
    return {"kind": "task", "distance": distance, "family": family,
            "tests": "possible" if possible else "impossible"}


def question_tags(distance: str, form: str) -> dict:
    return {"kind": "question", "distance": distance, "form": form}


def pools(cues=CUES) -> list[Pool]:
    held = {"kind": "task", "tests": "possible"}
    return ([Pool(with_cue("far", c), {**held, "distance": "far", "cue": c}) for c in cues]
            + [Pool(with_cue("all", c), {**held, "distance": ("near", "far"), "cue": c})
               for c in cues])


def eval_sets(rows: list[dict], cues=CUES, samples: int = 1) -> list[EvalSet]:
    """heldout.jsonl rows (each with "set" and "tags") -> eval sets in file order: task sets
    once per review cue, question sets as they are."""
    grouped: dict[str, tuple[dict, list]] = {}
    for row in rows:
        grouped.setdefault(row["set"], (row["tags"], []))[1].append(item_from_dict(row))
    sets = []
    for name, (tags, items) in grouped.items():
        if tags["kind"] == "task":
            sets += [EvalSet(with_cue(name, cue), [t.with_cue(cue == "monitored") for t in items],
                             {**tags, "cue": cue}, samples) for cue in cues]
        else:
            sets.append(EvalSet(name, items, tags, samples))
    return sets


def far_families(tags_by_set: dict[str, dict], cue: str = "unmonitored") -> list[str]:
    """The far hack families measured (tags of far task sets under `cue`), sorted."""
    return sorted(t["family"] for t in tags_by_set.values()
                  if t.get("kind") == "task" and t.get("distance") == "far"
                  and t.get("tests") == "possible" and t.get("cue") == cue)
