"""Stage `sweep@{depth}-{behaviour}-{method}`: one cell of the run matrix. For every augmentation x k x
seed: train the base model against the first k caught examples (augmented to k*m items), then
evaluate it on every held-out set and on its k training prompts.

    python stages/sweep.py --depth standard --behaviour hack --method dpo
    # or: dvc repro sweep@standard-hack-dpo
"""
import json
import shutil
import sys
from dataclasses import replace

from tqdm.auto import tqdm

from trainaway import behaviours
from trainaway.attitudes import make_classifier
from trainaway.augment import augment
from trainaway.entry import start
from trainaway.evaluation import PERSONA_FIELDS, eval_sets, evaluate_model, load_heldout
from trainaway.generation import Sampling, resolve_device
from trainaway.items import item_from_dict
from trainaway.jsonl import read_jsonl, write_jsonl
from trainaway.model_ref import resolve_model
from trainaway.paths import cell_name, run_name
from trainaway.solver import Solver
from trainaway.training import train_against

def quiet_libraries():
    """Dozens of short runs: one progress bar over runs, not a dataset bar per run."""
    import datasets
    import transformers
    datasets.disable_progress_bars()
    transformers.utils.logging.disable_progress_bar()


def main(argv=None):
    args, params, layout = start(__doc__, argv, "behaviour", "method")
    quiet_libraries()
    behaviour = behaviours.get(args.behaviour)
    cell = cell_name(args.behaviour, args.method)
    # Every input is read and checked before any training.
    caught = read_jsonl(layout.collected / f"{args.behaviour}.jsonl",
                        required=("task", "response", "corrected"))
    if max(params.ks) > len(caught):
        sys.exit(f"sweep: k={max(params.ks)} but the base model was caught only {len(caught)} "
                 f"times for {args.behaviour!r} on the collect pool; lower ks or raise the "
                 "collect pool (world.collect_pool / collect_questions) or collect.samples_per_prompt")
    heldout_rows = read_jsonl(layout.world / "heldout.jsonl", required=("set", "prompt"))
    forbidden = {row["prompt"] for row in heldout_rows}
    cues = ("unmonitored", "monitored") if params.evaluate.monitored else ("unmonitored",)
    sets = eval_sets(load_heldout(heldout_rows), cues)
    persona = read_jsonl(layout.world / "persona.jsonl", required=PERSONA_FIELDS)
    classify = make_classifier(params.evaluate.attitude_judge,
                               resolve_device(params.model.device), params.model.dtype)
    sampling = Sampling(temperature=params.generation.temperature,
                        max_new_tokens=params.generation.max_new_tokens)
    base = resolve_model(layout.base_model)
    trained, evals = layout.trained / cell, layout.evals / cell

    for stale in (trained, evals):
        shutil.rmtree(stale, ignore_errors=True)
    evals.mkdir(parents=True)
    runs = [(a, k, s) for a in params.augmentations for k in params.ks for s in params.seeds]
    outcomes = []
    bar = tqdm(runs, desc=f"sweep {cell}", unit="run")
    for augmentation, k, seed in bar:
        run = run_name(augmentation, k, seed)
        bar.set_postfix_str(run)
        examples = caught[:k]
        items = augment(examples, augmentation, params.augment.multiplier, behaviour, seed,
                        forbidden)
        log = train_against(base, items, [e["task"] for e in examples], behaviour, args.method,
                            params.train, replace(sampling, seed=seed), seed,
                            params.model.device, trained / run, params.model.dtype)
        run_sets = {**sets, "train": [item_from_dict(e["task"]) for e in examples]}
        samples = {**dict.fromkeys(sets, params.evaluate.samples_per_prompt),
                   "train": params.evaluate.train_samples}
        solver = Solver(trained / run, params.generation, params.model)
        grouped, summary = evaluate_model(solver, run_sets, samples, seed, sampling, classify,
                                          persona)
        outcomes += [{"run": run, "set": name, **o.to_dict()}
                     for name, outs in grouped.items() for o in outs]
        result = {"run": f"{cell}/{run}", "depth": args.depth, "behaviour": args.behaviour,
                  "method": args.method,
                  "augmentation": augmentation, "k": k, "seed": seed,
                  # (not train_seconds: wall time would make git-tracked evals differ per run;
                  # it stays in the run's train_log.json)
                  **{key: log[key] for key in ("items", "steps", "tokens", "criterion_met",
                                               "adapter", "mode")},
                  **summary}
        (evals / f"{run}.json").write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
        near = result["rates"][behaviour.near][behaviour.metric]["rate"]
        far = result["rates"][behaviour.far][behaviour.metric]["rate"]
        tqdm.write(f"{cell}/{run}: {args.behaviour} near={near:.3f} far={far:.3f} "
                   f"({log['steps']} steps, {log['train_seconds']} s)")
    write_jsonl(layout.outcomes / f"{cell}.jsonl", outcomes)


if __name__ == "__main__":
    main()
