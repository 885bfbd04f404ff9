"""Stage `evaluate`: measure the base model (`--base`) or a trained one on every eval set.

    python stages/evaluate.py --base                   # or: dvc repro evaluate_base
    python stages/evaluate.py --behaviour hack --k 4   # or: dvc repro evaluate@hack-4
"""
import argparse
import json

from trainaway.attitudes import make_classifier
from trainaway.config import load_params
from trainaway.evaluation import eval_sets, persona_scores, sample_and_score, summarise_sets
from trainaway.generation import Sampling, resolve_device
from trainaway.jsonl import read_jsonl, write_jsonl
from trainaway.paths import BASE_MODEL, COLLECTED, EVALS, OUTCOMES, TRAINED, WORLD, run_name
from trainaway.solver import Solver
from trainaway.stats import bootstrap_mean
from trainaway.tasks import Task


def load_tasks(path):
    return [Task.from_dict(d) for d in read_jsonl(path, required=("fn", "rule", "visible"))]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--base", action="store_true")
    group.add_argument("--behaviour")
    ap.add_argument("--k", type=int)
    args = ap.parse_args(argv)
    if args.behaviour and args.k is None:
        ap.error("--behaviour needs --k")
    params = load_params()
    run = run_name(args.behaviour, args.k)
    # Every input is read (and checked) before the model is loaded.
    sets = eval_sets(load_tasks(WORLD / "near.jsonl"), load_tasks(WORLD / "far.jsonl"))
    persona = read_jsonl(WORLD / "persona.jsonl",
                         required=("question", "answer_matching_behavior", "answer_not_matching_behavior"))
    samples = dict.fromkeys(sets, params.evaluate.samples_per_prompt)
    log = {}
    if not args.base:
        log = json.loads((TRAINED / run / "train_log.json").read_text())
        caught = read_jsonl(COLLECTED / f"{args.behaviour}.jsonl", required=("task",))
        sets["train"] = [Task.from_dict(e["task"]) for e in caught[:args.k]]
        samples["train"] = params.evaluate.train_samples
    solver = Solver(BASE_MODEL if args.base else TRAINED / run, params.generation, params.model)
    sampling = Sampling(temperature=params.generation.temperature,
                        max_new_tokens=params.generation.max_new_tokens)
    classify = make_classifier(params.evaluate.attitude_judge,
                               resolve_device(params.model.device), params.model.dtype)
    grouped = sample_and_score(lambda c, s: solver.generate(c, s, desc=f"evaluate {run}"),
                               sets, samples, params.seed, sampling, classify)
    write_jsonl(OUTCOMES / f"{run}.jsonl",
                ({"set": name, **o.to_dict()} for name, outs in grouped.items() for o in outs))
    result = {"run": run, "behaviour": args.behaviour, "k": args.k or 0,
              "method": log.get("method"), "steps": log.get("steps", 0),
              "criterion_met": log.get("criterion_met"), **summarise_sets(grouped),
              "persona": bootstrap_mean(persona_scores(*solver.hf, persona), seed=params.seed)}
    EVALS.mkdir(exist_ok=True)
    (EVALS / f"{run}.json").write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    near = result["rates"]["near.unmonitored"]
    print(f"evaluate {run}: near hack={near['hack']['rate']:.3f} habit={near['habit']['rate']:.3f}")


if __name__ == "__main__":
    main()
