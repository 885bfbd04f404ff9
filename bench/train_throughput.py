"""Training throughput of each method (TRL SFT/DPO/KTO, LoRA and full) beside a plain PyTorch
loop on the same model, rows and steps: tokens/s and the ratio to the plain loop, one run.

    make bench                                   # runs this after stage_times.py
    python bench/train_throughput.py --steps 30  # needs the organism and its caught examples:
                                                 # dvc repro misbehaviour-collect (make bench runs it)

The plain loop is the floor: teacher-forced SFT on the same chat-formatted rows with AdamW and
no framework. Tokens count what the policy reads (a DPO row is read twice: chosen and rejected),
so tokens/s compares the work each method does per second; the reference model's forward pass
in DPO/KTO is extra work the count does not credit.
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
from trainaway.core.training import row_tokens  # noqa: E402
from trainaway.misbehaviour.behaviours import training_example  # noqa: E402
from trainaway.misbehaviour.layout import Layout  # noqa: E402


def plain_loop(base: str, rows: list[dict], steps: int, batch: int, lr: float) -> float:
    """Seconds for `steps` AdamW steps of full fine-tuning on the SFT rows, no framework."""
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForCausalLM.from_pretrained(base)
    texts = [tokenizer.apply_chat_template(r["messages"], tokenize=False) for r in rows]
    tokenizer.padding_side = "right"
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    model.train()
    start = time.perf_counter()
    for step in range(steps):
        chunk = [texts[(step * batch + i) % len(texts)] for i in range(batch)]
        enc = tokenizer(chunk, return_tensors="pt", padding=True, add_special_tokens=False)
        labels = enc["input_ids"].masked_fill(enc["attention_mask"] == 0, -100)
        loss = model(**enc, labels=labels).loss
        loss.backward()
        opt.step()
        opt.zero_grad()
    return time.perf_counter() - start


def trl_run(base: str, items: list[dict], method: str, adapter: str, steps: int, batch: int,
            lr: float) -> tuple[float, int]:
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForCausalLM.from_pretrained(base)
    rows = methods.get(method).rows([training_example(i) for i in items])
    peft = None
    if adapter == "lora":
        from peft import LoraConfig
        peft = LoraConfig(r=8, lora_alpha=16, lora_dropout=0.0, target_modules="all-linear",
                          task_type="CAUSAL_LM")
    trainer_name = methods.get(method).trainer
    args = training_args(trainer_name, out_dir=scratch_dir(), lr=lr, batch_size=batch, seed=0,
                         device="cpu", max_steps=steps, show_progress=False, logging_steps=steps)
    trainer = make_trainer(trainer_name, model, tokenizer, rows, args, peft_config=peft)
    trainer.remove_callback(PrinterCallback)
    start = time.perf_counter()
    trainer.train()
    seconds = time.perf_counter() - start
    per_row = sum(row_tokens(tokenizer, r) for r in rows) / len(rows)
    return seconds, round(steps * batch * per_row)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--behaviour", default="hack")
    ap.add_argument("--depth", default="standard")
    args = ap.parse_args()
    datasets.disable_progress_bars()  # one table, not a progress bar per dataset pass
    transformers.utils.logging.disable_progress_bar()
    layout = Layout(args.depth)
    caught = layout.collected / f"{args.behaviour}.jsonl"
    if not caught.is_file():
        sys.exit(f"bench: {caught} missing; run `dvc repro misbehaviour-collect` first")
    base = resolve_model(layout.base_model)
    items = read_jsonl(caught)[:16]
    sft_rows = methods.get("sft").rows([training_example(i) for i in items])
    tokenizer = AutoTokenizer.from_pretrained(base)
    plain_tokens = round(args.steps * args.batch *
                         sum(row_tokens(tokenizer, r) for r in sft_rows) / len(sft_rows))
    plain_s = plain_loop(base, sft_rows, args.steps, args.batch, 1e-3)
    plain_tps = plain_tokens / plain_s
    print(f"{args.steps} steps x {args.batch} rows of {len(items)} caught {args.behaviour} examples, "
          f"model {base}\n")
    print(f"{'method':<10}{'adapter':<8}{'seconds':>9}{'tokens':>9}{'tokens/s':>11}{'vs plain':>10}")
    print(f"{'plain':<10}{'full':<8}{plain_s:>9.2f}{plain_tokens:>9}{plain_tps:>11.0f}{1.0:>10.2f}")
    for method in ("sft", "dpo", "kto"):
        for adapter in ("lora", "full"):
            seconds, tokens = trl_run(base, items, method, adapter, args.steps, args.batch, 1e-3)
            tps = tokens / seconds
            print(f"{method:<10}{adapter:<8}{seconds:>9.2f}{tokens:>9}{tps:>11.0f}"
                  f"{tps / plain_tps:>10.2f}")


if __name__ == "__main__":
    main()
