"""Generation and answer scoring through vLLM (`generation.backend: vllm`).

One engine per stage process, reused by every run it serves: a sweep's LoRA runs share their
base model's engine, each adapter passed per request as a `LoRARequest` (never merged, never
a second engine). A run that needs other weights (a fully fine-tuned model) replaces the
engine, and the old one is freed first. The engine takes `generation.gpu_memory_utilization`
of the GPU, so the HF model being trained in the same process keeps the rest.

Prompts are token ids rendered by our own chat template path (trainaway.core.chat), so vLLM
never re-tokenizes text (a Llama-3 tokenizer would add a second BOS) and both backends see
the same tokens. Answer probabilities come from `prompt_logprobs` (the logprob vLLM assigns
to each prompt token), so scoring needs no HF copy of the model.

vLLM cannot run on the machines this was written on (no GPU, not installed): the tests drive
this module through a stand-in with vLLM's API (tests/core/fake_vllm.py), read from its
source. Known vLLM constraints honoured here: LoRA ranks are one of VLLM_LORA_RANKS; its LoRA
kernels need bfloat16 or float16 (params validation refuses float32 + LoRA); prefix caching
is off because it corrupts `prompt_logprobs`.
"""
from __future__ import annotations

import gc
from dataclasses import dataclass

from trainaway.core.generation import Completion, Sampling

VLLM_LORA_RANKS = (1, 8, 16, 32, 64, 128, 256, 320, 512)
INSTALL = ("generation.backend: vllm needs vLLM: pip install -e '.[gpu]' on a machine with a "
           "GPU, or set generation.backend: hf")


def lora_rank(r: int) -> int:
    """vLLM accepts only these LoRA ranks: the adapter's rank rounded up to the next one."""
    return next(x for x in VLLM_LORA_RANKS if x >= r)


@dataclass(frozen=True)
class EngineSpec:
    model: str
    dtype: str
    max_lora_rank: int
    gpu_memory_utilization: float
    tensor_parallel_size: int


class Engine:
    """The process's vLLM engine and the adapters it has served (each with its own id)."""

    def __init__(self, spec: EngineSpec):
        try:
            from vllm import LLM
        except ImportError as e:
            raise RuntimeError(INSTALL) from e
        self.spec, self.adapters = spec, {}
        # Every request carries its own seed (SamplingParams), so one engine serves all runs.
        self.llm = LLM(model=spec.model, tokenizer=spec.model, dtype=spec.dtype,
                       seed=0, enable_lora=True, max_lora_rank=spec.max_lora_rank,
                       max_loras=1, gpu_memory_utilization=spec.gpu_memory_utilization,
                       tensor_parallel_size=spec.tensor_parallel_size,
                       enable_prefix_caching=False)

    def lora(self, adapter: str | None):
        if adapter is None:
            return None
        from vllm.lora.request import LoRARequest
        if adapter not in self.adapters:  # a new adapter gets a new id: vLLM caches by id
            self.adapters[adapter] = len(self.adapters) + 1
        return LoRARequest(f"adapter-{self.adapters[adapter]}", self.adapters[adapter], adapter)

    def generate(self, prompts: list[list[int]], sampling: Sampling,
                 adapter: str | None = None) -> list[list[Completion]]:
        """`sampling.n` completions per prompt (token ids: trainaway.core.generation.prompt_ids,
        rendered with the run's own tokenizer)."""
        from vllm import SamplingParams
        params = SamplingParams(
            n=sampling.n, temperature=sampling.temperature, top_p=sampling.top_p,
            top_k=sampling.top_k or -1, repetition_penalty=sampling.repetition_penalty,
            max_tokens=sampling.max_new_tokens, seed=sampling.seed)
        results = self.llm.generate([{"prompt_token_ids": ids} for ids in prompts], params,
                                    use_tqdm=False,
                                    lora_request=self.lora(adapter))
        return [[Completion(c.text.strip(), truncated=c.finish_reason == "length")
                 for c in r.outputs] for r in results]

    def token_logprobs(self, sequences: list[list[int]], adapter: str | None = None
                       ) -> list[float]:
        """The logprob of each sequence's last token given the rest (one forward pass each,
        no sampling: `prompt_logprobs` with max_tokens=1)."""
        from vllm import SamplingParams
        params = SamplingParams(max_tokens=1, temperature=0.0, prompt_logprobs=0)
        results = self.llm.generate([{"prompt_token_ids": ids} for ids in sequences], params,
                                    use_tqdm=False, lora_request=self.lora(adapter))
        return [r.prompt_logprobs[-1][ids[-1]].logprob for r, ids in zip(results, sequences)]


_ENGINE: list[Engine] = []  # at most one per process


def engine(spec: EngineSpec) -> Engine:
    """The process's engine for `spec`: reused when it matches, else the old one is freed and
    a new one started (two engines would each claim their GPU memory share)."""
    if _ENGINE and _ENGINE[0].spec == spec:
        return _ENGINE[0]
    release()
    _ENGINE.append(Engine(spec))
    return _ENGINE[0]


def release() -> None:
    if not _ENGINE:
        return
    _ENGINE.pop()
    gc.collect()
    import torch
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
