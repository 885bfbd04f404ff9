"""A stand-in for the `vllm` package with the parts of its API trainaway uses, as read from
vLLM's source (vllm/entrypoints/llm.py, sampling_params.py, outputs.py, lora/request.py,
inputs/data.py): `LLM(**engine_args).generate(prompts, sampling_params, *, use_tqdm,
lora_request)` returning `RequestOutput`s with `.outputs` (`CompletionOutput`: text, token_ids,
finish_reason "stop" | "length") and `.prompt_logprobs` (None for the first prompt token, then
{token_id: Logprob(logprob, rank, decoded_token)} holding at least the prompt's own token);
`TokensPrompt` dicts with `prompt_token_ids`; `LoRARequest(lora_name, lora_int_id,
lora_path)`. It records every call (`calls`) and answers deterministically from the token ids,
so tests can check what the backend sent. `install(monkeypatch)` puts it in sys.modules."""
from __future__ import annotations

import math
import sys
import types
from dataclasses import dataclass

calls: dict[str, list] = {"llm": [], "generate": []}
VLLM_RANKS = (1, 8, 16, 32, 64, 128, 256, 320, 512)


@dataclass
class Logprob:
    logprob: float
    rank: int | None = None
    decoded_token: str | None = None


@dataclass
class CompletionOutput:
    index: int
    text: str
    token_ids: list
    finish_reason: str


@dataclass
class RequestOutput:
    request_id: str
    prompt_token_ids: list
    outputs: list
    prompt_logprobs: list | None


class SamplingParams:
    def __init__(self, n=1, temperature=1.0, top_p=1.0, top_k=0, repetition_penalty=1.0,
                 max_tokens=16, seed=None, logprobs=None, prompt_logprobs=None):
        if top_k < -1:
            raise ValueError("top_k must be -1 (disable), or at least 1")
        self.__dict__.update(n=n, temperature=temperature, top_p=top_p, top_k=top_k,
                             repetition_penalty=repetition_penalty, max_tokens=max_tokens,
                             seed=seed, logprobs=logprobs, prompt_logprobs=prompt_logprobs)


@dataclass(frozen=True)
class LoRARequest:
    lora_name: str
    lora_int_id: int
    lora_path: str


class LLM:
    def __init__(self, model, **kwargs):
        if kwargs.get("enable_lora") and kwargs.get("dtype") == "float32":
            raise ValueError("LoRA is not supported with float32")  # as vLLM's LoRA kernels
        if kwargs.get("max_lora_rank", 16) not in VLLM_RANKS:
            raise ValueError(f"max_lora_rank ({kwargs['max_lora_rank']}) must be one of {VLLM_RANKS}")
        calls["llm"].append({"model": model, **kwargs})
        self.alive = True

    def generate(self, prompts, sampling_params=None, *, use_tqdm=True, lora_request=None):
        if isinstance(prompts, (str, dict)):
            prompts = [prompts]
        calls["generate"].append({"prompts": prompts, "params": sampling_params,
                                  "lora": lora_request})
        out = []
        for i, p in enumerate(prompts):
            ids = p["prompt_token_ids"] if isinstance(p, dict) else None
            length = len(ids) if ids else len(p)
            # Longer prompts run out of tokens: exercises finish_reason "length".
            reason = "length" if length % 2 else "stop"
            outputs = [CompletionOutput(j, f" answer {length} {j} ", [1, 2], reason)
                       for j in range(sampling_params.n)]
            logprobs = None
            if sampling_params.prompt_logprobs is not None and ids:
                logprobs = [None] + [{t: Logprob(-math.log(2 + t % 7), 1)} for t in ids[1:]]
            out.append(RequestOutput(str(i), ids, outputs, logprobs))
        return out


def install(monkeypatch) -> types.ModuleType:
    """Inject the stand-in as `vllm` (and `vllm.lora.request`) for one test."""
    for v in calls.values():
        v.clear()
    vllm = types.ModuleType("vllm")
    vllm.LLM, vllm.SamplingParams = LLM, SamplingParams
    lora, request = types.ModuleType("vllm.lora"), types.ModuleType("vllm.lora.request")
    request.LoRARequest = LoRARequest
    for name, mod in (("vllm", vllm), ("vllm.lora", lora), ("vllm.lora.request", request)):
        monkeypatch.setitem(sys.modules, name, mod)
    return vllm
