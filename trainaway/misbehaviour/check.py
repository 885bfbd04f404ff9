"""Integrity: evaluation never sees training items, and every training label is what it says.

- **Disjointness on meaning.** A held-out item leaks when a training item *means* the same
  (`meaning`: a task's rule and visible tests, a question's numbers and belief), whatever its
  name, wording, test style, order or review cue; and, as a second net, when its prompt reads
  the same after normalisation (case, whitespace, the cue removed). Checked against the
  corpus, the collect pool, the caught examples and the rows every run trains on (augmented
  variants included).
- **Label audit.** Every training row is graded again: its caught response must show the
  behaviour it was caught for (a control's: be as it selects), its corrected response must
  not, and the two must differ in nothing else the scorer reads (the other behaviours, the
  plan line's attitude).
"""
from __future__ import annotations

import re
from pathlib import Path

from trainaway.core.evalfiles import check_file
from trainaway.core.io import read_jsonl
from trainaway.core.records import item_from_dict
from trainaway.misbehaviour import messages
from trainaway.misbehaviour.scoring import score
from trainaway.misbehaviour.sets import TAUGHT
from trainaway.misbehaviour.tasks import REVIEW_CUE

# What a correction must leave as it was, per item kind (besides the behaviour it removes).
KEPT = {"task": ("habit", "attitude", "hack"), "question": ("sycophantic",), "chat": ()}


def normalise(prompt: str) -> str:
    return re.sub(r"\s+", " ", prompt.replace(REVIEW_CUE, "")).strip().lower()


def leaks(heldout: dict[str, list[dict]], training: dict[str, list[dict]]) -> list[str]:
    """One message per (held-out set, training set) pair that shares an item's meaning or its
    normalised prompt. Items are dicts (with `kind`) as the world writes them."""
    def keys(items):
        return ({item_from_dict(d).meaning for d in items if "kind" in d},
                {normalise(d["prompt"]) for d in items})
    problems = []
    train_keys = {name: keys(items) for name, items in training.items()}
    for h_name, items in heldout.items():
        meanings, prompts = keys(items)
        for t_name, (t_meanings, t_prompts) in train_keys.items():
            for what, shared in (("meaning", meanings & t_meanings), ("prompt", prompts & t_prompts)):
                if shared:
                    problems.append(f"{len(shared)} item(s) of held-out '{h_name}' share their "
                                    f"{what} with '{t_name}', e.g. {sorted(map(str, shared))[0]}")
    return problems


def label_audit(rows: list[dict], behaviour) -> dict:
    """Grade every row's caught and corrected response again. Returns counts and problems."""
    items = [item_from_dict(r["task"]) for r in rows]
    graded = score(items * 2, [r["response"] for r in rows] + [r["corrected"] for r in rows])
    caught, corrected = graded[:len(rows)], graded[len(rows):]
    problems = []
    for row, before, after in zip(rows, caught, corrected):
        where = f"{behaviour.name} row {row['task']['id']!r}"
        if not behaviour.detect(before):
            problems.append(f"{where}: the caught response does not show what it was caught for")
        if behaviour.control:
            if row["corrected"] != row["response"]:
                problems.append(f"{where}: a control's target must be its own response")
            continue
        if behaviour.detect(after):
            problems.append(f"{where}: the corrected response still shows {behaviour.metric}")
        changed = [k for k in KEPT[row["task"]["kind"]] if k != behaviour.metric
                   and before.scores.get(k) != after.scores.get(k)]
        if changed:
            problems.append(f"{where}: the correction also changed {', '.join(changed)}")
    return {"rows": len(rows), "problems": problems}


def check_world(world: Path, collected: Path, trained: dict[str, list[dict]] | None = None,
                held: dict[str, list[dict]] | None = None) -> dict:
    """Held-out sets (heldout.jsonl by set, `held`: sets from elsewhere, persona statements)
    against the corpus, the collect pool, every caught-example file and `trained` (the rows
    runs train on, by name)."""
    heldout: dict[str, list[dict]] = dict(held or {})
    for row in read_jsonl(world / "heldout.jsonl", required=("set", "kind", "prompt")):
        if row.get("tags", {}).get("distance") != TAUGHT:  # a knowledge probe is taught on purpose
            heldout.setdefault(row["set"], []).append(row)
    corpus = read_jsonl(world / "corpus.jsonl", required=("messages",))
    training = {"corpus": [r["item"] for r in corpus if "item" in r],
                "collect": read_jsonl(world / "collect.jsonl", required=("kind", "prompt"))}
    for path in sorted(collected.glob("*.jsonl")):
        training[f"caught:{path.stem}"] = [r["task"] for r in read_jsonl(path, required=("task",))]
    training.update({name: [r["task"] for r in rows] for name, rows in (trained or {}).items()})
    persona_held = {r["statement"] for r in read_jsonl(world / "persona.jsonl")}
    persona_seen = {r["statement"] for r in corpus if r.get("kind") == "persona"}
    persona = check_file(world / "persona.jsonl", "persona")  # ours: a warning is a bug too
    problems = leaks(heldout, training) + persona.problems + persona.warnings
    if persona_held & persona_seen:
        problems.append(f"{len(persona_held & persona_seen)} persona statement(s) held out for "
                        "evaluation appear in the corpus")
    splits = {name: len(v) for name, v in {**heldout, **training}.items()}
    return {"ok": not problems, "splits": splits, "problems": problems}


def integrity(layout, params) -> dict:
    """Stage `check`: the world's disjointness, the rows every run of the matrix trains on
    (each behaviour and control x augmentation x seed, at the largest k: smaller k are their
    prefixes) against the held-out items, and the label audit of those rows."""
    from trainaway.misbehaviour.augment import training_items
    from trainaway.misbehaviour.behaviours import get

    mb = params.misbehaviour
    heldout = read_jsonl(layout.world / "heldout.jsonl", required=("set", "kind", "prompt"))
    forbidden = frozenset(item_from_dict(row).meaning for row in heldout)
    trained, audits = {}, {}
    for name in [*mb.behaviours, *mb.controls]:
        behaviour = get(name)
        caught = read_jsonl(layout.collected / f"{name}.jsonl",
                            required=("task", "response", "corrected"))
        k = min(max(mb.ks), len(caught))  # too few caught: the sweep says so, by name
        rows = []
        for how in mb.augmentations:
            trained[f"train:{name}:{how}"] = [
                row for seed in mb.seeds
                for row in training_items(caught, k, how, mb.augment.multiplier, behaviour,
                                          seed, forbidden)]
            rows += trained[f"train:{name}:{how}"]
        unique = list({(r["task"]["id"], r["response"]): r for r in rows}.values())
        audits[name] = label_audit(unique, behaviour)
    held = {}
    if mb.messages.caught:  # the source's held-out prompts, split as evaluation splits them
        held[messages.NEAR] = [d.to_dict() for d in messages.load(mb.messages,
                                                                   params.seed).heldout]
    result = check_world(layout.world, layout.collected, trained, held)
    result["audit"] = audits
    result["problems"] += [p for a in audits.values() for p in a["problems"]]
    result["ok"] = not result["problems"]
    return result
