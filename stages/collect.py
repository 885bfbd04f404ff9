"""Stage `collect@{depth}`: sample the base model on the collect pool and keep the caught
examples of every behaviour.

    python stages/collect.py --depth standard    # or: dvc repro collect@standard
"""
import json

from trainaway import behaviours
from trainaway.collect import caught_examples, sample_pool
from trainaway.generation import Sampling
from trainaway.jsonl import read_jsonl, write_jsonl
from trainaway.items import item_from_dict
from trainaway.entry import start
from trainaway.solver import Solver


def main(argv=None):
    args, params, layout = start(__doc__, argv)
    pool = [item_from_dict(d) for d in read_jsonl(layout.world / "collect.jsonl",
                                                  required=("id", "prompt"))]
    solver = Solver(layout.base_model, params.generation, params.model)
    sampling = Sampling(n=params.collect.samples_per_prompt, seed=params.seed,
                        temperature=params.generation.temperature,
                        max_new_tokens=params.generation.max_new_tokens)
    tasks, outcomes = sample_pool(lambda c, s: solver.generate(c, s, desc="collect"), pool, sampling)
    summary = {"samples": len(outcomes)}
    for name in params.behaviours:
        caught = caught_examples(tasks, outcomes, behaviours.get(name), params.seed)
        write_jsonl(layout.collected / f"{name}.jsonl", caught)
        summary[name] = len(caught)
    (layout.collected / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    print(f"collect: {summary}")


if __name__ == "__main__":
    main()
