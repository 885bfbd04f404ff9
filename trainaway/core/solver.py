"""The model under evaluation, however it is served: transformers in-process, or vLLM."""
from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path

from trainaway.core.config import Generation, Model
from trainaway.core.generation import Sampling, hf_generate, vllm_generate
from trainaway.core.models import load_hf_model, resolve_device, resolve_model


class Solver:
    def __init__(self, run_dir: str | Path, generation: Generation, model: Model):
        """run_dir: a base model (or its pointer), a LoRA adapter directory, or a fully
        fine-tuned model. An adapter names its base model in adapter_config.json."""
        run_dir = Path(run_dir)
        adapter_cfg = run_dir / "adapter_config.json"
        if adapter_cfg.is_file():
            cfg = json.loads(adapter_cfg.read_text())
            self.base, self.adapter = cfg["base_model_name_or_path"], str(run_dir)
            self.lora_rank = cfg["r"]
        else:
            self.base, self.adapter, self.lora_rank = resolve_model(run_dir), None, 16
        self.generation, self.model_cfg = generation, model

    @cached_property
    def hf(self):
        """(model, tokenizer) in-process; also used for logit scoring with either backend."""
        return load_hf_model(self.base, self.adapter, resolve_device(self.model_cfg.device),
                             self.model_cfg.dtype)

    def generate(self, conversations: list[list[dict]], sampling: Sampling,
                 desc: str | None = None, prefix: str = "") -> list[list[str]]:
        """Completions of each conversation's next assistant turn, after `prefix` (prefilled)."""
        if self.generation.backend == "vllm":
            return vllm_generate(self.base, conversations, sampling, self.adapter,
                                 self.lora_rank, self.model_cfg.dtype, prefix)
        model, tokenizer = self.hf
        return hf_generate(model, tokenizer, conversations, sampling,
                           self.generation.batch_size, desc, prefix)
