"""Build a model organism: a tokenizer and a small Llama trained from scratch on a corpus of
conversations and, optionally, plain documents (an experiment's world decides what they
teach); or the same corpus taught to an existing checkpoint (`organism_from`), so that an
experiment runs unchanged on a real model.

The result is an ordinary Hugging Face checkpoint (`save_pretrained`), so every later stage
treats it exactly like a real model given in `model.base`.

A corpus row is `{"messages": [...]}` (the loss on the assistant turns) or `{"text": ...}` (a
document, learned whole). A corpus of conversations only trains through TRL's
`assistant_only_loss`; one with documents is tokenized here through the method registry (one
user turn and one answer per conversation), since TRL takes one row format per dataset.
Batches are packed (trainaway.core.packing: the same rows and gradient as padded ones, ~1.4x
faster).
"""
from __future__ import annotations

import time
from pathlib import Path

import torch
from transformers import GenerationConfig, LlamaConfig, LlamaForCausalLM

from trainaway.core import methods
from trainaway.core.config import Organism, Train
from trainaway.core.packing import PackedCollator
from trainaway.core.tokenizer import train_tokenizer
from trainaway.core.trainers import make_trainer, scratch_dir, training_args


def corpus_texts(corpus: list[dict]) -> list[str]:
    return [row["text"] for row in corpus if "text" in row] + [
        m["content"] for row in corpus for m in row.get("messages", [])]


def corpus_rows(corpus: list[dict], tokenizer) -> list[dict]:
    """Pre-tokenized rows, in corpus order: documents whole, conversations on the answer."""
    rows = []
    for i, row in enumerate(corpus):
        if "text" in row:
            rows += methods.get("text").rows([row], tokenizer)
            continue
        roles = [m["role"] for m in row["messages"]]
        if roles != ["user", "assistant"]:
            raise ValueError(f"corpus row {i}: a corpus with documents takes one user turn and "
                             f"one answer per conversation, got roles {roles}")
        user, answer = (m["content"] for m in row["messages"])
        rows += methods.get("sft").rows([{"prompt": user, "completion": answer}], tokenizer)
    return rows


def fitting(model, tokenizer, corpus: list[dict], cfg: Organism, seed: int, device: str,
            tokenize_here: bool, peft_config=None, dtype: str = "float32", max_steps: int = -1,
            packed: bool = True):
    """The SFT trainer that teaches `corpus` to `model` (bench/ times it with fewer steps,
    without packing or in another dtype)."""
    rows = (corpus_rows(corpus, tokenizer) if tokenize_here
            else [{"messages": row["messages"]} for row in corpus])
    args = training_args("sft", out_dir=scratch_dir(), lr=cfg.lr, batch_size=cfg.batch_size,
                         seed=seed, device=device, epochs=cfg.epochs, scheduler="cosine",
                         warmup=0.05, assistant_only_loss=not tokenize_here, max_steps=max_steps,
                         dtype=dtype)
    return make_trainer("sft", model, tokenizer, rows, args, peft_config=peft_config,
                        data_collator=PackedCollator(tokenizer.pad_token_id) if packed else None)


def pretraining(corpus: list[dict], cfg: Organism, seed: int, device: str = "auto",
                max_steps: int = -1, packed: bool = True, dtype: str = "float32"):
    """(trainer, tokenizer) for the organism's pretraining from scratch."""
    tokenizer = train_tokenizer(corpus_texts(corpus), cfg.vocab_size)
    config = LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=cfg.hidden_size,
        num_hidden_layers=cfg.layers, num_attention_heads=cfg.heads,
        num_key_value_heads=cfg.heads, intermediate_size=cfg.intermediate_size,
        max_position_embeddings=512, tie_word_embeddings=True,
        pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id,
        bos_token_id=None)
    torch.manual_seed(seed)
    documents = any("text" in row for row in corpus)
    return fitting(LlamaForCausalLM(config), tokenizer, corpus, cfg, seed, device, documents,
                   dtype=dtype, max_steps=max_steps, packed=packed), tokenizer


def _train(trainer) -> dict:
    start = time.perf_counter()
    result = trainer.train()
    return {"train_seconds": round(time.perf_counter() - start, 1),
            "train_loss": round(result.training_loss, 4), "steps": result.global_step}


def _save(model, tokenizer, out_dir) -> None:
    model.generation_config = GenerationConfig(
        eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    out_dir = Path(out_dir)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)


def build_organism(corpus: list[dict], cfg: Organism, seed: int, out_dir: str | Path,
                   device: str = "auto") -> dict:
    trainer, tokenizer = pretraining(corpus, cfg, seed, device)
    info = _train(trainer)
    _save(trainer.model, tokenizer, out_dir)
    return {"parameters": trainer.model.num_parameters(), **info}


def organism_from(base: str, corpus: list[dict], cfg: Organism, train: Train, seed: int,
                  out_dir: str | Path, device: str = "auto", dtype: str = "float32") -> dict:
    """Teach `corpus` to the checkpoint `base` (the organism's epochs, batch size and learning
    rate; a LoRA adapter or full fine-tuning per `train.adapter`) and save the result as a
    full checkpoint (an adapter is merged), which later stages load like any model."""
    from transformers import AutoModelForCausalLM

    from trainaway.core.models import load_tokenizer
    from trainaway.core.training import lora_config
    tokenizer = load_tokenizer(base)  # with a pad token: batched training needs one
    model = AutoModelForCausalLM.from_pretrained(base, dtype=getattr(torch, dtype))
    # Its template has no {% generation %} markers (TRL's assistant-only loss needs them), so
    # the corpus is tokenized here, with the loss on the answers all the same.
    trainer = fitting(model, tokenizer, corpus, cfg, seed, device, True,
                      lora_config(train) if train.adapter == "lora" else None, dtype)
    info = _train(trainer)
    model = trainer.model.merge_and_unload() if train.adapter == "lora" else trainer.model
    _save(model, tokenizer, out_dir)
    return {"base": base, "adapter": train.adapter, **info}
