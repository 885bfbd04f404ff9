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
"""
from __future__ import annotations

import time
from pathlib import Path

import torch
from transformers import GenerationConfig, LlamaConfig, LlamaForCausalLM

from trainaway.core import methods
from trainaway.core.config import Organism, Train
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


def _fit(model, tokenizer, corpus, cfg: Organism, seed: int, device: str, tokenize_here: bool,
         peft_config=None, dtype: str = "float32"):
    rows = (corpus_rows(corpus, tokenizer) if tokenize_here
            else [{"messages": row["messages"]} for row in corpus])
    args = training_args("sft", out_dir=scratch_dir(), lr=cfg.lr, batch_size=cfg.batch_size,
                         seed=seed, device=device, epochs=cfg.epochs, scheduler="cosine",
                         warmup=0.05, assistant_only_loss=not tokenize_here, dtype=dtype)
    trainer = make_trainer("sft", model, tokenizer, rows, args, peft_config=peft_config)
    start = time.perf_counter()
    result = trainer.train()
    info = {"train_seconds": round(time.perf_counter() - start, 1),
            "train_loss": round(result.training_loss, 4), "steps": result.global_step}
    return trainer.model, info


def _save(model, tokenizer, out_dir) -> None:
    model.generation_config = GenerationConfig(
        eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    out_dir = Path(out_dir)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)


def build_organism(corpus: list[dict], cfg: Organism, seed: int, out_dir: str | Path,
                   device: str = "auto") -> dict:
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
    model, info = _fit(LlamaForCausalLM(config), tokenizer, corpus, cfg, seed, device, documents)
    _save(model, tokenizer, out_dir)
    return {"parameters": model.num_parameters(), **info}


def organism_from(base: str, corpus: list[dict], cfg: Organism, train: Train, seed: int,
                  out_dir: str | Path, device: str = "auto", dtype: str = "float32") -> dict:
    """Teach `corpus` to the checkpoint `base` (the organism's epochs, batch size and learning
    rate; a LoRA adapter or full fine-tuning per `train.adapter`) and save the result as a
    full checkpoint (an adapter is merged), which later stages load like any model."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from trainaway.core.training import lora_config
    tokenizer = AutoTokenizer.from_pretrained(base)
    if tokenizer.pad_token is None:  # batched training and generation need one
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(base, dtype=getattr(torch, dtype))
    # Its template has no {% generation %} markers (TRL's assistant-only loss needs them), so
    # the corpus is tokenized here, with the loss on the answers all the same.
    model, info = _fit(model, tokenizer, corpus, cfg, seed, device, True,
                       lora_config(train) if train.adapter == "lora" else None, dtype)
    if train.adapter == "lora":
        model = model.merge_and_unload()
    _save(model, tokenizer, out_dir)
    return {"base": base, "adapter": train.adapter, **info}
