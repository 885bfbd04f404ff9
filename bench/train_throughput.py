"""Training throughput of each method (TRL SFT/DPO/KTO, LoRA and full) beside a plain PyTorch
loop on the same model, rows and steps: tokens/s and the ratio to the plain loop, one run.

    make bench                                   # bench/run.py runs this in its table
    python bench/train_throughput.py --steps 30  # needs the organism and its caught examples:
                                                 # dvc repro misbehaviour-collect (make bench runs it)

The plain loop is the floor: teacher-forced SFT on the same chat-formatted rows with AdamW and
no framework. Tokens count what the policy reads (a DPO row is read twice: chosen and rejected),
so tokens/s compares the work each method does per second; the reference model's forward pass
in DPO/KTO (and KTO's KL term) is extra work the count does not credit: "per forward" divides
the ratio by the forward passes per policy token relative to the plain loop. DPO/KTO run with
the reference log-probs precomputed once (as training does) and, for comparison, every step.
"""
import argparse
import os
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
warnings.filterwarnings("ignore")

import datasets  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
from transformers import AutoModelForCausalLM, AutoTokenizer, PrinterCallback  # noqa: E402

from trainaway.core import methods  # noqa: E402
from trainaway.core.io import read_jsonl  # noqa: E402
from trainaway.core.models import resolve_model  # noqa: E402
from trainaway.core.trainers import make_trainer, scratch_dir, training_args  # noqa: E402
from trainaway.core.methods import row_tokens  # noqa: E402
from trainaway.misbehaviour.behaviours import training_example  # noqa: E402
from trainaway.misbehaviour.layout import Layout  # noqa: E402


def plain_loop(base: str, rows: list[dict], steps: int, batch: int, lr: float) -> float:
    """Seconds for `steps` AdamW steps of full fine-tuning on the SFT rows (their input_ids and
    labels, right-padded), no framework."""
    model = AutoModelForCausalLM.from_pretrained(base)
    pad = model.config.pad_token_id or 0
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    model.train()
    start = time.perf_counter()
    for step in range(steps):
        chunk = [rows[(step * batch + i) % len(rows)] for i in range(batch)]
        width = max(len(r["input_ids"]) for r in chunk)

        def padded(key, fill):
            return torch.tensor([r[key] + [fill] * (width - len(r[key])) for r in chunk])
        mask = torch.tensor([[1] * len(r["input_ids"]) + [0] * (width - len(r["input_ids"]))
                             for r in chunk])
        loss = model(input_ids=padded("input_ids", pad), attention_mask=mask,
                     labels=padded("labels", -100), use_cache=False).loss
        loss.backward()
        opt.step()
        opt.zero_grad()
    return time.perf_counter() - start


def trl_run(base: str, items: list[dict], method: str, adapter: str, steps: int, batch: int,
            lr: float, precompute_ref: bool = True) -> tuple[float, int]:
    """Seconds (trainer built and trained: a DPO/KTO reference pass before training counts)
    and policy tokens of `steps` steps."""
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForCausalLM.from_pretrained(base)
    rows = methods.get(method).rows([training_example(i) for i in items], tokenizer)
    peft = None
    if adapter == "lora":
        from peft import LoraConfig
        peft = LoraConfig(r=8, lora_alpha=16, lora_dropout=0.0, target_modules="all-linear",
                          task_type="CAUSAL_LM")
    trainer_name = methods.get(method).trainer
    args = training_args(trainer_name, out_dir=scratch_dir(), lr=lr, batch_size=batch, seed=0,
                         device="cpu", max_steps=steps, show_progress=False, logging_steps=steps,
                         precompute_ref=precompute_ref)
    start = time.perf_counter()
    trainer = make_trainer(trainer_name, model, tokenizer, rows, args, peft_config=peft)
    trainer.remove_callback(PrinterCallback)
    trainer.train()
    seconds = time.perf_counter() - start
    per_row = sum(row_tokens(r, tokenizer) for r in rows) / len(rows)
    return seconds, round(steps * batch * per_row)


# Forward passes per policy token beside the plain loop's one: a reference forward for DPO and
# KTO unless precomputed (then once per row, not per step), and KTO's KL term doubles both.
FORWARDS = {("sft", True): 1, ("sft", False): 1, ("dpo", True): 1, ("dpo", False): 2,
            ("kto", True): 2, ("kto", False): 4}


def measure(steps: int = 30, batch: int = 8, behaviour: str = "hack",
            depth: str = "standard") -> list[dict]:
    """The plain loop, then every method x adapter (DPO/KTO also without precomputed
    reference log-probs): tokens/s, the ratio to the plain loop and per forward pass."""
    datasets.disable_progress_bars()  # one table, not a progress bar per dataset pass
    transformers.utils.logging.disable_progress_bar()
    layout = Layout(depth)
    caught = layout.collected / f"{behaviour}.jsonl"
    if not caught.is_file():
        sys.exit(f"bench: {caught} missing; run `dvc repro misbehaviour-collect` first")
    base = resolve_model(layout.base_model)
    items = read_jsonl(caught)[:16]
    tokenizer = AutoTokenizer.from_pretrained(base)
    sft_rows = methods.get("sft").rows([training_example(i) for i in items], tokenizer)
    plain_tokens = round(steps * batch * sum(row_tokens(r, tokenizer) for r in sft_rows)
                         / len(sft_rows))
    plain_tps = plain_tokens / plain_loop(base, sft_rows, steps, batch, 1e-3)
    out = [{"method": "plain", "adapter": "full", "precompute": None, "tokens_per_s": plain_tps,
            "ratio": 1.0, "per_forward": 1.0}]
    for method in ("sft", "dpo", "kto"):
        for adapter in ("lora", "full"):
            for precompute in ((True,) if method == "sft" else (True, False)):
                seconds, tokens = trl_run(base, items, method, adapter, steps, batch, 1e-3,
                                          precompute)
                ratio = tokens / seconds / plain_tps
                out.append({"method": method, "adapter": adapter,
                            "precompute": precompute if method != "sft" else None,
                            "tokens_per_s": tokens / seconds, "ratio": ratio,
                            "per_forward": ratio * FORWARDS[method, precompute]})
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--behaviour", default="hack")
    ap.add_argument("--depth", default="standard")
    args = ap.parse_args()
    print(f"{'method':<8}{'adapter':<8}{'ref':<12}{'tokens/s':>10}{'vs plain':>10}"
          f"{'per forward':>12}")
    for r in measure(args.steps, args.batch, args.behaviour, args.depth):
        ref = {None: "", True: "precomputed", False: "every step"}[r["precompute"]]
        print(f"{r['method']:<8}{r['adapter']:<8}{ref:<12}{r['tokens_per_s']:>10.0f}"
              f"{r['ratio']:>10.2f}{r['per_forward']:>12.2f}")


if __name__ == "__main__":
    main()
