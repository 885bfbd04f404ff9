"""Stage `misbehaviour-probe@{depth}`: linear probes on the base model and trained models ->
probes/misbehaviour/{depth}/{run}.json.

Fits the behaviour probe and the generic contrast direction on the base model, then reads the
same held-out prompts through each behaviour's k series: the runs of the first method,
augmentation and seed in params (one forward pass each).

    python -m stages.misbehaviour.probe --depth standard   # or: dvc repro misbehaviour-probe@standard
"""
from tqdm.auto import tqdm

from trainaway.core.entry import run
from trainaway.core.io import read_json, read_jsonl, write_json
from trainaway.core.probes import (activations, contrast_activations, contrast_direction,
                                   describe, fit_base, frozen_scores)
from trainaway.core.layers import resolve_layers
from trainaway.core.solver import Solver
from trainaway.misbehaviour.probes import LABEL, QUESTIONS, SKIPPED, held_out, series
from trainaway.misbehaviour.stage import start


def main(argv=None) -> None:
    args, params, layout = start(__doc__, argv)
    out, cfg = layout.probes, params.misbehaviour.probe
    outcomes = read_jsonl(layout.outcomes / "base.jsonl", required=("set", "item_id", "prompt"))
    held = held_out(outcomes, read_json(layout.evals / "base.json")["sets"], params.seed,
                    cfg.test_share)
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*"):
        stale.unlink()
    fit_labels = set(held.label[~held.test].tolist())
    if len(fit_labels) < 2:
        # A model that never (or always) hacks leaves nothing to decode: say so, don't crash.
        reason = (f"The base model's {LABEL} label is {fit_labels.pop()} on every held-out "
                  "prompt of the fitting half, so no behaviour probe can be fitted.")
        (out / SKIPPED).write_text(reason + "\n")
        print(f"probe: skipped. {reason}")
        return
    base = reference = None
    # Every model is found before any is read (a deleted adapter fails here, by path).
    runs = [(run_id, behaviour, k, path, Solver(path, params.generation, params.model))
            for run_id, behaviour, k, path in series(layout, params)]
    for run_id, behaviour, k, path, solver in tqdm(runs, desc="probe", unit="model"):
        model, tokenizer = solver.hf
        layers = resolve_layers(model.config.num_hidden_layers, cfg.layer, cfg.layers)
        acts = activations(model, tokenizer, held.prompts, layers, cfg.batch_size)
        if base is None:  # the first run is the base model: fit everything on it once
            yes, no = contrast_activations(model, tokenizer, list(QUESTIONS), layers[:1],
                                           cfg.batch_size)
            base = fit_base(acts, held, layers, contrast_direction(yes[:, 0], no[:, 0]),
                            params.seed, cfg.c)
            reference = frozen_scores(base, acts, held)
        result = {"run": run_id, "behaviour": behaviour, "k": k, "layer": layers[0],
                  "trained": None if behaviour is None else str(path),
                  **describe(base, acts, held, None if behaviour is None else reference)}
        write_json(out / f"{run_id}.json", result)
        unmon = result["behaviour_probe"]["refit_unmonitored"]["auroc"]
        tqdm.write(f"probe {run_id}: refit AUROC (unmonitored) {unmon:.3f}")


if __name__ == "__main__":
    run(main)
