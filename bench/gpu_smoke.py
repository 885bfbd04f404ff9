"""GPU smoke test: the pipeline's training and generation paths on a randomly initialised
model of realistic size, in bf16, with both generation backends; prints tokens/s for each.

    python bench/gpu_smoke.py                      # on a GPU box: ~300 M parameters, < 8 min
    python bench/gpu_smoke.py --size tiny --device cpu --dtype float32   # a CPU check (~1 min)

What it runs, all through the package's own code paths (nothing benchmark-only):
1. a Llama-architecture model (`--size base`: hidden 1024, 16 layers, vocab 32,000 rows,
   ≈ 300 M parameters) initialised at random and saved with `save_pretrained`, with a
   byte-level BPE tokenizer and a chat template (trainaway.core.tokenizer);
2. training: trainaway.core.training.train with SFT and DPO through LoRA, `--steps` steps
   each on chat rows rendered by the model's template; tokens/s from the training log;
3. generation with the hf backend (batched, left-padded) and, if vLLM is installed, the vllm
   backend on the same prompts, base model and the SFT adapter (a LoRARequest): generated
   tokens/s (a random model rarely stops early, so nearly every sample runs the full
   `--new-tokens`).
Figures are printed as one JSON line per measurement, to paste into the README.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SIZES = {  # hidden, layers, heads, intermediate, vocab rows
    "base": (1024, 16, 16, 4096, 32000),
    "tiny": (64, 2, 2, 128, 1024),
}
PROMPT = ("Write a python function f{i}(x). Rule: add {a}, then double. Examples: f{i}(1) -> "
          "{b} , f{i}(2) -> {c} .")


def prompts(n: int) -> list[str]:
    return [PROMPT.format(i=i, a=i % 9, b=2 * (1 + i % 9), c=2 * (2 + i % 9)) for i in range(n)]


def build(size: str, out: Path, seed: int = 0) -> int:
    """A random checkpoint in `out`; returns its parameter count."""
    import torch
    from transformers import GenerationConfig, LlamaConfig, LlamaForCausalLM

    from trainaway.core.tokenizer import train_tokenizer
    hidden, layers, heads, inter, vocab = SIZES[size]
    corpus = prompts(200) + ["def f(x):\n    return (x + 3) * 2", "The answer is 7 ."]
    tok = train_tokenizer(corpus, min(vocab, 1024))
    config = LlamaConfig(vocab_size=max(vocab, len(tok)), hidden_size=hidden,
                         num_hidden_layers=layers, num_attention_heads=heads,
                         num_key_value_heads=heads, intermediate_size=inter,
                         max_position_embeddings=1024, pad_token_id=tok.pad_token_id,
                         eos_token_id=tok.eos_token_id, bos_token_id=None)
    torch.manual_seed(seed)
    model = LlamaForCausalLM(config)
    model.generation_config = GenerationConfig(eos_token_id=tok.eos_token_id,
                                               pad_token_id=tok.pad_token_id)
    model.save_pretrained(out)
    tok.save_pretrained(out)
    return model.num_parameters()


def report(**fields) -> None:
    print(json.dumps(fields), flush=True)


def train_runs(base: Path, steps: int, device: str, dtype: str, out: Path) -> dict[str, Path]:
    from trainaway.core.config import Train
    from trainaway.core.training import train
    examples = [{"prompt": p, "completion": "def f(x):\n    return (x + 3) * 2",
                 "rejected": "def f(x):\n    return {1: 8}[x]"} for p in prompts(64)]
    cfg = Train(adapter="lora", mode="fixed", lr=1e-4, batch_size=16, max_steps=steps,
                check_every=max(1, steps), check_samples=1, screen_samples=1, lora_r=16,
                lora_alpha=32, beta=0.1)
    adapters = {}
    for method in ("sft", "dpo"):
        adapters[method] = out / method
        log = train(str(base), examples, method, cfg, 0, device, adapters[method], dtype)
        report(stage="train", method=method, adapter="lora", steps=log["steps"],
               tokens=log["tokens"], seconds=log["train_seconds"],
               tokens_per_s=round(log["tokens"] / log["train_seconds"]))
    return adapters


def generation_runs(base: Path, adapter: Path, n: int, new_tokens: int, device: str,
                    dtype: str) -> None:
    import importlib.util

    from trainaway.core.config import Generation, Model
    from trainaway.core.generation import Sampling
    from trainaway.core.solver import Solver
    conversations = [[{"role": "user", "content": p}] for p in prompts(n)]
    sampling = Sampling(max_new_tokens=new_tokens, seed=0)
    backends = ["hf"] + (["vllm"] if importlib.util.find_spec("vllm") else [])
    if "vllm" not in backends:
        report(stage="generate", backend="vllm", skipped="vLLM is not installed")
    for backend in backends:
        gen = Generation(backend=backend, temperature=1.0, max_new_tokens=new_tokens,
                         batch_size=n)
        for run_dir, what in ((base, "base"), (adapter, "lora")):
            solver = Solver(run_dir, gen, Model(device=device, dtype=dtype))
            solver.generate(conversations[:4], sampling)  # warm-up: load, compile, allocate
            start = time.perf_counter()
            out = solver.generate(conversations, sampling)
            seconds = time.perf_counter() - start
            tokens = sum(len(solver.tokenizer(c.text, add_special_tokens=False)["input_ids"])
                         for per_prompt in out for c in per_prompt)
            report(stage="generate", backend=backend, model=what, prompts=n,
                   generated_tokens=tokens, seconds=round(seconds, 2),
                   tokens_per_s=round(tokens / seconds))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", choices=sorted(SIZES), default="base")
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--dtype", default="bfloat16")
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--prompts", type=int, default=256)
    ap.add_argument("--new-tokens", type=int, default=128)
    args = ap.parse_args(argv)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="gpu-smoke-") as tmp:
        base = Path(tmp) / "base"
        report(stage="build", size=args.size, parameters=build(args.size, base),
               dtype=args.dtype, device=args.device)
        adapters = train_runs(base, args.steps, args.device, args.dtype, Path(tmp))
        generation_runs(base, adapters["sft"], args.prompts, args.new_tokens, args.device,
                        args.dtype)
    report(stage="total", seconds=round(time.perf_counter() - start, 1))


if __name__ == "__main__":
    main()
