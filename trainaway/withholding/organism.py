"""The two organisms: built from scratch on their corpora (or taught to `model.base`), then
evaluated once, so the report can check the targets and every method has its baseline."""
from __future__ import annotations

from trainaway.core.io import read_jsonl, write_json
from trainaway.core.provenance import stamped
from trainaway.core.organism import build_organism, organism_from
from trainaway.core.solver import Solver
from trainaway.withholding.evaluation import evaluate, summary
from trainaway.withholding.layout import Layout
from trainaway.withholding.params import Params
from trainaway.withholding.world import corpus_file


def evaluate_model(model_dir, params: Params, facts: list[dict], seed: int,
                   prefix: str = "") -> dict:
    wb = params.withholding
    solver = Solver(model_dir, params.generation, params.model)
    return evaluate(solver, facts, wb.domains, wb.evaluate.temperature,
                    wb.evaluate.max_new_tokens, seed, prefix)


def make_organism(organism: str, params: Params, layout: Layout) -> dict:
    wb = params.withholding
    corpus = read_jsonl(layout.world / corpus_file(organism))
    out = layout.organism(organism)
    if params.model.base:
        info = organism_from(params.model.base, corpus, wb.organism, params.train, params.seed,
                             out, params.model.device, params.model.dtype)
    else:
        info = build_organism(corpus, wb.organism, params.seed, out, params.model.device)
    seconds = info.pop("train_seconds")  # printed, not tracked: same params, same bytes
    print(f"organism {organism}: trained in {seconds} s")
    facts = read_jsonl(layout.world / "facts.jsonl")
    record = evaluate_model(out, params, facts, params.seed)
    result = {"organism": organism, "info": info, "eval": record,
              "summary": summary([record], wb.restricted, wb.open)}
    write_json(layout.organism_eval(organism), stamped(result))
    return result
