"""Supervised fine-tuning through TRL's SFTTrainer: one mechanism for pretraining the organism
and for training against caught examples.

Loss is on assistant turns only (`assistant_only_loss`), which needs the chat template's
{% generation %} markers; real models without them get TRL's training-compatible template.
"""
from __future__ import annotations

import tempfile

from datasets import Dataset
from trl import SFTConfig, SFTTrainer

from trainaway.generation import resolve_device


def sft_config(*, out_dir: str, lr: float, batch_size: int, seed: int, device: str,
               max_steps: int = -1, epochs: float = 1.0, scheduler: str = "constant",
               warmup: float = 0.0, logging_steps: int = 50, show_progress: bool = True,
               dtype: str = "float32") -> SFTConfig:
    return SFTConfig(
        output_dir=out_dir, learning_rate=lr, per_device_train_batch_size=batch_size,
        max_steps=max_steps, num_train_epochs=epochs, lr_scheduler_type=scheduler,
        warmup_steps=warmup, weight_decay=0.0, seed=seed, data_seed=seed,
        assistant_only_loss=True, max_length=512,
        # Tiny models: checkpointing only costs time; saving happens explicitly afterwards.
        # (gradient_checkpointing, not its newer alias, so that older transformers work too)
        gradient_checkpointing=False, save_strategy="no", report_to="none",
        logging_steps=logging_steps, disable_tqdm=not show_progress,
        use_cpu=resolve_device(device) == "cpu", bf16=dtype == "bfloat16",
        fp16=dtype == "float16", dataloader_num_workers=0)


def make_trainer(model, tokenizer, conversations: list[list[dict]], args: SFTConfig,
                 peft_config=None, callbacks=()) -> SFTTrainer:
    dataset = Dataset.from_list([{"messages": m} for m in conversations])
    return SFTTrainer(model=model, args=args, train_dataset=dataset, processing_class=tokenizer,
                      peft_config=peft_config, callbacks=list(callbacks))


def scratch_dir() -> str:
    """Trainer wants an output_dir even with saving off; keep it out of the DVC outs."""
    return tempfile.mkdtemp(prefix="trainaway-")
