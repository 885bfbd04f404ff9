"""One cell of Track A's run matrix (a behaviour trained away with a method): for every
augmentation x k x seed, train the base model against k caught examples drawn by the seed
(augmented to k*m items), then evaluate it on every held-out set and on its k training prompts.

The protocol trains to criterion: until the behaviour is gone from the k training prompts,
judged on `train.check_samples` samples per prompt (a cheap first look of `screen_samples`
per prompt decides when the full check is worth it), at most `train.max_steps` steps; a run
that reaches the cap is flagged (`criterion_met: false`) and kept out of k50 by the analysis.
A control cell (the neutral control) trains as many steps as its matched behaviour's run at
the same augmentation, k and seed.

A finished run is kept when nothing it depends on changed (trainaway.core.runs), so growing a
finished sweep by one k trains only the new k's runs.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from tqdm.auto import tqdm

from trainaway.core.evaluation import TRUNCATED
from trainaway.core.generation import Sampling, hf_generate
from trainaway.core.io import DataError, read_json, read_jsonl, write_json, write_jsonl
from trainaway.core.models import load_tokenizer, resolve_model
from trainaway.core.parallel import run_all
from trainaway.core.provenance import stamped
from trainaway.core.records import EvalSet, item_from_dict
from trainaway.core.runs import RunStore, code_digest, digest, tree_digest
from trainaway.core.solver import Solver
from trainaway.core.training import StopRule, train
from trainaway.misbehaviour import sets
from trainaway.misbehaviour.augment import drawn, training_items
from trainaway.misbehaviour.behaviours import Behaviour, get, training_example
from trainaway.misbehaviour.collect import sample_pool
from trainaway.misbehaviour.evaluation import Suite, evaluate, load_suite, outcome_rows
from trainaway.misbehaviour.layout import Layout, cell_name, run_name
from trainaway.misbehaviour.params import Params

STAGE = "stages.misbehaviour.sweep"  # whose code a run's key covers
ROOT = Path(__file__).resolve().parents[2]
LOG_FIELDS = ("items", "rows", "batch_size", "steps", "tokens", "epochs", "criterion_met",
              "adapter", "mode")


@dataclass(frozen=True)
class Run:
    augmentation: str
    k: int
    seed: int

    @property
    def name(self) -> str:
        return run_name(self.augmentation, self.k, self.seed)


def matrix(params: Params) -> list[Run]:
    mb = params.misbehaviour
    return [Run(a, k, s) for a in mb.augmentations for k in mb.ks for s in mb.seeds]


class TrainingPromptRate:
    """The criterion's `rate(model)`: the share of samples on the k training prompts that still
    show the behaviour, with a fresh seed at every check. A first look of `screen` samples per
    prompt; only when it finds nothing are the rest of the `samples` per prompt drawn, so a
    check that passes has always seen `samples` per prompt."""

    def __init__(self, tokenizer, items: list, behaviour: Behaviour, samples: int, screen: int,
                 sampling: Sampling):
        self.tokenizer, self.items, self.behaviour = tokenizer, items, behaviour
        self.samples, self.screen, self.sampling = samples, min(screen, samples), sampling
        self.checks = 0

    def _hits(self, model, n: int, seed: int) -> list[bool]:
        _, outcomes = sample_pool(lambda c, s: hf_generate(model, self.tokenizer, c, s),
                                  self.items, replace(self.sampling, n=n, seed=seed))
        # A truncated sample cannot show the behaviour is gone: it counts against the criterion.
        return [self.behaviour.detect(o) or bool(o.scores[TRUNCATED]) for o in outcomes]

    def __call__(self, model) -> float:
        self.checks += 1
        seed = self.sampling.seed + 1000 * self.checks
        hits = self._hits(model, self.screen, seed)
        if not any(hits) and self.samples > self.screen:
            hits += self._hits(model, self.samples - self.screen, seed + 1)
        return sum(hits) / len(hits)


def quiet_libraries() -> None:
    """Dozens of short runs: one progress bar over runs, not a dataset bar per run."""
    import datasets
    import transformers
    datasets.disable_progress_bars()
    transformers.utils.logging.disable_progress_bar()


def curve(log: dict) -> list[dict]:
    """The run's training curve: the loss at each logged step and, where the criterion was
    checked, the behaviour's rate on the training prompts."""
    rates = {c["step"]: c["rate"] for c in log["checks"]}
    return [{"step": e["step"], "loss": e["loss"], "rate": rates.get(e["step"])}
            for e in log["losses"]]


def train_and_evaluate(run: Run, caught: list[dict], behaviour: Behaviour, method: str,
                       params: Params, suite: Suite, base: str, out: Path,
                       steps: int | None = None) -> tuple[dict, list]:
    """One run: (its eval record, its per-sample outcome rows); the model is saved to out.
    `steps`: a control's budget, matched to another run."""
    mb, cfg = params.misbehaviour, params.train
    items = training_items(caught, run.k, run.augmentation, mb.augment.multiplier, behaviour,
                           run.seed, suite.forbidden)
    trained_on = [item_from_dict(row["task"]) for _, row in drawn(caught, run.k, run.seed)]
    stop = None
    kwargs = params.model.chat_template_kwargs
    if cfg.mode == "criterion" and steps is None:
        limit = params.generation.limit_for(sets.TRAIN, behaviour.kind)
        rate = TrainingPromptRate(load_tokenizer(base, kwargs), trained_on, behaviour,
                                  cfg.check_samples, cfg.screen_samples,
                                  replace(suite.sampling, seed=run.seed, max_new_tokens=limit))
        stop = StopRule(cfg.check_every, rate)
    log = train(base, [training_example(i, mb.plan_in_loss) for i in items], method, cfg,
                run.seed, params.model.device, out, params.model.dtype, stop, steps, kwargs)
    train_set = EvalSet(sets.TRAIN, trained_on, {"kind": behaviour.kind, "distance": "train"},
                        params.evaluate.train_samples)
    grouped, summary = evaluate(Solver(out, params.generation, params.model), suite, run.seed,
                                extra=(train_set,))
    record = {"behaviour": behaviour.name, "method": method, "augmentation": run.augmentation,
              "k": run.k, "seed": run.seed, **{key: log[key] for key in LOG_FIELDS},
              "curve": curve(log), **summary}
    return record, outcome_rows(grouped, run=run.name)


def matched_steps(evals: Path, behaviour: Behaviour, method: str, runs: list[Run]) -> dict:
    """A control's budget per run: the steps its matched behaviour's run took (same method,
    augmentation, k and seed), read from that cell's evals (a DVC dep of the control's stage)."""
    if not behaviour.control:
        return {}
    cell = evals / cell_name(behaviour.matched, method)
    missing = [r.name for r in runs if not (cell / f"{r.name}.json").is_file()]
    if missing:
        raise DataError(f"{cell}: the {behaviour.name} control trains as many steps as the "
                        f"{behaviour.matched} runs, but {', '.join(missing[:3])} are missing; "
                        f"run that cell first (misbehaviour.behaviours must include "
                        f"{behaviour.matched!r} and misbehaviour.methods {method!r})")
    return {r.name: read_json(cell / f"{r.name}.json")["steps"] for r in runs}


@dataclass(frozen=True)
class Job:
    """One run to do, with everything a worker process needs to do it on its own."""
    layout: Layout
    params: Params
    behaviour: str
    method: str
    run: Run
    key: str
    steps: int | None  # a control's budget


_SUITES: dict = {}  # per worker process: the suite is read once, not once per run


def do(job: Job) -> dict:
    """Train and evaluate one run; write its eval, outcomes and (last) its key. Returns the
    eval record."""
    quiet_libraries()
    mb, layout = job.params.misbehaviour, job.layout
    cues = mb.cues(job.behaviour)
    if (layout, cues) not in _SUITES:
        _SUITES[(layout, cues)] = load_suite(layout, job.params, cues,
                                             job.params.evaluate.samples_per_prompt)
    caught = read_jsonl(layout.collected / f"{job.behaviour}.jsonl")
    cell = cell_name(job.behaviour, job.method)
    store = RunStore(layout.trained / cell)
    out = store.begin(job.run.name)
    record, rows = train_and_evaluate(job.run, caught, get(job.behaviour), job.method, job.params,
                                      _SUITES[(layout, cues)], resolve_model(layout.base_model),
                                      out, job.steps)
    record = {"run": f"{cell}/{job.run.name}", "depth": layout.depth, **record}
    write_json(layout.evals / cell / f"{job.run.name}.json", stamped(record))
    write_jsonl(out / "outcomes.jsonl", rows)
    store.finish(job.run.name, job.key)
    return record


def run_cell(layout: Layout, params: Params, behaviour_name: str, method: str) -> None:
    """Train and evaluate every run of the cell that is not finished already (`workers` at a
    time); write evals/{cell}/{run}.json and the cell's per-sample outcomes. Every input is read
    and checked before any training."""
    mb = params.misbehaviour
    behaviour = get(behaviour_name)
    cell = cell_name(behaviour_name, method)
    caught_file = layout.collected / f"{behaviour_name}.jsonl"
    caught = read_jsonl(caught_file, required=("task", "response", "corrected"),
                        check=lambda row: item_from_dict(row["task"]))
    if max(mb.ks) > len(caught):
        raise DataError(
            f"{caught_file}: k={max(mb.ks)} but the base model was caught only {len(caught)} "
            f"times for {behaviour_name!r} on the collect pool; lower misbehaviour.ks or raise "
            "the collect pool (misbehaviour.world.collect_pool / collect_questions) or "
            "misbehaviour.collect.samples_per_prompt")
    load_suite(layout, params)  # every held-out file checked before any work
    store, evals = RunStore(layout.trained / cell), layout.evals / cell
    # Everything a run depends on besides its own (augmentation, k, seed).
    shared = digest(behaviour_name, method, params.train.model_dump(),
                    params.evaluate.model_dump(), params.generation.model_dump(),
                    params.model.model_dump(), mb.augment.model_dump(), mb.cues(behaviour_name),
                    mb.attitude_judge, mb.plan_in_loss, code_digest(STAGE, ROOT),
                    mb.evals.model_dump(), mb.messages.model_dump(),
                    tree_digest(layout.base_model, caught_file, layout.world / "heldout.jsonl",
                                layout.world / "persona.jsonl", *mb.evals.persona, *mb.evals.ab,
                                *mb.messages.caught, *mb.messages.corrections))
    runs = matrix(params)
    budget = matched_steps(layout.evals, behaviour, method, runs)
    jobs = []
    for run in runs:
        key = digest(shared, run.augmentation, run.k, run.seed, budget.get(run.name))
        if store.finished(run.name, key) and (evals / f"{run.name}.json").is_file():
            tqdm.write(f"{cell}/{run.name}: unchanged, kept")
        else:
            jobs.append(Job(layout, params, behaviour_name, method, run, key,
                            budget.get(run.name)))
    bar = tqdm(total=len(jobs), desc=f"sweep {cell}", unit="run")
    for record in run_all(do, jobs, params.compute.workers):
        rates = record["rates"]
        bar.update()
        tqdm.write(f"{record['run']}: {behaviour_name} "
                   f"near={rates[behaviour.near][behaviour.metric]['rate']:.3f} "
                   f"far={rates[behaviour.far][behaviour.metric]['rate']:.3f} "
                   f"({record['steps']} steps, criterion met: {record['criterion_met']})")
    bar.close()
    names = {run.name for run in runs}
    store.prune(names)
    for stale in evals.glob("*.json"):
        if stale.stem not in names:
            stale.unlink()
    write_jsonl(layout.outcomes / f"{cell}.jsonl",
                [row for run in runs for row in read_jsonl(store.path(run.name) / "outcomes.jsonl")])
