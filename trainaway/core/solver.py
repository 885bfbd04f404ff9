"""The model under evaluation, however it is served: transformers in-process, or vLLM."""
from __future__ import annotations

import json
import math
from functools import cached_property
from pathlib import Path

from trainaway.core.config import Generation, Model
from trainaway.core.evaluation import answer_probabilities, answer_sequences
from trainaway.core.generation import Completion, Sampling, hf_generate, prompt_ids
from trainaway.core.io import DataError
from trainaway.core.models import load_hf_model, load_tokenizer, resolve_device, resolve_model


class Solver:
    def __init__(self, run_dir: str | Path, generation: Generation, model: Model):
        """run_dir: a base model (or its pointer), a LoRA adapter directory, or a fully
        fine-tuned model. An adapter names its base model in adapter_config.json."""
        run_dir = Path(run_dir)
        if not run_dir.is_dir():  # else transformers reads the path as a hub id, and says so
            raise DataError(f"{run_dir}: model directory not found (deleted? `dvc repro` "
                            "rebuilds it, `dvc checkout` restores it from the cache)")
        adapter_cfg = run_dir / "adapter_config.json"
        if adapter_cfg.is_file():
            cfg = json.loads(adapter_cfg.read_text())
            self.base, self.adapter = cfg["base_model_name_or_path"], str(run_dir)
            self.lora_rank = cfg["r"]
        else:
            self.base, self.adapter, self.lora_rank = resolve_model(run_dir), None, 16
        self.generation, self.model_cfg = generation, model

    @cached_property
    def tokenizer(self):
        return load_tokenizer(self.adapter or self.base, self.model_cfg.chat_template_kwargs)

    @cached_property
    def hf(self):
        """(model, tokenizer) in-process (the hf backend; probes read hidden states here)."""
        return load_hf_model(self.base, self.adapter, resolve_device(self.model_cfg.device),
                             self.model_cfg.dtype, self.model_cfg.chat_template_kwargs)

    @property
    def vllm(self):
        from trainaway.core import vllm_backend as v
        g = self.generation
        spec = v.EngineSpec(self.base, self.model_cfg.dtype, v.lora_rank(self.lora_rank),
                            g.gpu_memory_utilization, g.tensor_parallel_size)
        return v.engine(spec)

    def generate(self, conversations: list[list[dict]], sampling: Sampling,
                 desc: str | None = None, prefix: str = "") -> list[list[Completion]]:
        """Completions of each conversation's next assistant turn, after `prefix` (prefilled)."""
        if self.generation.backend == "vllm":
            return self.vllm.generate(prompt_ids(self.tokenizer, conversations, prefix),
                                      sampling, self.adapter)
        model, tokenizer = self.hf
        return hf_generate(model, tokenizer, conversations, sampling,
                           self.generation.batch_size, desc, prefix)

    def answer_probabilities(self, items: list[dict]) -> list[float]:
        """P(answer_matching_behavior) / P(any of the answers) after each item's chat prompt."""
        if self.generation.backend == "vllm":
            per_item = answer_sequences(self.tokenizer, items)
            lp = self.vllm.token_logprobs([q for seqs in per_item for q in seqs], self.adapter)
            scores, start = [], 0
            for seqs in per_item:  # softmax over the item's candidates, the matching one first
                mine = lp[start:start + len(seqs)]
                start += len(seqs)
                scores.append(1 / sum(math.exp(x - mine[0]) for x in mine))
            return scores
        return answer_probabilities(*self.hf, items)
