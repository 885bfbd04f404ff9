"""Track A's evaluation suite: the held-out sets (with and without the review cue), the persona
items, the public eval files named in params (misbehaviour.evals; scored like the persona
items), the messages source's held-out prompts (misbehaviour.messages) and the plan-line
classifier, loaded once per stage and applied the same way to every
model: the base model (stage evaluate_base) and every trained run (stage sweep), which also
measures its own training prompts (the sanity check on the k examples).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from trainaway.core.config import Generation
from trainaway.core.evaluation import ANSWER_FIELDS, sample_and_score, summarise_sets
from trainaway.core.generation import Sampling, sampling
from trainaway.core.io import read_jsonl
from trainaway.core.models import resolve_device, tokenizer_facts
from trainaway.core.records import EvalSet, Outcome, item_from_dict
from trainaway.core.stats import bootstrap_mean
from trainaway.misbehaviour import messages
from trainaway.misbehaviour import sets as eval_sets
from trainaway.misbehaviour.attitudes import Classify, make_classifier
from trainaway.misbehaviour.layout import Layout
from trainaway.misbehaviour.params import Params
from trainaway.misbehaviour.public import checked
from trainaway.misbehaviour.scoring import SPECS, score


@dataclass(frozen=True)
class Suite:
    sets: list[EvalSet]
    cues: tuple[str, ...]
    persona: list[dict]         # the generated items ([] with misbehaviour.evals.generated off)
    public: dict[str, list[dict]]  # each public eval file's items, by its path
    classify: Classify
    sampling: Sampling
    generation: Generation
    forbidden: frozenset        # every held-out item's meaning: no training variant may share one


def load_suite(layout: Layout, params: Params, cues=eval_sets.CUES, samples: int = 1) -> Suite:
    """Read (and check) every input before any model is loaded."""
    mb = params.misbehaviour
    rows = read_jsonl(layout.world / "heldout.jsonl", required=("set", "tags", "prompt"),
                      check=item_from_dict, empty_ok=False)
    persona = read_jsonl(layout.world / "persona.jsonl", required=ANSWER_FIELDS,
                         empty_ok=False) if mb.evals.generated else []
    public = {file: [{f: obj[f] for f in ANSWER_FIELDS} for _, obj in checked(group, file).records]
              for group in ("persona", "ab") for file in getattr(mb.evals, group)}
    extra = []
    if mb.messages.caught:
        extra.append(EvalSet(messages.NEAR, messages.load(mb.messages, params.seed).heldout,
                             {"kind": "chat", "distance": "near"}, samples))
    classify = make_classifier(params.misbehaviour.attitude_judge,
                               resolve_device(params.model.device), params.model.dtype,
                               params.model.chat_template_kwargs)
    sets = [*eval_sets.eval_sets(rows, cues, samples), *extra]
    return Suite(sets, tuple(cues), persona, public, classify, sampling(params.generation),
                 params.generation, frozenset(item.meaning for s in sets for item in s.items))


def limits(generation: Generation, sets: list[EvalSet], cues) -> dict[str, int]:
    """Each set's token limit: its own, else its pool's, else its item kind's, else the default
    (generation.max_new_tokens_for)."""
    tags = {s.name: dict(s.tags) for s in sets}
    pools = {s.name: [p.name for p in eval_sets.pools(cues) if s.name in p.members(tags)]
             for s in sets}
    return {s.name: generation.limit_for(s.name, *pools[s.name], s.tags["kind"]) for s in sets}


def evaluate(solver, suite: Suite, seed: int, extra: tuple[EvalSet, ...] = (),
             desc: str | None = None) -> tuple[dict[str, list[Outcome]], dict]:
    """Sample and score `solver` (core.solver.Solver) on the suite's sets and `extra`:
    (outcomes by set, summary with rates, attitude shares, set tags, pools and persona)."""
    sets = [*suite.sets, *extra]
    by_set = limits(suite.generation, sets, suite.cues)
    grouped = sample_and_score(lambda c, s: solver.generate(c, s, desc=desc), sets,
                               lambda items, responses: score(items, responses, suite.classify),
                               replace(suite.sampling, seed=seed), by_set)
    summary = summarise_sets(grouped, sets, eval_sets.pools(suite.cues), SPECS)
    if suite.persona:
        scores = solver.answer_probabilities(suite.persona)
        summary["persona"] = bootstrap_mean(scores, seed=seed)
        summary["persona_scores"] = [round(x, 6) for x in scores]  # per item: paired comparisons
    if suite.public:
        scores = {name: solver.answer_probabilities(items) for name, items in suite.public.items()}
        summary["evals"] = {name: bootstrap_mean(s, seed=seed) for name, s in scores.items()}
        summary["eval_scores"] = {name: [round(x, 6) for x in s] for name, s in scores.items()}
    # How every sample was drawn, so runs are comparable across backends and checkpoints.
    summary["sampling"] = {**suite.sampling.record(), "backend": suite.generation.backend,
                           "max_new_tokens_by_set": by_set, **tokenizer_facts(solver.tokenizer)}
    return grouped, summary


def outcome_rows(grouped: dict[str, list[Outcome]], **fields) -> list[dict]:
    """Per-sample outcome rows for data/outcomes (each with its set and `fields`)."""
    return [{**fields, "set": name, **o.to_dict()} for name, outs in grouped.items() for o in outs]
