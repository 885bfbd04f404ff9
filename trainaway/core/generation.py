"""Sampling completions for chat prompts: batched transformers generation, or vLLM.

Both backends take conversations (lists of chat messages ending in a user turn), render them
with the model's own chat template (trainaway.core.chat.render, template keywords pinned),
and return `n` completions per prompt, each flagged when it stopped at `max_new_tokens`
rather than at an end-of-turn token (a truncated answer is not scored as any behaviour). A
`prefix` is put at the start of every assistant turn (prefilling: the model continues it; the
completion returned is what follows it). `hf_generate_text` continues raw text with no
template (a document's first words: what the model knows outside chat).
The sampling settings are exactly those in `Sampling`, applied identically by both backends:
the checkpoint's generation_config never adds its own (trainaway.core.models). vLLM is
optional (`pip install -e .[gpu]`; trainaway.core.vllm_backend).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from tqdm.auto import tqdm

from trainaway.core.chat import encode, render


@dataclass(frozen=True)
class Sampling:
    n: int = 1
    temperature: float = 1.0
    max_new_tokens: int = 80
    seed: int = 0
    top_p: float = 1.0               # 1: off
    top_k: int = 0                   # 0: off
    repetition_penalty: float = 1.0  # 1: off

    def record(self) -> dict:
        """The effective settings, for every run's eval JSON."""
        return {k: v for k, v in asdict(self).items() if k not in ("n", "seed")}


def sampling(generation, **overrides) -> Sampling:
    """The sampling settings of params' `generation` block (trainaway.core.config.Generation)."""
    return Sampling(**{"temperature": generation.temperature, "top_p": generation.top_p,
                       "top_k": generation.top_k,
                       "repetition_penalty": generation.repetition_penalty,
                       "max_new_tokens": generation.max_new_tokens, **overrides})


@dataclass(frozen=True)
class Completion:
    text: str
    truncated: bool = False  # stopped at max_new_tokens, not at an end of turn


def render_prompts(tokenizer, conversations: list[list[dict]], prefix: str = "") -> list[str]:
    return [render(tokenizer, c, add_generation_prompt=True) + prefix for c in conversations]


def prompt_ids(tokenizer, conversations: list[list[dict]], prefix: str = "") -> list[list[int]]:
    """Token ids of the rendered prompts: the template wrote any BOS, so none is added (a
    Llama-3 tokenizer would otherwise begin every prompt with two)."""
    return [encode(tokenizer, p) for p in render_prompts(tokenizer, conversations, prefix)]


def stop_ids(model, tokenizer) -> set[int]:
    eos = model.generation_config.eos_token_id
    ids = {eos} if isinstance(eos, int) else set(eos or [])
    return ids | ({tokenizer.eos_token_id} - {None})


def hf_generate(model, tokenizer, conversations: list[list[dict]], sampling: Sampling,
                batch_size: int = 128, desc: str | None = None,
                prefix: str = "") -> list[list[Completion]]:
    return hf_generate_ids(model, tokenizer, prompt_ids(tokenizer, conversations, prefix),
                           sampling, batch_size, desc)


def hf_generate_text(model, tokenizer, prompts: list[str], sampling: Sampling,
                     batch_size: int = 128, desc: str | None = None) -> list[list[Completion]]:
    """Continuations of raw text, tokenized as it is (no template, no special tokens added)."""
    return hf_generate_ids(model, tokenizer, [encode(tokenizer, p) for p in prompts], sampling,
                           batch_size, desc)


@torch.no_grad()
def hf_generate_ids(model, tokenizer, prompts: list[list[int]], sampling: Sampling,
                    batch_size: int = 128, desc: str | None = None) -> list[list[Completion]]:
    """Left-padded batches, longest prompts first, so padding and per-step cost stay small."""
    jobs = sorted(((i, j) for i in range(len(prompts)) for j in range(sampling.n)),
                  key=lambda ij: -len(prompts[ij[0]]))
    out: list[list[Completion]] = [[Completion("")] * sampling.n for _ in prompts]
    was_training = model.training
    model.eval()
    tokenizer.padding_side = "left"
    stops = stop_ids(model, tokenizer)
    gen = torch.Generator(device="cpu").manual_seed(sampling.seed)
    greedy = sampling.temperature == 0
    # Every setting explicit: transformers would fill any left unset from the checkpoint.
    settings = dict(max_new_tokens=sampling.max_new_tokens, do_sample=not greedy,
                    temperature=None if greedy else sampling.temperature,
                    top_p=None if greedy else sampling.top_p,
                    top_k=None if greedy else sampling.top_k,
                    repetition_penalty=sampling.repetition_penalty,
                    pad_token_id=tokenizer.pad_token_id, eos_token_id=sorted(stops))
    bar = tqdm(total=len(jobs), desc=desc, disable=desc is None, unit="sample")
    for start in range(0, len(jobs), batch_size):
        batch = jobs[start:start + batch_size]
        enc = tokenizer.pad({"input_ids": [prompts[i] for i, _ in batch]},
                            return_tensors="pt").to(model.device)
        # One seed per batch drawn from a seeded stream: same params, same samples.
        torch.manual_seed(int(torch.randint(0, 2**31 - 1, (1,), generator=gen)))
        ids = model.generate(**enc, **settings)
        new = ids[:, enc["input_ids"].shape[1]:].tolist()
        for (i, j), tokens in zip(batch, new):
            ended = any(t in stops for t in tokens)
            text = tokenizer.decode(tokens, skip_special_tokens=True)
            out[i][j] = Completion(text.strip(), truncated=not ended
                                   and len(tokens) >= sampling.max_new_tokens)
        bar.update(len(batch))
    bar.close()
    model.train(was_training)
    return out
