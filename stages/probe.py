"""Stage `probe@{depth}`: linear probes on the base model and trained models -> probes/{run}.json.

Fits the behaviour probe and the generic contrast direction on the base model, then reads the
same held-out prompts through each behaviour's k series: the runs of the first method,
augmentation and seed in params (one forward pass each).

    python stages/probe.py --depth standard      # or: dvc repro probe@standard
"""
import json

from tqdm.auto import tqdm

from trainaway.contrast import contrast_activations, contrast_direction
from trainaway.jsonl import read_jsonl
from trainaway.entry import start
from trainaway.paths import cell_name, run_name
from trainaway.probe import (LABEL, SKIPPED, activations, describe, fit_base, held_out,
                             resolve_layers)
from trainaway.solver import Solver


def main(argv=None) -> None:
    args, params, layout = start(__doc__, argv)
    out = layout.probes
    cfg = params.probe
    outcomes = read_jsonl(layout.outcomes / "base.jsonl", required=("set", "task_id", "prompt", "hack"))
    held = held_out(outcomes, params.seed, cfg.test_share)
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
    runs = [(None, 0)] + [(b, k) for b in params.behaviours for k in params.ks]
    method, augmentation, seed = params.methods[0], params.augmentations[0], params.seeds[0]
    base = None
    for behaviour, k in tqdm(runs, desc="probe", unit="model"):
        run = "base" if behaviour is None else f"{behaviour}-k{k}"
        path = layout.base_model if behaviour is None else (
            layout.trained / cell_name(behaviour, method) / run_name(augmentation, k, seed))
        solver = Solver(path, params.generation, params.model)
        model, tokenizer = solver.hf
        layers = resolve_layers(model.config.num_hidden_layers, cfg.layer, cfg.layers)
        acts = activations(model, tokenizer, held.prompts, layers, cfg.batch_size)
        if base is None:  # the first run is the base model: fit everything on it once
            yes, no = contrast_activations(model, tokenizer, layers[:1], cfg.batch_size)
            base = fit_base(acts, held, layers, contrast_direction(yes[:, 0], no[:, 0]),
                            params.seed, cfg.c)
        result = {"run": run, "behaviour": behaviour, "k": k, "layer": layers[0],
                  "trained": None if behaviour is None else str(path),
                  **describe(base, acts, held)}
        (out / f"{run}.json").write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
        unmon = result["behaviour_probe"]["refit_unmonitored"]["auroc"]
        tqdm.write(f"probe {run}: refit AUROC (unmonitored) {unmon:.3f}")


if __name__ == "__main__":
    main()
