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


def load_hf_model(model_path: str, adapter: str | None = None, device: str = "cpu",
                  dtype: str = "float32"):
    """(model, tokenizer) in eval mode; a LoRA adapter is merged (merged weights generate as
    fast as the base model)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    tokenizer = AutoTokenizer.from_pretrained(adapter or model_path)
    model = AutoModelForCausalLM.from_pretrained(model_path, dtype=getattr(torch, dtype))
    if adapter:
        from peft import PeftModel
        model = PeftModel.from_pretrained(model, adapter).merge_and_unload()
    return model.to(device).eval(), tokenizer
