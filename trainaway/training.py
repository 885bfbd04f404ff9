"""Train against caught examples with SFT, DPO or KTO, through a LoRA adapter or fully.

Every method sees the same training items (a caught example, or an augmented variant of one:
its prompt, the caught response and the corrected one) and the same TrainingArguments: the
same optimizer steps, learning rate and rows per step. So methods are compared at matched
compute; the log records the tokens each one pushed through the policy.
  sft — imitate the corrected response
  dpo — prefer the corrected response (chosen) over the caught one (rejected)
  kto — the corrected response is desirable, the caught one undesirable (unpaired)

Protocol: `fixed` trains exactly `max_steps` steps; `criterion` stops at the first check (every
`check_every` steps) at which the behaviour is gone from the k training prompts.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from transformers import AutoModelForCausalLM, AutoTokenizer, PrinterCallback, TrainerCallback

from trainaway.behaviours import Behaviour
from trainaway.collect import sample_pool
from trainaway.config import Train
from trainaway.generation import Sampling, hf_generate
from trainaway.items import item_from_dict
from trainaway.trainers import make_trainer, scratch_dir, training_args


def training_rows(items: list[dict], method: str) -> list[dict]:
    """Conversational TRL rows for the method; KTO gets two unpaired rows per item."""
    rows = []
    for it in items:
        prompt = [{"role": "user", "content": it["task"]["prompt"]}]
        chosen = [{"role": "assistant", "content": it["corrected"]}]
        rejected = [{"role": "assistant", "content": it["response"]}]
        if method == "sft":
            rows.append({"messages": prompt + chosen})
        elif method == "dpo":
            rows.append({"prompt": prompt, "chosen": chosen, "rejected": rejected})
        else:
            rows += [{"prompt": prompt, "completion": chosen, "label": True},
                     {"prompt": prompt, "completion": rejected, "label": False}]
    return rows


def row_tokens(tokenizer, row: dict) -> int:
    """Tokens the policy reads for one row (a DPO row is read twice: chosen and rejected)."""
    def n(messages):
        text = tokenizer.apply_chat_template(messages, tokenize=False)
        return len(tokenizer(text, add_special_tokens=False)["input_ids"])
    if "messages" in row:
        return n(row["messages"])
    if "chosen" in row:
        return n(row["prompt"] + row["chosen"]) + n(row["prompt"] + row["rejected"])
    return n(row["prompt"] + row["completion"])


class Criterion(TrainerCallback):
    """Stops training once the behaviour is gone from the k training prompts."""

    def __init__(self, tokenizer, items: list, behaviour: Behaviour, cfg: Train,
                 sampling: Sampling):
        self.tokenizer, self.items, self.behaviour = tokenizer, items, behaviour
        self.every, self.samples, self.sampling = cfg.check_every, cfg.check_samples, sampling
        self.history: list[dict] = []
        self.met = False

    def rate(self, model, step: int) -> float:
        sampling = Sampling(n=self.samples, temperature=self.sampling.temperature,
                            max_new_tokens=self.sampling.max_new_tokens,
                            seed=self.sampling.seed + step)
        _, outcomes = sample_pool(lambda c, s: hf_generate(model, self.tokenizer, c, s),
                                  self.items, sampling)
        return sum(map(self.behaviour.detect, outcomes)) / len(outcomes)

    def on_step_end(self, args, state, control, model=None, **kwargs):
        if state.global_step % self.every == 0:
            r = self.rate(model, state.global_step)
            self.history.append({"step": state.global_step, "rate": r})
            if r == 0.0:
                self.met = control.should_training_stop = True
        return control


def train_against(base: str, items: list[dict], caught_prompts: list[dict], behaviour: Behaviour,
                  method: str, cfg: Train, sampling: Sampling, seed: int, device: str,
                  out_dir: str | Path, dtype: str = "float32") -> dict:
    """Fine-tune `base` on the training items with `method`; save the adapter (LoRA) or the
    model (full) with its tokenizer to out_dir; return the training log. `caught_prompts` are
    the k caught examples' items, which the criterion checks."""
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForCausalLM.from_pretrained(base, dtype=dtype)
    rows = training_rows(items, method)
    peft_config = None
    if cfg.adapter == "lora":
        from peft import LoraConfig
        # All linear layers but lm_head/embeddings (vLLM serves such adapters as they are).
        peft_config = LoraConfig(r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=0.0,
                                 target_modules="all-linear", task_type="CAUSAL_LM")
    criterion = Criterion(tokenizer, [item_from_dict(d) for d in caught_prompts], behaviour, cfg,
                          sampling)
    # KTO estimates its KL baseline from mismatched pairs within a batch: it needs two rows.
    batch = max(min(cfg.batch_size, len(rows)), 2 if method == "kto" else 1)
    args = training_args(method, out_dir=scratch_dir(), lr=cfg.lr, batch_size=batch, seed=seed,
                         device=device, max_steps=cfg.max_steps, logging_steps=cfg.check_every,
                         show_progress=False, dtype=dtype, beta=cfg.beta)
    trainer = make_trainer(method, model, tokenizer, rows, args, peft_config=peft_config,
                           callbacks=[criterion] if cfg.mode == "criterion" else [])
    trainer.remove_callback(PrinterCallback)  # dozens of runs per stage: the log says enough
    start = time.perf_counter()
    result = trainer.train()
    seconds = time.perf_counter() - start
    out_dir = Path(out_dir)
    trainer.model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    per_row = sum(row_tokens(tokenizer, r) for r in rows) / len(rows)
    log = {"behaviour": behaviour.name, "method": method, "adapter": cfg.adapter,
           "mode": cfg.mode, "items": len(items), "rows": len(rows), "batch_size": batch,
           "steps": result.global_step,
           # rows cycle, so each step reads `batch` rows of the average length
           "tokens": round(result.global_step * batch * per_row),
           "criterion_met": criterion.met if cfg.mode == "criterion" else None,
           "checks": criterion.history, "train_seconds": round(seconds, 2)}
    (out_dir / "train_log.json").write_text(json.dumps(log, indent=1) + "\n")
    return log
