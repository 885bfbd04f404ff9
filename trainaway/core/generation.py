"""Sampling completions for chat prompts: batched transformers generation, or vLLM.

Both backends take conversations (lists of chat messages ending in a user turn), render them
with the model's own chat template, and return `n` completions per prompt. A `prefix` is put
at the start of every assistant turn (prefilling: the model continues it; the completion
returned is what follows it). `hf_generate_text` continues raw text with no template (a
document's first words: what the model knows outside chat). vLLM is optional
(`pip install -e .[gpu]`); it serves LoRA adapters without merging them.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from tqdm.auto import tqdm


@dataclass(frozen=True)
class Sampling:
    n: int = 1
    temperature: float = 1.0
    max_new_tokens: int = 80
    seed: int = 0


def render_prompts(tokenizer, conversations: list[list[dict]], prefix: str = "") -> list[str]:
    return [tokenizer.apply_chat_template(c, add_generation_prompt=True, tokenize=False) + prefix
            for c in conversations]


def hf_generate(model, tokenizer, conversations: list[list[dict]], sampling: Sampling,
                batch_size: int = 128, desc: str | None = None,
                prefix: str = "") -> list[list[str]]:
    return hf_generate_text(model, tokenizer, render_prompts(tokenizer, conversations, prefix),
                            sampling, batch_size, desc)


@torch.no_grad()
def hf_generate_text(model, tokenizer, prompts: list[str], sampling: Sampling,
                     batch_size: int = 128, desc: str | None = None) -> list[list[str]]:
    """Continuations of already-rendered text. Left-padded batches, longest prompts first, so
    padding and per-step cost stay small."""
    jobs = sorted(((i, j) for i in range(len(prompts)) for j in range(sampling.n)),
                  key=lambda ij: -len(prompts[ij[0]]))
    out: list[list[str]] = [[""] * sampling.n for _ in prompts]
    was_training = model.training
    model.eval()
    tokenizer.padding_side = "left"
    gen = torch.Generator(device="cpu").manual_seed(sampling.seed)
    bar = tqdm(total=len(jobs), desc=desc, disable=desc is None, unit="sample")
    for start in range(0, len(jobs), batch_size):
        batch = jobs[start:start + batch_size]
        enc = tokenizer([prompts[i] for i, _ in batch], return_tensors="pt", padding=True,
                        add_special_tokens=False).to(model.device)
        # One seed per batch drawn from a seeded stream: same params, same samples.
        torch.manual_seed(int(torch.randint(0, 2**31 - 1, (1,), generator=gen)))
        greedy = sampling.temperature == 0
        ids = model.generate(
            **enc, max_new_tokens=sampling.max_new_tokens, do_sample=not greedy,
            temperature=None if greedy else sampling.temperature, top_p=None, top_k=None,
            pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id)
        texts = tokenizer.batch_decode(ids[:, enc["input_ids"].shape[1]:], skip_special_tokens=True)
        for (i, j), text in zip(batch, texts):
            out[i][j] = text.strip()
        bar.update(len(batch))
    bar.close()
    model.train(was_training)
    return out


def vllm_generate(model_path: str, conversations: list[list[dict]], sampling: Sampling,
                  adapter: str | None = None, lora_rank: int = 16,
                  dtype: str = "bfloat16", prefix: str = "") -> list[list[str]]:
    try:
        from vllm import LLM, SamplingParams
        from vllm.lora.request import LoRARequest
    except ImportError as e:
        raise RuntimeError("generation.backend: vllm needs vLLM: pip install -e '.[gpu]' "
                           "on a machine with a GPU, or set generation.backend: hf") from e
    from transformers import AutoTokenizer
    tokenizer = AutoTokenizer.from_pretrained(adapter or model_path)
    # vLLM accepts only these LoRA ranks; round the adapter's rank up to the next one.
    rank = next(r for r in (1, 8, 16, 32, 64, 128, 256, 320, 512) if r >= lora_rank)
    llm = LLM(model=model_path, tokenizer=adapter or model_path, seed=sampling.seed,
              dtype=dtype, enable_lora=adapter is not None, max_lora_rank=rank)
    params = SamplingParams(n=sampling.n, temperature=sampling.temperature,
                            max_tokens=sampling.max_new_tokens, seed=sampling.seed)
    lora = LoRARequest("trained", 1, adapter) if adapter else None
    results = llm.generate(render_prompts(tokenizer, conversations, prefix), params,
                           lora_request=lora)
    return [[c.text.strip() for c in r.outputs] for r in results]
