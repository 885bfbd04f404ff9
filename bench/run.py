"""`make bench`: one table of the project's speed against the machine's limit, every figure
measured in this run beside its baseline, with the load average at the moment it was taken.

    make bench                 # dvc repro misbehaviour-collect, then this
    python bench/run.py --quick

Rows: the matmul peak (fp32, bf16 where the CPU has it); the organism's pretraining (tokens/s,
6ND FLOP/s as a fraction of the fp32 peak; packed vs padded batches, bf16 autocast); every
method x adapter vs a plain PyTorch loop (and per forward pass where DPO/KTO need a reference);
generation batched vs one prompt at a time; the sandbox's solutions/s; a no-op `dvc repro`.
The full per-stage wall time of the pipeline is bench/stage_times.py (a whole `make repro`).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import torch

import generation_throughput
import peak
import pretrain_throughput
import sandbox_throughput
import train_throughput
from table import print_markdown, record


def no_op_repro(targets: list[str]) -> float:
    """Seconds of `dvc repro` on targets already up to date (the bench ran it just before)."""
    dvc = Path(sys.executable).with_name("dvc")
    start = time.perf_counter()
    subprocess.run([str(dvc), "repro", *targets], check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer steps and samples (noisier)")
    quick = ap.parse_args().quick
    threads = torch.get_num_threads()
    print(f"{os.cpu_count()} CPUs, torch {torch.__version__} with {threads} thread(s)")
    peaks = peak.peaks()
    for dtype, flops in peaks.items():
        record(f"matmul peak {dtype} (2048², {threads} thr)", f"{flops / 1e9:.0f} GFLOP/s",
               f"{flops / peaks['float32']:.2f}x", "fp32 peak")

    for name, r in pretrain_throughput.main(steps=30 if quick else 60).items():
        record(f"organism pretraining, {name}",
               f"{r['tokens_per_s']:.0f} tok/s, {r['flops'] / 1e9:.1f} GFLOP/s, "
               f"loss {r['loss']:.4f}", f"{r['flops'] / peaks['float32']:.0%}", "fp32 peak")

    ref = {None: "", True: ", ref precomputed", False: ", ref every step"}
    for r in train_throughput.measure(steps=15 if quick else 30):
        per_forward = (f"; {r['per_forward']:.2f}x per forward"
                       if r["per_forward"] != r["ratio"] else "")
        record(f"fine-tune {r['method']} {r['adapter']}{ref[r['precompute']]}",
               f"{r['tokens_per_s']:.0f} tok/s", f"{r['ratio']:.2f}x{per_forward}",
               "plain PyTorch loop")

    g = generation_throughput.measure(*((96, 8) if quick else (240, 24)))
    for name, (samples, tokens) in (("batched", g["batched"]), ("one at a time", g["single"])):
        record(f"generation {name}", f"{samples:.1f} samples/s, {tokens:.0f} tok/s",
               f"{samples / g['single'][0]:.1f}x", "one prompt at a time")

    s = sandbox_throughput.measure(*((300, 20, 1) if quick else (1000, 50, 1)), log=lambda _: None)
    for mode, (batched, single, cpu_b, _) in s["modes"].items():
        record(f"sandbox, boundary {mode}",
               f"{batched:.0f} solutions/s ({cpu_b:.2f} CPU ms each)",
               f"{batched / single:.1f}x", "one solution at a time")

    seconds = no_op_repro(["misbehaviour-collect"])
    record("no-op `dvc repro misbehaviour-collect`", f"{seconds:.1f} s", "", "goal ≤ 2 s")
    print_markdown()


if __name__ == "__main__":
    main()
