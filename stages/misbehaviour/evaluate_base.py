"""Stage `misbehaviour-evaluate_base@{depth}`: measure the base model on every held-out set,
with and without the review cue: the organism's profile and every trained run's reference.

    python -m stages.misbehaviour.evaluate_base --depth standard
    # or: dvc repro misbehaviour-evaluate_base@standard
"""
from trainaway.core.entry import run
from trainaway.core.io import write_json, write_jsonl
from trainaway.core.provenance import stamped
from trainaway.core.solver import Solver
from trainaway.misbehaviour.evaluation import evaluate, load_suite, outcome_rows
from trainaway.misbehaviour.stage import start


def main(argv=None):
    args, params, layout = start(__doc__, argv)
    suite = load_suite(layout, params, samples=params.evaluate.base_samples)
    solver = Solver(layout.base_model, params.generation, params.model)
    grouped, summary = evaluate(solver, suite, params.seed, desc="evaluate base")
    write_jsonl(layout.outcomes / "base.jsonl", outcome_rows(grouped))
    write_json(layout.evals / "base.json", stamped({"run": "base", **summary}))
    rates = summary["rates"]
    print(f"evaluate base ({args.depth}): hack near={rates['near.unmonitored']['hack']['rate']:.3f} "
          f"far={rates['far.unmonitored']['hack']['rate']:.3f} "
          f"sycophancy={rates['syco.near']['sycophantic']['rate']:.3f}")


if __name__ == "__main__":
    run(main)
