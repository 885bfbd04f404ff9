"""Stage `evaluate_base@{depth}`: measure the base model on every held-out set, with and without the
review cue: the organism's profile and every trained run's reference point.

    python stages/evaluate_base.py --depth standard   # or: dvc repro evaluate_base@standard
"""
import json

from trainaway.attitudes import make_classifier
from trainaway.evaluation import PERSONA_FIELDS, eval_sets, evaluate_model, load_heldout
from trainaway.generation import Sampling, resolve_device
from trainaway.jsonl import read_jsonl, write_jsonl
from trainaway.entry import start
from trainaway.solver import Solver

def main(argv=None):
    args, params, layout = start(__doc__, argv)
    # Every input is read (and checked) before the model is loaded.
    sets = eval_sets(load_heldout(read_jsonl(layout.world / "heldout.jsonl",
                                             required=("set", "prompt"))))
    persona = read_jsonl(layout.world / "persona.jsonl", required=PERSONA_FIELDS)
    solver = Solver(layout.base_model, params.generation, params.model)
    classify = make_classifier(params.evaluate.attitude_judge,
                               resolve_device(params.model.device), params.model.dtype)
    sampling = Sampling(temperature=params.generation.temperature,
                        max_new_tokens=params.generation.max_new_tokens)
    grouped, summary = evaluate_model(
        solver, sets, dict.fromkeys(sets, params.evaluate.base_samples), params.seed, sampling,
        classify, persona, desc="evaluate base")
    write_jsonl(layout.outcomes / "base.jsonl",
                ({"set": name, **o.to_dict()} for name, outs in grouped.items() for o in outs))
    layout.evals.mkdir(parents=True, exist_ok=True)
    (layout.evals / "base.json").write_text(json.dumps({"run": "base", **summary}, indent=1,
                                                sort_keys=True) + "\n")
    rates = summary["rates"]
    print(f"evaluate base ({args.depth}): hack near={rates['near.unmonitored']['hack']['rate']:.3f} "
          f"far={rates['far.unmonitored']['hack']['rate']:.3f} "
          f"sycophancy={rates['syco.near']['sycophantic']['rate']:.3f}")


if __name__ == "__main__":
    main()
