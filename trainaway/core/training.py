"""One training run: fine-tune a checkpoint on examples with a registered method, through a
LoRA adapter or fully, and save what it produced.

Every method sees the same TrainingArguments (steps, learning rate, rows per step), so methods
are compared at matched compute; the log records the tokens each one pushed through the policy.

Protocol (`train.mode`): `fixed` trains exactly `max_steps` steps; `criterion` stops at the
first check (every `check_every` steps) at which `stop.rate(model)` is 0 (e.g. the behaviour
is gone from the training prompts). What "the rate" is belongs to the experiment: training
knows nothing about behaviours, sampling or grading.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from transformers import AutoModelForCausalLM, PrinterCallback, TrainerCallback

from trainaway.core import methods
from trainaway.core.methods import row_tokens
from trainaway.core.config import Train
from trainaway.core.models import load_tokenizer, neutral_generation_config
from trainaway.core.trainers import make_trainer, scratch_dir, training_args


@dataclass(frozen=True)
class StopRule:
    """Check `rate(model)` every `every` steps; stop at the first check where it is 0."""
    every: int
    rate: Callable[[object], float]


class _Criterion(TrainerCallback):
    def __init__(self, rule: StopRule):
        self.rule, self.history, self.met = rule, [], False

    def on_step_end(self, args, state, control, model=None, **kwargs):
        if state.global_step % self.rule.every == 0:
            r = self.rule.rate(model)
            self.history.append({"step": state.global_step, "rate": r})
            if r == 0.0:
                self.met = control.should_training_stop = True
        return control


def lora_config(cfg: Train):
    from peft import LoraConfig
    # All linear layers but lm_head/embeddings (vLLM serves such adapters as they are).
    return LoraConfig(r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=0.0,
                      target_modules="all-linear", task_type="CAUSAL_LM")


def sort_target_modules(adapter_dir: Path) -> None:
    """PEFT saves `target_modules` in set order, which differs between processes: sorted, the
    same run writes the same adapter bytes."""
    path = adapter_dir / "adapter_config.json"
    cfg = json.loads(path.read_text())
    if isinstance(cfg.get("target_modules"), list):
        cfg["target_modules"] = sorted(cfg["target_modules"])
    path.write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")


def train(base: str, examples: list[dict], method: str, cfg: Train, seed: int, device: str,
          out_dir: str | Path, dtype: str = "float32", stop: StopRule | None = None,
          steps: int | None = None, template_kwargs: dict | None = None) -> dict:
    """Fine-tune `base` on `examples` (see trainaway.core.methods) with `method`; save the
    adapter (LoRA) or the model (full) with its tokenizer to out_dir; return the training log
    (steps, tokens, epochs over the rows, the stop rule's checks, the loss curve). `stop` is
    consulted in criterion mode only; `steps` overrides the budget (a control trained for as
    many steps as the run it is matched to); `template_kwargs` are pinned for rendering the
    rows (params model.chat_template_kwargs)."""
    m = methods.get(method)
    tokenizer = load_tokenizer(base, template_kwargs)
    model = AutoModelForCausalLM.from_pretrained(base, dtype=dtype)
    # The criterion samples this model: with params' settings only, as evaluation does.
    model.generation_config = neutral_generation_config(model, tokenizer)
    rows = m.rows(examples, tokenizer)
    criterion = (_Criterion(stop) if cfg.mode == "criterion" and stop is not None and not steps
                 else None)
    batch = max(min(cfg.batch_size, len(rows)), m.min_batch)
    args = training_args(m.trainer, out_dir=scratch_dir(), lr=cfg.lr, batch_size=batch,
                         seed=seed, device=device, max_steps=steps or cfg.max_steps,
                         logging_steps=cfg.check_every, show_progress=False, dtype=dtype,
                         beta=cfg.beta)
    trainer = make_trainer(m.trainer, model, tokenizer, rows, args,
                           peft_config=lora_config(cfg) if cfg.adapter == "lora" else None,
                           callbacks=[criterion] if criterion else [])
    trainer.remove_callback(PrinterCallback)  # dozens of runs per stage: the log says enough
    start = time.perf_counter()
    result = trainer.train()
    seconds = time.perf_counter() - start
    out_dir = Path(out_dir)
    trainer.model.save_pretrained(out_dir)
    if cfg.adapter == "lora":
        sort_target_modules(out_dir)
    tokenizer.save_pretrained(out_dir)
    per_row = sum(row_tokens(r, tokenizer) for r in rows) / len(rows)
    done = result.global_step
    log = {"method": method, "adapter": cfg.adapter, "mode": "matched" if steps else cfg.mode,
           "items": len(examples), "rows": len(rows), "batch_size": batch, "steps": done,
           # rows cycle, so each step reads `batch` rows of the average length
           "tokens": round(done * batch * per_row),
           "epochs": round(done * batch / len(rows), 3),  # passes over each training row
           "criterion_met": criterion.met if criterion else None,
           "checks": criterion.history if criterion else [],
           "losses": [{"step": e["step"], "loss": round(e["loss"], 4)}
                      for e in trainer.state.log_history if "loss" in e]}
    (out_dir / "train_log.json").write_text(json.dumps(log, indent=1) + "\n")
    return {**log, "train_seconds": round(seconds, 2)}  # wall time: returned, never saved
