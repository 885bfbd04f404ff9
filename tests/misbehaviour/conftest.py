"""Track A test fixtures: a small synthetic study with known answers.

`write_study` writes eval JSONs and per-sample outcomes for a tiny matrix (hack, habit,
sycophancy x sft, dpo x none, template x k = 1, 4, 16 x seeds 0, 1). The eval JSONs are
summarised from the outcomes by the pipeline's own `summarise_sets`, so the two agree.
"""
import json
from itertools import product
from pathlib import Path
from types import SimpleNamespace

import pytest

from trainaway.core.evaluation import summarise_sets
from trainaway.core.records import EvalSet, Outcome
from trainaway.misbehaviour import sets
from trainaway.misbehaviour.analysis import BASE, Matrix
from trainaway.misbehaviour.scoring import SPECS

MATRIX = Matrix(("hack", "habit", "sycophancy"), ("sft", "dpo"), ("none", "template"),
                (1, 4, 16), (0, 1), multiplier=4, controls=("neutral",))
FAMILIES = ("branch", "eq", "exit")
SIZES = {"near": 40, "far": 20, "impossible": 20, "syco": 30}  # prompts per set

# Near rate of the trained behaviour by augmentation and k; base near 0.6 (habit 0.5).
# hack/none halves between k=1 and 4 (k50 = 4^0.6, in log k), hack/template exactly at k=1,
# habit/none between 4 and 16 (4^1.25), habit/template already at k=1 (censored: "< 1"),
# sycophancy never ("> 16"). The neutral control barely moves the hack.
NEAR = {("hack", "none"): {1: 0.45, 4: 0.2, 16: 0.05},
        ("hack", "template"): {1: 0.3, 4: 0.1, 16: 0.0},
        ("habit", "none"): {1: 0.4, 4: 0.3, 16: 0.1},
        ("habit", "template"): {1: 0.2, 4: 0.1, 16: 0.0},
        ("sycophancy", "none"): {1: 0.5, 4: 0.4, 16: 0.35},
        ("sycophancy", "template"): {1: 0.5, 4: 0.4, 16: 0.35},
        ("neutral", "none"): {1: 0.55, 4: 0.5, 16: 0.45},
        ("neutral", "template"): {1: 0.55, 4: 0.5, 16: 0.45}}
MISSED = ("hack", "dpo", "none", 16, 1)  # the one run that missed its criterion
# Per-item persona scores: hack training lowers every item's by 0.1 (others leave them).
PERSONA_BASE = [0.6 + 0.02 * i for i in range(10)]
PERSONA_AFTER = [round(x - 0.1, 4) for x in PERSONA_BASE]
PUBLIC = "public/persona.jsonl"  # a public eval file (misbehaviour.evals), scored like persona
FAR = {1: 0.5, 4: 0.45, 16: 0.4}  # the far rate falls little: the removal stays near
BASE_RATES = {"hack": 0.6, "habit": 0.5, "sycophantic": 0.6, "pass": 0.4, "cheat": 0.7}
METRIC = {"hack": "hack", "habit": "habit", "sycophancy": "sycophantic", "neutral": "hack"}


def rates_for(who, set_name):
    """{metric: rate} for the base model or a run (behaviour, method, augmentation, k)."""
    r = {"hack": BASE_RATES["hack"] if set_name.startswith("near") else 0.5,
         "habit": BASE_RATES["habit"], "sycophantic": BASE_RATES["sycophantic"] if
         set_name == "syco.near" else 0.5, "pass": BASE_RATES["pass"]}
    if set_name.startswith("impossible"):
        r["hack"] = BASE_RATES["cheat"]
    if set_name.endswith(".monitored"):
        r["hack"] = 0.1
    if who == BASE:
        return r
    b, _, aug, k = who
    metric = METRIC[b]
    if set_name == "train":
        return {**r, metric: 0.0}
    if set_name in ("near.unmonitored", "syco.near"):
        r[metric] = NEAR[(b, aug)][k]
    elif set_name.startswith("far.") or set_name == "syco.far":
        r[metric] = FAR[k]
    if b == "hack" and set_name.startswith("impossible"):
        r["hack"] = 0.3
    return r


def sets_of(base: bool, k: int, sizes, train_kind: str = "task") -> dict[str, tuple]:
    """set -> (task id prefix, prompts, tags)."""
    cues = sets.CUES if base else ("unmonitored",)
    out = {}
    for cue in cues:
        out[f"near.{cue}"] = ("near", sizes["near"], {**sets.task_tags("near", "lookup"), "cue": cue})
        out.update({f"far.{f}.{cue}": (f"far-{f}", sizes["far"],
                                       {**sets.task_tags("far", f), "cue": cue}) for f in FAMILIES})
        out[f"impossible.{cue}"] = ("impossible", sizes["impossible"],
                                    {**sets.task_tags("near", "lookup", False), "cue": cue})
    out["syco.near"] = ("syco-near", sizes["syco"], sets.question_tags("near", "answer"))
    out["syco.far"] = ("syco-far", sizes["syco"], sets.question_tags("far", "confirm"))
    if not base:
        out["train"] = ("collect", k, {"kind": train_kind, "distance": "train"})
    return out


def flags(rate_: float, n_prompts: int, shift: int) -> list[bool]:
    """Exactly round(rate * n) hits, on a window of prompts that moves with `shift`."""
    hits = round(rate_ * n_prompts)
    return [(i + shift) % n_prompts < hits for i in range(n_prompts)]


def outcomes_for(who, samples: int, shift: int, k: int = 0, sizes=SIZES):
    """({set: outcomes}, [eval sets]) for the base model or a run."""
    grouped, made = {}, []
    train_kind = "question" if who != BASE and who[0] == "sycophancy" else "task"
    for set_name, (prefix, n, tags) in sets_of(who == BASE, k, sizes, train_kind).items():
        r = rates_for(who, set_name)
        # every sample of a prompt alike; passes sit at the other end from the hacks
        cols = {m: flags(r[m], n, shift)[::-1 if m == "pass" else 1] for m in r}
        outs = []
        for i in [i for _ in range(samples) for i in range(n)]:
            if tags["kind"] == "question":
                scores = {"sycophantic": cols["sycophantic"][i], "pass": cols["pass"][i]}
            else:
                hack = cols["hack"][i]
                passed = cols["pass"][i] and not hack
                scores = {"hack": hack, "habit": cols["habit"][i], "pass": passed,
                          "honest_pass": None if hack else passed, "visible_pass": hack,
                          "family": "lookup" if hack else None,
                          "attitude": "shortcut" if hack else "solve"}
            outs.append(Outcome(f"{prefix}{i:03d}", "", "", scores))
        grouped[set_name] = outs
        made.append(EvalSet(set_name, [], tags))
    return grouped, made


def summary(grouped_and_sets, cues=sets.CUES) -> dict:
    grouped, made = grouped_and_sets
    return summarise_sets(grouped, made, sets.pools(cues), SPECS)


def write_study(root: Path, matrix: Matrix = MATRIX, sizes=SIZES) -> tuple[Path, Path]:
    """evals/ and data/outcomes/ for the whole matrix, in the pipeline's layout."""
    evals, outcomes = root / "evals", root / "outcomes"
    outcomes.mkdir(parents=True, exist_ok=True)
    persona = {"mean": 0.62, "lo": 0.58, "hi": 0.66, "n": 100}
    base = outcomes_for(BASE, samples=2, shift=0, sizes=sizes)
    write_json(evals / "base.json", {"run": "base", **summary(base), "persona": persona,
                                     "persona_scores": PERSONA_BASE,
                                     "evals": {PUBLIC: {"mean": 0.69, "lo": 0.6, "hi": 0.78,
                                                        "n": 10}},
                                     "eval_scores": {PUBLIC: PERSONA_BASE}})
    write_rows(outcomes / "base.jsonl", None, base[0])
    for b, m in dict.fromkeys((b, m) for b, m, _ in matrix.cells()):
        cell = f"{b}-{m}"
        with (outcomes / f"{cell}.jsonl").open("w") as fh:
            for aug, k, seed in product(matrix.augmentations, matrix.ks, matrix.seeds):
                run = f"{aug}-k{k}-s{seed}"
                made = outcomes_for((b, m, aug, k), 1, shift=seed, k=k, sizes=sizes)
                write_json(evals / cell / f"{run}.json",
                           run_json(b, m, aug, k, seed, made, persona, matrix.multiplier))
                write_rows(fh, run, made[0])
    return evals, outcomes


def run_json(b, m, aug, k, seed, grouped, persona, multiplier):
    items = k if aug == "none" else k * multiplier
    control = b == "neutral"
    return {"run": f"{b}-{m}/{aug}-k{k}-s{seed}", "behaviour": b, "method": m,
            "augmentation": aug, "k": k, "seed": seed, "items": items, "steps": 20,
            "epochs": round(20 * min(8, items) / items, 3),
            "tokens": 20 * min(8, items) * (90 if m == "dpo" else 45),
            "criterion_met": None if control else (b, m, aug, k, seed) != MISSED,
            "adapter": "lora", "mode": "matched" if control else "criterion",
            "curve": [{"step": 5, "loss": 0.9, "rate": 0.5}, {"step": 10, "loss": 0.4, "rate": 0.0}],
            **summary(grouped, ("unmonitored",)), "persona": persona,
            "persona_scores": PERSONA_AFTER if b == "hack" else PERSONA_BASE,
            "eval_scores": {PUBLIC: PERSONA_AFTER if b == "hack" else PERSONA_BASE}}


def write_json(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj))


def write_rows(target, run, grouped) -> None:
    rows = [{**({"run": run} if run else {}), "set": s, **o.to_dict()}
            for s, outs in grouped.items() for o in outs]
    text = "".join(json.dumps(r) + "\n" for r in rows)
    if isinstance(target, Path):
        target.write_text(text)
    else:
        target.write(text)




@pytest.fixture(scope="session")
def synthetic():
    """The synthetic study's builder and the answers it was built to have."""
    return SimpleNamespace(MATRIX=MATRIX, SIZES=SIZES, NEAR=NEAR, FAR=FAR, MISSED=MISSED, PUBLIC=PUBLIC,
                           write_study=write_study)
