"""The organism's pretraining: tokens/s and model FLOP/s (6 N D, D = the tokens the batches
hold, padding excluded) as a fraction of the matmul peak, for the shipped setting (padded
batches, fp32) beside packed batches and bf16 autocast, on the real corpus, in one run.

    python bench/pretrain_throughput.py --steps 60   # needs `dvc repro misbehaviour-world`

Each variant builds the same seeded model and trains it `--steps` steps; the first 10 are a
warm-up that is not timed. The mean training loss is printed beside each variant:
packing should leave it unchanged (same rows, same gradient), bf16 may move it.
"""
from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
warnings.filterwarnings("ignore")

from transformers import PrinterCallback, ProgressCallback, TrainerCallback  # noqa: E402

from trainaway.core.io import read_jsonl  # noqa: E402
from trainaway.core.organism import pretraining  # noqa: E402
from trainaway.misbehaviour.layout import Layout  # noqa: E402
from trainaway.misbehaviour.params import load  # noqa: E402

WARMUP = 10
VARIANTS = {"padded fp32 (shipped)": dict(packed=False), "packed fp32": dict(packed=True),
            "packed bf16 autocast": dict(packed=True, dtype="bfloat16")}


class _Clock(TrainerCallback):
    """Wall time and tokens (label-bearing or not, padding excluded) after the warm-up."""

    def __init__(self):
        self.start, self.tokens = None, 0

    def on_step_begin(self, args, state, control, **kwargs):
        if state.global_step == WARMUP:
            self.start = time.perf_counter()

    def on_step_end(self, args, state, control, **kwargs):
        self.seconds = time.perf_counter() - self.start if self.start else 0.0


def measure(variant: dict, corpus: list[dict], cfg, seed: int, steps: int) -> dict:
    trainer, _ = pretraining(corpus, cfg, seed, "cpu", max_steps=steps, **variant)
    for quiet in (PrinterCallback, ProgressCallback):
        trainer.remove_callback(quiet)
    clock = _Clock()
    trainer.add_callback(clock)
    counted = []  # real tokens of each batch the trainer draws, from its own dataloader
    collate = trainer.data_collator

    def counting(examples):
        counted.append(sum(len(e["input_ids"]) for e in examples))
        return collate(examples)
    trainer.data_collator = counting
    result = trainer.train()
    tokens = sum(counted[WARMUP:steps])
    n = trainer.model.num_parameters()
    return {"tokens_per_s": tokens / clock.seconds, "flops": 6 * n * tokens / clock.seconds,
            "loss": result.training_loss, "parameters": n}


def main(steps: int = 60, depth: str = "standard", peak: float | None = None) -> dict:
    params = load()
    layout = Layout(depth)
    corpus_file = layout.world / "corpus.jsonl"
    if not corpus_file.is_file():
        sys.exit(f"bench: {corpus_file} missing; run `dvc repro misbehaviour-world` first")
    corpus = read_jsonl(corpus_file)
    cfg = params.misbehaviour.organism_at(depth)
    return {name: measure(v, corpus, cfg, params.seed, steps) for name, v in VARIANTS.items()}


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--depth", default="standard")
    a = ap.parse_args()
    for name, r in main(a.steps, a.depth).items():
        print(f"{name:24s} {r['tokens_per_s']:8.0f} tokens/s {r['flops'] / 1e9:6.1f} GFLOP/s "
              f"loss {r['loss']:.4f}")
