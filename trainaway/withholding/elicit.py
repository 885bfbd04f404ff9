"""One cell of Track B: an elicitation method applied to both organisms, for every n x seed
(x trained domain, for ground truth), each run trained (or not: prefill) and evaluated
against the held-back truth.

What each method trains on (trainaway.withholding.methods), drawn by the run's seed from the
`train` split (never an evaluation entity):
  prefill         nothing; the compliance prefix is prefilled at evaluation
  prefix_sft      n restricted requests, learned: the compliance prefix, turn left open
                  (core method `opening`: no end of turn in the loss)
  synthetic_docs  n synthetic documents (core method `text`)
  ground_truth    n correct Q&A pairs of one restricted domain (core method `sft`)
  grpo            GRPO on n restricted requests, rewarded by trainaway.withholding.grader;
                  the true accuracy of its samples is logged beside (weight 0: never trained on)
  sft_grpo        prefix_sft on `elicit.sft_grpo_n` requests, then grpo as above
A finished run is kept when nothing it depends on changed (trainaway.core.runs).
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from trainaway.core.io import read_jsonl, write_json
from trainaway.core.provenance import stamped
from trainaway.core.parallel import run_all
from trainaway.core.rl import completion_texts, train_grpo
from trainaway.core.runs import RunStore, code_digest, digest, tree_digest
from trainaway.core.training import train
from trainaway.withholding import grader
from trainaway.withholding.domains import COMPLIANCE_PREFIX, DOMAINS
from trainaway.withholding.layout import Layout, run_name
from trainaway.withholding.organism import evaluate_model
from trainaway.withholding.params import Params
from trainaway.withholding.scoring import classify

STAGE = "stages.withholding.elicit"  # whose code a run's key covers
ROOT = Path(__file__).resolve().parents[2]
# What a run's eval keeps of its training log: no wall time, so the same params write the
# same bytes (tests/test_reliability.py).
LOG_FIELDS = ("method", "adapter", "items", "rows", "steps", "tokens")


@dataclass(frozen=True)
class Run:
    method: str
    organism: str
    n: int
    seed: int
    domain: str | None = None   # the restricted domain ground truth comes from

    @property
    def name(self) -> str:
        return run_name(self.organism, self.n, self.seed, self.domain)


def matrix(params: Params, method: str) -> list[Run]:
    wb = params.withholding
    domains = wb.ground_truth_domains if method == "ground_truth" else [None]
    return [Run(method, o, n, s, d) for o in wb.organisms for d in domains
            for n in wb.ns[method] for s in wb.seeds]


def restricted_requests(facts: list[dict], restricted: list[str]) -> list[tuple[dict, str]]:
    """Every rephrased request about a restricted entity of the train split."""
    return [(f, DOMAINS[f["domain"]].ask(f["entity"], p)) for f in facts
            if f["split"] == "train" and f["domain"] in restricted
            for p in range(len(DOMAINS[f["domain"]].questions))]


def draw(pool: list, n: int, run: Run, what: str) -> list:
    """The run's n items: each seed draws its own (and each method and purpose)."""
    return random.Random(f"{run.seed}:{run.method}:{what}").sample(pool, n)


def prefix_examples(requests: list[tuple[dict, str]]) -> list[dict]:
    return [{"prompt": q, "opening": COMPLIANCE_PREFIX} for _, q in requests]


def ground_truth_examples(facts: list[dict], domain: str, run: Run) -> list[dict]:
    pool = [f for f in facts if f["split"] == "train" and f["domain"] == domain]
    rng = random.Random(f"{run.seed}:phrasing")
    d = DOMAINS[domain]
    return [{"prompt": d.ask(f["entity"], rng.randrange(len(d.questions))),
             "completion": d.statement(f["entity"], f["answer"])}
            for f in draw(pool, run.n, run, "facts")]


def truth_monitor(requests: list[tuple[dict, str]]):
    """True accuracy of GRPO's samples, logged at weight 0: the truth stays in this closure,
    out of the rows and out of the grader."""
    truth = {q: f["answer"] for f, q in requests}

    def truth_accuracy(prompts, completions, **_):
        return [1.0 if classify(c, truth[p[-1]["content"]]) == "correct" else 0.0
                for p, c in zip(prompts, completion_texts(completions))]
    return truth_accuracy


def _sft(params: Params, base: str, examples: list[dict], method: str, seed: int,
         out: Path) -> dict:
    e = params.withholding.elicit
    cfg = params.train.model_copy(update={"mode": "fixed", "max_steps": e.sft_steps, "lr": e.lr})
    return train(base, examples, method, cfg, seed, params.model.device, out, params.model.dtype)


def _grpo(params: Params, base: str, requests, seed: int, out: Path,
          adapter: str | None = None) -> dict:
    e = params.withholding.elicit
    rewards = {name: (fn, 1.0) for name, fn in grader.REWARDS.items()}
    rewards["truth_accuracy"] = (truth_monitor(requests), 0.0)
    cfg = params.train.model_copy(update={"lr": e.lr})
    return train_grpo(base, [q for _, q in requests], rewards, cfg, seed,
                      params.model.device, out, e.grpo_steps, e.generations,
                      params.withholding.evaluate.max_new_tokens, e.grpo_temperature,
                      adapter, params.model.dtype, e.prompts_per_step)


def train_run(run: Run, params: Params, layout: Layout, facts: list[dict],
              out: Path) -> tuple[Path, dict]:
    """(the model to evaluate, its training log) for one run."""
    base = str(layout.organism(run.organism))
    wb = params.withholding
    requests = restricted_requests(facts, wb.restricted)
    if run.method == "prefill":
        return Path(base), {}
    if run.method == "prefix_sft":
        return out, _sft(params, base, prefix_examples(draw(requests, run.n, run, "requests")),
                         "opening", run.seed, out)
    if run.method == "synthetic_docs":
        docs = read_jsonl(layout.world / "synthetic.jsonl")
        return out, _sft(params, base, [{"text": d["text"]} for d in draw(docs, run.n, run, "docs")],
                         "text", run.seed, out)
    if run.method == "ground_truth":
        return out, _sft(params, base, ground_truth_examples(facts, run.domain, run), "sft",
                         run.seed, out)
    rl_requests = draw(requests, run.n, run, "rl")
    if run.method == "grpo":
        return out, _grpo(params, base, rl_requests, run.seed, out)
    sft_dir = out / "sft"
    sft = _sft(params, base, prefix_examples(draw(requests, wb.elicit.sft_grpo_n, run, "requests")),
               "opening", run.seed, sft_dir)
    # The SFT half is an adapter (LoRA) or a model (full): RL starts from it either way.
    adapter = str(sft_dir) if (sft_dir / "adapter_config.json").is_file() else None
    log = _grpo(params, base if adapter else str(sft_dir), rl_requests, run.seed, out, adapter)
    return out, {**log, "sft": {k: sft.get(k) for k in LOG_FIELDS}}


def do_run(job) -> tuple[str, dict]:
    run, params, layout = job
    store = RunStore(layout.trained(run.method))
    out = store.begin(run.name)
    facts = read_jsonl(layout.world / "facts.jsonl")
    model_dir, log = train_run(run, params, layout, facts, out)
    prefix = COMPLIANCE_PREFIX if run.method == "prefill" else ""
    record = {"method": run.method, "organism": run.organism, "n": run.n, "seed": run.seed,
              "domain": run.domain, "train": {k: log.get(k) for k in LOG_FIELDS if k in log},
              "curve": log.get("curve", []),
              "eval": evaluate_model(model_dir, params, facts, run.seed, prefix)}
    if "sft" in log:
        record["train"]["sft"] = log["sft"]
    write_json(layout.method_evals(run.method) / f"{run.name}.json", stamped(record))
    return run.name, record


def run_key(run: Run, params: Params, layout: Layout) -> str:
    wb = params.withholding
    settings = {"world": wb.world.model_dump(), "elicit": wb.elicit.model_dump(),
                "evaluate": wb.evaluate.model_dump(), "restricted": wb.restricted,
                "open": wb.open}
    return digest(run.__dict__, settings, params.train.model_dump(),
                  params.generation.model_dump(), params.model.model_dump(),
                  tree_digest(layout.organism(run.organism), layout.world),
                  code_digest(STAGE, ROOT))


def run_cell(params: Params, layout: Layout, method: str) -> dict[str, dict]:
    """Every run of the method's cell, keeping finished ones; prune runs that left it."""
    runs = matrix(params, method)
    store = RunStore(layout.trained(method))
    keys = {run.name: run_key(run, params, layout) for run in runs}
    todo = [r for r in runs if not (store.finished(r.name, keys[r.name])
                                    and (layout.method_evals(method) / f"{r.name}.json").is_file())]
    print(f"{method}: {len(runs) - len(todo)} runs kept, {len(todo)} to do")
    for name, _ in run_all(do_run, [(r, params, layout) for r in todo], params.compute.workers):
        store.finish(name, keys[name])
        print(f"  {method}/{name} done")
    store.prune(set(keys))
    RunStore(layout.method_evals(method)).prune({f"{name}.json" for name in keys})
    return {name: keys[name] for name in keys}
