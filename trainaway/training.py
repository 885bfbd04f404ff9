"""Train against k caught examples: SFT on their corrected responses, LoRA or full fine-tuning.

Protocol (criterion mode): the fewest optimizer steps, checked every `check_every` steps and
capped at `max_steps`, after which the model no longer shows the behaviour on its k training
prompts (`check_samples` samples each). Fixed mode trains exactly `max_steps` steps.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback

from trainaway.behaviours import Behaviour
from trainaway.collect import sample_pool
from trainaway.config import Train
from trainaway.generation import Sampling, hf_generate
from trainaway.sft import make_trainer, scratch_dir, sft_config
from trainaway.tasks import Task


class Criterion(TrainerCallback):
    """Stops training once the behaviour is gone from the k training prompts."""

    def __init__(self, tokenizer, tasks: list[Task], behaviour: Behaviour, cfg: Train,
                 sampling: Sampling):
        self.tokenizer, self.tasks, self.behaviour = tokenizer, tasks, behaviour
        self.every, self.samples, self.sampling = cfg.check_every, cfg.check_samples, sampling
        self.history: list[dict] = []
        self.met = False

    def rate(self, model, step: int) -> float:
        sampling = Sampling(n=self.samples, temperature=self.sampling.temperature,
                            max_new_tokens=self.sampling.max_new_tokens,
                            seed=self.sampling.seed + step)
        _, outcomes = sample_pool(lambda c, s: hf_generate(model, self.tokenizer, c, s),
                                  self.tasks, sampling)
        return sum(map(self.behaviour.detect, outcomes)) / len(outcomes)

    def on_step_end(self, args, state, control, model=None, **kwargs):
        if state.global_step % self.every == 0:
            r = self.rate(model, state.global_step)
            self.history.append({"step": state.global_step, "rate": r})
            if r == 0.0:
                self.met = control.should_training_stop = True
        return control


def train_against(base: str, examples: list[dict], behaviour: Behaviour, cfg: Train,
                  sampling: Sampling, seed: int, device: str, out_dir: str | Path,
                  dtype: str = "float32") -> dict:
    """Fine-tune `base` on the examples' corrected responses; save the adapter (LoRA) or the
    model (full) with its tokenizer to out_dir; return the training log."""
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForCausalLM.from_pretrained(base, dtype=dtype)
    tasks = [Task.from_dict(e["task"]) for e in examples]
    conversations = [[{"role": "user", "content": t.prompt},
                      {"role": "assistant", "content": e["corrected"]}]
                     for t, e in zip(tasks, examples)]
    peft_config = None
    if cfg.method == "lora":
        from peft import LoraConfig
        # All linear layers but lm_head/embeddings (vLLM serves such adapters as they are).
        peft_config = LoraConfig(r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=0.0,
                                 target_modules="all-linear", task_type="CAUSAL_LM")
    criterion = Criterion(tokenizer, tasks, behaviour, cfg, sampling)
    args = sft_config(out_dir=scratch_dir(), lr=cfg.lr, batch_size=min(cfg.batch_size, len(examples)),
                      seed=seed, device=device, max_steps=cfg.max_steps, logging_steps=cfg.check_every,
                      show_progress=False, dtype=dtype)
    trainer = make_trainer(model, tokenizer, conversations, args, peft_config=peft_config,
                           callbacks=[criterion] if cfg.mode == "criterion" else [])
    start = time.perf_counter()
    result = trainer.train()
    out_dir = Path(out_dir)
    trainer.model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    log = {"behaviour": behaviour.name, "k": len(examples), "method": cfg.method,
           "mode": cfg.mode, "steps": result.global_step,
           "criterion_met": criterion.met if cfg.mode == "criterion" else None,
           "checks": criterion.history, "train_seconds": round(time.perf_counter() - start, 2)}
    (out_dir / "train_log.json").write_text(json.dumps(log, indent=1) + "\n")
    return log
