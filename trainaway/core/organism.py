"""Build a model organism: a tokenizer and a small Llama trained from scratch on a corpus of
conversations (an experiment's world decides what they teach).

The result is an ordinary Hugging Face checkpoint (`save_pretrained`), so every later stage
treats it exactly like a real model given in `model.base`.
"""
from __future__ import annotations

import time
from pathlib import Path

import torch
from transformers import GenerationConfig, LlamaConfig, LlamaForCausalLM

from trainaway.core.config import Organism
from trainaway.core.packing import PackedCollator
from trainaway.core.tokenizer import train_tokenizer
from trainaway.core.trainers import make_trainer, scratch_dir, training_args


def pretraining(corpus: list[dict], cfg: Organism, seed: int, device: str = "auto",
                max_steps: int = -1, packed: bool = False, dtype: str = "float32"):
    """(trainer, tokenizer) for the organism's pretraining; bench/ times it with fewer steps,
    packed or in another dtype. Packing (same gradient, ~1.4x faster, see packing.py) is not
    the default yet: the one packed organism built so far missed the hack-rate target (0.34 vs
    0.40) where the padded one met it (0.40), and one run each cannot tell drift from cause."""
    texts = [m["content"] for row in corpus for m in row["messages"]]
    tokenizer = train_tokenizer(texts, cfg.vocab_size)
    config = LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=cfg.hidden_size,
        num_hidden_layers=cfg.layers, num_attention_heads=cfg.heads,
        num_key_value_heads=cfg.heads, intermediate_size=cfg.intermediate_size,
        max_position_embeddings=512, tie_word_embeddings=True,
        pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id,
        bos_token_id=None)
    torch.manual_seed(seed)
    model = LlamaForCausalLM(config)
    args = training_args("sft", out_dir=scratch_dir(), lr=cfg.lr, batch_size=cfg.batch_size,
                         seed=seed, device=device, epochs=cfg.epochs, scheduler="cosine",
                         warmup=0.05, assistant_only_loss=True, max_steps=max_steps,
                         dtype=dtype)
    trainer = make_trainer("sft", model, tokenizer,
                           [{"messages": row["messages"]} for row in corpus], args,
                           data_collator=PackedCollator(tokenizer.pad_token_id) if packed else None)
    return trainer, tokenizer


def build_organism(corpus: list[dict], cfg: Organism, seed: int, out_dir: str | Path,
                   device: str = "auto") -> dict:
    trainer, tokenizer = pretraining(corpus, cfg, seed, device)
    start = time.perf_counter()
    result = trainer.train()
    seconds = time.perf_counter() - start
    model = trainer.model
    model.generation_config = GenerationConfig(
        eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    out_dir = Path(out_dir)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return {"parameters": model.num_parameters(), "train_seconds": round(seconds, 1),
            "train_loss": round(result.training_loss, 4), "steps": result.global_step}
