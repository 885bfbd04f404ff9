"""TRL trainers behind one call, all on the same TrainingArguments so that runs differ only in
the algorithm (the method registry, trainaway.core.methods, says which trainer a method uses
and builds its rows).

`assistant_only_loss` (loss on assistant turns of `messages` rows) needs the chat template's
{% generation %} markers: only the organism's own pretraining uses it. Fine-tuning rows carry
their own loss mask (trainaway.core.methods), so any chat template trains.
"""
from __future__ import annotations

import tempfile

from datasets import Dataset
from trl import (DPOConfig, DPOTrainer, GRPOConfig, GRPOTrainer, KTOConfig, KTOTrainer, SFTConfig,
                 SFTTrainer)

from trainaway.core.models import resolve_device

TRAINERS = {"sft": (SFTConfig, SFTTrainer), "dpo": (DPOConfig, DPOTrainer),
            "kto": (KTOConfig, KTOTrainer), "grpo": (GRPOConfig, GRPOTrainer)}


def training_args(trainer: str, *, out_dir: str, lr: float, batch_size: int, seed: int,
                  device: str, max_steps: int = -1, epochs: float = 1.0,
                  scheduler: str = "constant", warmup: float = 0.0, logging_steps: int = 50,
                  show_progress: bool = True, dtype: str = "float32", beta: float = 0.1,
                  assistant_only_loss: bool = False, precompute_ref: bool = True,
                  **algorithm):
    """`precompute_ref` (DPO/KTO): the reference model's log-probs computed once per row before
    training instead of at every step. The reference is frozen, so nothing changes but the cost:
    a run of k rows for up to 200 steps reads each row many times (bench/train_throughput.py).
    `algorithm`: the trainer's own options (GRPO: num_generations, reward_weights, ...)."""
    config_cls, _ = TRAINERS[trainer]
    extra = ({"assistant_only_loss": assistant_only_loss} if trainer == "sft" else
             {"beta": beta} if trainer == "grpo" else
             {"beta": beta, "precompute_ref_log_probs": precompute_ref})
    if trainer != "grpo":  # GRPO bounds what it generates instead (max_completion_length)
        extra["max_length"] = 512
    return config_cls(
        output_dir=out_dir, learning_rate=lr, per_device_train_batch_size=batch_size,
        max_steps=max_steps, num_train_epochs=epochs, lr_scheduler_type=scheduler,
        warmup_steps=warmup, weight_decay=0.0, seed=seed, data_seed=seed,
        # Tiny models: checkpointing only costs time; saving happens explicitly afterwards.
        # (activation_checkpointing: TRL's configs still default the name deprecated for v6,
        # gradient_checkpointing, to True; setting the new name overrides it without a warning)
        activation_checkpointing=False, save_strategy="no", report_to="none",
        # Seeded (the Trainer's set_seed), but not transformers' full_determinism: its
        # torch.use_deterministic_algorithms made the organism's pretraining 1.73x slower on
        # CPU (80 steps: 9.0 s vs 5.2 s, measured side by side), while CPU kernels at a fixed
        # thread count already repeat themselves (tests/test_reliability.py compares bytes).
        logging_steps=logging_steps, disable_tqdm=not show_progress,
        use_cpu=resolve_device(device) == "cpu", bf16=dtype == "bfloat16",
        fp16=dtype == "float16", dataloader_num_workers=0, **extra, **algorithm)


def make_trainer(trainer: str, model, tokenizer, rows: list[dict], args, peft_config=None,
                 callbacks=(), data_collator=None, **algorithm):
    """`data_collator`: None for the trainer's own (e.g. trainaway.core.packing's for SFT).
    `algorithm`: the trainer's own arguments (GRPO: reward_funcs)."""
    _, trainer_cls = TRAINERS[trainer]
    if data_collator is not None:  # GRPO takes none: it builds its batches from generations
        algorithm["data_collator"] = data_collator
    return trainer_cls(model=model, args=args, train_dataset=Dataset.from_list(rows),
                       processing_class=tokenizer, peft_config=peft_config,
                       callbacks=list(callbacks), **algorithm)


def scratch_dir() -> str:
    """Trainer wants an output_dir even with saving off; keep it out of the DVC outs."""
    return tempfile.mkdtemp(prefix="trainaway-")
