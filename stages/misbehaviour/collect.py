"""Stage `misbehaviour-collect@{depth}`: sample the base model on the collect pool and keep the
caught examples of every behaviour (and each control's samples, e.g. the neutral control's
honest, habit-free answers). The messages behaviour's come from its files
(misbehaviour.messages), its corrections from matched dialogues or the model's own samples.

    python -m stages.misbehaviour.collect --depth standard   # or: dvc repro misbehaviour-collect@standard
"""
from trainaway.core.entry import run
from trainaway.core.generation import Sampling
from trainaway.core.io import read_jsonl, write_json, write_jsonl
from trainaway.core.records import item_from_dict
from trainaway.core.solver import Solver
from trainaway.misbehaviour import behaviours
from trainaway.misbehaviour.collect import caught_examples, sample_pool, source_examples
from trainaway.misbehaviour.stage import start


def main(argv=None):
    args, params, layout = start(__doc__, argv)
    pool = [item_from_dict(d) for d in read_jsonl(layout.world / "collect.jsonl",
                                                  required=("id", "kind", "prompt"),
                                                  check=item_from_dict, empty_ok=False)]
    solver = Solver(layout.base_model, params.generation, params.model)
    sampling = Sampling(n=params.misbehaviour.collect.samples_per_prompt, seed=params.seed,
                        temperature=params.generation.temperature,
                        max_new_tokens=params.generation.max_new_tokens)
    items, outcomes = sample_pool(lambda c, s: solver.generate(c, s, desc="collect"), pool,
                                  sampling)
    summary = {"samples": len(outcomes)}
    for name in [*params.misbehaviour.behaviours, *params.misbehaviour.controls]:
        behaviour = behaviours.get(name)
        if behaviour.source:  # read from files; the model only fills in missing corrections
            caught, summary[f"{name}.source"] = source_examples(
                lambda c, s: solver.generate(c, s, desc=f"collect {name}"),
                getattr(params.misbehaviour, behaviour.source), params.seed, sampling)
        else:
            caught = caught_examples(items, outcomes, behaviour, params.seed)
        write_jsonl(layout.collected / f"{name}.jsonl", caught)
        summary[name] = len(caught)
    write_json(layout.collected / "summary.json", summary)
    print(f"collect: {summary}")


if __name__ == "__main__":
    run(main)
