"""Reinforcement learning from reward functions: TRL's GRPO on chat prompts.

The experiment brings the prompts (user turns) and named reward functions, each
`f(prompts, completions, **columns) -> list[float]` in TRL's convention, with a weight each.
A function of weight 0 shapes nothing but is logged every step like the others: the place for
a quantity the policy must not be trained on but the experiment wants to watch (say, accuracy
against ground truth that the graders never see). The rows handed to the trainer hold the
prompt only, since TRL passes every dataset column to every reward function.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Callable

from transformers import PrinterCallback

from trainaway.core.config import Train
from trainaway.core.models import load_hf_model, resolve_device
from trainaway.core.trainers import make_trainer, scratch_dir, training_args

Reward = Callable[..., list[float]]


def named(name: str, fn: Reward) -> Reward:
    """TRL logs a reward function under its __name__ (rewards/<name>/mean)."""
    fn.__name__ = name
    return fn


def completion_texts(completions) -> list[str]:
    """TRL hands conversational completions as message lists; plain ones as strings."""
    return [c[-1]["content"] if isinstance(c, list) else c for c in completions]


def train_grpo(model_dir: str, prompts: list[str], rewards: dict[str, tuple[Reward, float]],
               cfg: Train, seed: int, device: str, out_dir: str | Path, steps: int,
               generations: int, max_completion_length: int, temperature: float = 1.0,
               adapter: str | None = None, dtype: str = "float32",
               prompts_per_step: int = 2) -> dict:
    """GRPO on `model_dir` (with `adapter` merged in first: RL after SFT) for `steps` steps of
    `prompts_per_step` prompts x `generations` samples, rewarded by `rewards` (name -> (fn,
    weight)); save the model with its tokenizer to out_dir (a full checkpoint, LoRA merged:
    an adapter could not name a base that already had an SFT adapter merged into it) and
    return the log, with every reward's group mean at every step."""
    from trainaway.core.training import lora_config
    model, tokenizer = load_hf_model(model_dir, adapter, resolve_device(device), dtype)
    model.train()
    names = list(rewards)
    args = training_args("grpo", out_dir=scratch_dir(), lr=cfg.lr,
                         batch_size=generations * prompts_per_step, seed=seed, device=device,
                         max_steps=steps, logging_steps=1, show_progress=False, dtype=dtype,
                         beta=0.0, num_generations=generations,
                         max_completion_length=max_completion_length, temperature=temperature,
                         reward_weights=[rewards[n][1] for n in names])
    rows = [{"prompt": [{"role": "user", "content": p}]} for p in prompts]
    trainer = make_trainer("grpo", model, tokenizer, rows, args,
                           peft_config=lora_config(cfg) if cfg.adapter == "lora" else None,
                           reward_funcs=[named(n, rewards[n][0]) for n in names])
    trainer.remove_callback(PrinterCallback)
    start = time.perf_counter()
    result = trainer.train()
    seconds = time.perf_counter() - start
    out_dir = Path(out_dir)
    trained = trainer.model.merge_and_unload() if cfg.adapter == "lora" else trainer.model
    trained.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    curve = [{"step": e["step"], "reward": round(e["reward"], 4),
              **{n: round(e[f"rewards/{n}/mean"], 4) for n in names}}
             for e in trainer.state.log_history if "reward" in e]
    log = {"method": "grpo", "adapter": cfg.adapter, "prompts": len(prompts),
           "steps": result.global_step, "generations": generations,
           "weights": {n: rewards[n][1] for n in names}, "curve": curve}
    (out_dir / "train_log.json").write_text(json.dumps(log, indent=1) + "\n")
    return {**log, "train_seconds": round(seconds, 2)}  # wall time: returned, never saved
