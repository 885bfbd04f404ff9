"""Which model a stage talks to, on which device, loaded how.

`models/.../base` is either the organism's checkpoint or a pointer (model_ref.json) to the real
model named in `model.base`; every stage resolves it here. Light at import time (no torch), so
stages that only read files start fast.
"""
from __future__ import annotations

import json
from pathlib import Path

REF_FILE = "model_ref.json"  # written instead of weights when model.base names a real model


def write_model_ref(base: str, out_dir: str | Path) -> None:
    """model.base names a real model: record it instead of training an organism."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / REF_FILE).write_text(json.dumps({"base": base}) + "\n")


def resolve_model(path: str | Path) -> str:
    """The loadable model behind models/base: the organism itself, or the real model it names."""
    ref = Path(path) / REF_FILE
    return json.loads(ref.read_text())["base"] if ref.is_file() else str(path)


def resolve_device(device: str) -> str:
    if device == "auto":
        import torch
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


def load_tokenizer(path: str, template_kwargs: dict | None = None):
    """The one place a tokenizer is loaded. A tokenizer without a pad token (Llama-3.x ships
    none) pads with its end-of-sequence token, on the left, so batched generation works; the
    choice is visible in `tokenizer_facts`. `template_kwargs` are pinned for every rendering
    (trainaway.core.chat.render)."""
    from transformers import AutoTokenizer

    from trainaway.core.chat import pin
    tokenizer = AutoTokenizer.from_pretrained(path)
    if tokenizer.pad_token is None:
        if tokenizer.eos_token is None:
            raise ValueError(f"{path}: the tokenizer has neither a pad nor an eos token to pad "
                             "batches with; set one in its tokenizer_config.json")
        tokenizer.pad_token = tokenizer.eos_token
        tokenizer.trainaway_pad_from = "eos"
    tokenizer.padding_side = "left"  # generation continues each prompt's own last token
    pin(tokenizer, template_kwargs or {})
    return tokenizer


def tokenizer_facts(tokenizer) -> dict:
    """What every eval record says about how prompts were made: the pad token (and whether the
    loader set it) and the pinned chat-template keywords."""
    from trainaway.core.chat import PINNED
    return {"pad_token": tokenizer.pad_token,
            "pad_token_from": getattr(tokenizer, "trainaway_pad_from", "tokenizer"),
            "chat_template_kwargs": getattr(tokenizer, PINNED, {})}


def neutral_generation_config(model, tokenizer):
    """The checkpoint's generation_config without its sampling defaults: transformers fills
    every setting `generate` is not given from it (Qwen ships repetition_penalty 1.05-1.1,
    top_k, top_p), which vLLM never reads. Only the stop tokens are kept, so both backends
    sample with exactly the settings in params (trainaway.core.generation.Sampling)."""
    from transformers import GenerationConfig
    eos = model.generation_config.eos_token_id
    eos = [eos] if isinstance(eos, int) else list(eos or [])
    if tokenizer.eos_token_id is not None and tokenizer.eos_token_id not in eos:
        eos.append(tokenizer.eos_token_id)
    return GenerationConfig(eos_token_id=eos or None, pad_token_id=tokenizer.pad_token_id,
                            bos_token_id=model.generation_config.bos_token_id)


def load_hf_model(model_path: str, adapter: str | None = None, device: str = "cpu",
                  dtype: str = "float32", template_kwargs: dict | None = None):
    """(model, tokenizer) in eval mode; a LoRA adapter is merged (merged weights generate as
    fast as the base model)."""
    import torch
    from transformers import AutoModelForCausalLM
    tokenizer = load_tokenizer(adapter or model_path, template_kwargs)
    model = AutoModelForCausalLM.from_pretrained(model_path, dtype=getattr(torch, dtype))
    if adapter:
        from peft import PeftModel
        model = PeftModel.from_pretrained(model, adapter).merge_and_unload()
    model.generation_config = neutral_generation_config(model, tokenizer)
    return model.to(device).eval(), tokenizer
