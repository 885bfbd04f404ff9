"""Stage `collect`: sample the base model on the collect pool and keep the caught examples.

    python stages/collect.py      # or: dvc repro collect
"""
import json

from trainaway import behaviours
from trainaway.collect import caught_examples, sample_pool
from trainaway.config import load_params
from trainaway.generation import Sampling
from trainaway.jsonl import read_jsonl, write_jsonl
from trainaway.paths import BASE_MODEL, COLLECTED, WORLD
from trainaway.solver import Solver
from trainaway.tasks import Task


def main():
    params = load_params()
    pool = [Task.from_dict(d) for d in read_jsonl(WORLD / "collect.jsonl", required=("fn", "rule"))]
    solver = Solver(BASE_MODEL, params.generation, params.model)
    sampling = Sampling(n=params.collect.samples_per_prompt, seed=params.seed,
                        temperature=params.generation.temperature,
                        max_new_tokens=params.generation.max_new_tokens)
    tasks, outcomes = sample_pool(lambda c, s: solver.generate(c, s, desc="collect"), pool, sampling)
    summary = {"samples": len(outcomes)}
    for name in params.behaviours:
        caught = caught_examples(tasks, outcomes, behaviours.get(name), params.seed)
        write_jsonl(COLLECTED / f"{name}.jsonl", caught)
        summary[name] = len(caught)
    (COLLECTED / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    print(f"collect: {summary}")


if __name__ == "__main__":
    main()
