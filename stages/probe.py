"""Stage `probe`: linear probes on the base model and every trained model -> probes/{run}.json.

Fits the behaviour probe and the generic contrast direction on the base model, then reads the
same held-out prompts through every run in the behaviours x ks matrix: one forward pass each.

    python stages/probe.py      # or: dvc repro probe
"""
import json

from tqdm.auto import tqdm

from trainaway.config import load_params
from trainaway.contrast import contrast_activations, contrast_direction
from trainaway.jsonl import read_jsonl
from trainaway.paths import BASE_MODEL, OUTCOMES, PROBES, TRAINED, run_name
from trainaway.probe import (LABEL, SKIPPED, activations, describe, fit_base, held_out,
                             resolve_layers)
from trainaway.solver import Solver


def main() -> None:
    params = load_params()
    cfg = params.probe
    outcomes = read_jsonl(OUTCOMES / "base.jsonl", required=("set", "task_id", "prompt", "hack"))
    held = held_out(outcomes, params.seed, cfg.test_share)
    PROBES.mkdir(exist_ok=True)
    for stale in PROBES.glob("*"):
        stale.unlink()
    fit_labels = set(held.label[~held.test].tolist())
    if len(fit_labels) < 2:
        # A model that never (or always) hacks leaves nothing to decode: say so, don't crash.
        reason = (f"The base model's {LABEL} label is {fit_labels.pop()} on every held-out "
                  "prompt of the fitting half, so no behaviour probe can be fitted.")
        (PROBES / SKIPPED).write_text(reason + "\n")
        print(f"probe: skipped. {reason}")
        return
    runs = [(None, 0)] + [(b, k) for b in params.behaviours for k in params.ks]
    base = None
    for behaviour, k in tqdm(runs, desc="probe", unit="model"):
        run = run_name(behaviour, k)
        solver = Solver(BASE_MODEL if behaviour is None else TRAINED / run,
                        params.generation, params.model)
        model, tokenizer = solver.hf
        layers = resolve_layers(model.config.num_hidden_layers, cfg.layer, cfg.layers)
        acts = activations(model, tokenizer, held.prompts, layers, cfg.batch_size)
        if base is None:  # the first run is the base model: fit everything on it once
            yes, no = contrast_activations(model, tokenizer, layers[:1], cfg.batch_size)
            base = fit_base(acts, held, layers, contrast_direction(yes[:, 0], no[:, 0]),
                            params.seed, cfg.c)
        result = {"run": run, "behaviour": behaviour, "k": k, "layer": layers[0],
                  **describe(base, acts, held)}
        (PROBES / f"{run}.json").write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
        unmon = result["behaviour_probe"]["refit_unmonitored"]["auroc"]
        tqdm.write(f"probe {run}: refit AUROC (unmonitored) {unmon:.3f}")


if __name__ == "__main__":
    main()
