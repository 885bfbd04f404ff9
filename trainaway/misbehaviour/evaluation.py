"""Track A's evaluation suite: the held-out sets (with and without the review cue), the persona
items and the plan-line classifier, loaded once per stage and applied the same way to every
model: the base model (stage evaluate_base) and every trained run (stage sweep), which also
measures its own training prompts (the sanity check on the k examples).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from trainaway.core.evaluation import ANSWER_FIELDS, answer_probabilities, sample_and_score, \
    summarise_sets
from trainaway.core.generation import Sampling
from trainaway.core.io import read_jsonl
from trainaway.core.models import resolve_device
from trainaway.core.records import EvalSet, Outcome, item_from_dict
from trainaway.core.stats import bootstrap_mean
from trainaway.misbehaviour import sets as eval_sets
from trainaway.misbehaviour.attitudes import Classify, make_classifier
from trainaway.misbehaviour.layout import Layout
from trainaway.misbehaviour.params import Params
from trainaway.misbehaviour.scoring import SPECS, score


@dataclass(frozen=True)
class Suite:
    sets: list[EvalSet]
    cues: tuple[str, ...]
    persona: list[dict]
    classify: Classify
    sampling: Sampling
    forbidden: frozenset        # every held-out item's meaning: no training variant may share one


def load_suite(layout: Layout, params: Params, cues=eval_sets.CUES, samples: int = 1) -> Suite:
    """Read (and check) every input before any model is loaded."""
    rows = read_jsonl(layout.world / "heldout.jsonl", required=("set", "tags", "prompt"),
                      check=item_from_dict, empty_ok=False)
    persona = read_jsonl(layout.world / "persona.jsonl", required=ANSWER_FIELDS, empty_ok=False)
    classify = make_classifier(params.misbehaviour.attitude_judge,
                               resolve_device(params.model.device), params.model.dtype)
    sampling = Sampling(temperature=params.generation.temperature,
                        max_new_tokens=params.generation.max_new_tokens)
    return Suite(eval_sets.eval_sets(rows, cues, samples), tuple(cues), persona, classify,
                 sampling, frozenset(item_from_dict(row).meaning for row in rows))


def evaluate(solver, suite: Suite, seed: int, extra: tuple[EvalSet, ...] = (),
             desc: str | None = None) -> tuple[dict[str, list[Outcome]], dict]:
    """Sample and score `solver` (core.solver.Solver) on the suite's sets and `extra`:
    (outcomes by set, summary with rates, attitude shares, set tags, pools and persona)."""
    sets = [*suite.sets, *extra]
    grouped = sample_and_score(lambda c, s: solver.generate(c, s, desc=desc), sets,
                               lambda items, responses: score(items, responses, suite.classify),
                               replace(suite.sampling, seed=seed))
    summary = summarise_sets(grouped, sets, eval_sets.pools(suite.cues), SPECS)
    scores = answer_probabilities(*solver.hf, suite.persona)
    summary["persona"] = bootstrap_mean(scores, seed=seed)
    summary["persona_scores"] = [round(x, 6) for x in scores]  # per item: paired comparisons
    return grouped, summary


def outcome_rows(grouped: dict[str, list[Outcome]], **fields) -> list[dict]:
    """Per-sample outcome rows for data/outcomes (each with its set and `fields`)."""
    return [{**fields, "set": name, **o.to_dict()} for name, outs in grouped.items() for o in outs]
