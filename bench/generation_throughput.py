"""Generation: the organism answering collect-pool prompts in left-padded batches (as every
stage does, generation.batch_size) vs one prompt at a time, in one run: samples/s, generated
tokens/s and the ratio.

    python bench/generation_throughput.py   # needs `dvc repro misbehaviour-organism`
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from trainaway.core.chat import user_turn  # noqa: E402
from trainaway.core.generation import Sampling, hf_generate  # noqa: E402
from trainaway.core.io import read_jsonl  # noqa: E402
from trainaway.core.models import load_hf_model, resolve_model  # noqa: E402
from trainaway.misbehaviour.layout import Layout  # noqa: E402
from trainaway.misbehaviour.params import load  # noqa: E402


def rate(model, tokenizer, conversations, sampling, batch_size) -> tuple[float, float]:
    """(samples/s, generated tokens/s) of hf_generate over the conversations."""
    start = time.perf_counter()
    out = hf_generate(model, tokenizer, conversations, sampling, batch_size=batch_size)
    seconds = time.perf_counter() - start
    tokens = sum(len(tokenizer(t, add_special_tokens=False)["input_ids"]) + 1  # + end of turn
                 for answers in out for t in answers)
    return len(conversations) / seconds, tokens / seconds


def measure(batched: int = 240, single: int = 24, depth: str = "standard") -> dict:
    params = load()
    layout = Layout(depth)
    if not (layout.base_model / "config.json").is_file() and not (layout.base_model /
                                                                   "model_ref.json").is_file():
        sys.exit(f"bench: {layout.base_model} missing; run `dvc repro misbehaviour-organism`")
    model, tokenizer = load_hf_model(resolve_model(layout.base_model))
    prompts = [user_turn(t["prompt"]) for t in read_jsonl(layout.world / "collect.jsonl")]
    sampling = Sampling(temperature=params.generation.temperature,
                        max_new_tokens=params.generation.max_new_tokens)
    b = rate(model, tokenizer, prompts[:batched], sampling, params.generation.batch_size)
    s = rate(model, tokenizer, prompts[:single], sampling, 1)
    return {"batched": b, "single": s, "batch_size": params.generation.batch_size,
            "prompts": (batched, single)}


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--batched", type=int, default=240, help="prompts generated in batches")
    ap.add_argument("--single", type=int, default=24, help="prompts generated one at a time")
    a = ap.parse_args()
    r = measure(a.batched, a.single)
    for name in ("batched", "single"):
        print(f"{name:8s} {r[name][0]:7.1f} samples/s {r[name][1]:8.0f} tokens/s")
    print(f"batched / one at a time: {r['batched'][0] / r['single'][0]:.1f}x")
