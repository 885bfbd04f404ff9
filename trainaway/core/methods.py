"""The registry of training methods: name -> how TRL rows are built -> which TRL trainer.

Experiments hand training *examples* to a method; an example is a dict with any of
  prompt      the user turn (text)
  prefix      the start of the assistant turn that is context, not learned (default "")
  completion  the assistant text to learn (SFT target, DPO's chosen, KTO's desirable)
  rejected    the assistant text to move away from (DPO's rejected, KTO's undesirable)
  opening     the start of an assistant turn to learn, left open: no end-of-turn token in the
              loss, so the model learns to begin that way and then go on (not to stop there)
  text        a plain document (no chat template), learned as a whole
and a method declares which fields it `needs`, so an experiment's params can be validated
against the methods its data supports (`supported`). Rows are rendered with the model's own
chat template (trainaway.core.chat), so every method works with any template; SFT rows are
tokenized here, with the loss on the completion only (its end-of-turn token included).
Params validation, training, the report and the docs all read this one table.

Light at import time: the TRL classes behind `trainer` are looked up in trainaway.core.trainers.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from trainaway.core.chat import completion_text, encode, prompt_text, without_bos

IGNORE = -100  # label of a token outside the loss


@dataclass(frozen=True)
class Method:
    name: str
    description: str                                 # one clause, for the report and the docs
    trainer: str                                     # key of trainaway.core.trainers.TRAINERS
    needs: frozenset[str]                            # example fields the rows are built from
    rows: Callable[[list[dict], object], list[dict]]  # (examples, tokenizer) -> TRL rows
    min_batch: int = 1                               # rows per step the algorithm needs


def _texts(e: dict, tokenizer, answer: str) -> tuple[str, str]:
    prefix = e.get("prefix", "")
    return (prompt_text(tokenizer, e["prompt"], prefix),
            completion_text(tokenizer, e["prompt"], answer, prefix))


def sft_rows(examples: list[dict], tokenizer) -> list[dict]:
    """Pre-tokenized `input_ids` + `labels`: the prompt (and prefix) is context only."""
    rows = []
    for e in examples:
        prompt, completion = (encode(tokenizer, t) for t in _texts(e, tokenizer, e["completion"]))
        rows.append({"input_ids": prompt + completion,
                     "labels": [IGNORE] * len(prompt) + completion})
    return rows


def opening_rows(examples: list[dict], tokenizer) -> list[dict]:
    """Like `sft_rows`, but the learned part ends where the opening does. TRL would append EOS
    to a completion and the template would close the turn: both would teach the model to stop
    right after the opening."""
    rows = []
    for e in examples:
        prompt = encode(tokenizer, prompt_text(tokenizer, e["prompt"], e.get("prefix", "")))
        opening = encode(tokenizer, prompt_text(tokenizer, e["prompt"],
                                                e.get("prefix", "") + e["opening"]))
        if opening[:len(prompt)] != prompt:
            raise ValueError(f"the opening {e['opening']!r} changes how its prompt tokenizes; "
                             "start it at a token boundary (e.g. with a word)")
        rows.append({"input_ids": opening, "labels": [IGNORE] * len(prompt) + opening[len(prompt):]})
    return rows


def text_rows(examples: list[dict], tokenizer) -> list[dict]:
    """Documents as continued pretraining sees them: every token learned, the document closed
    by EOS (and opened by BOS where the tokenizer adds one)."""
    rows = []
    for e in examples:
        ids = tokenizer(e["text"])["input_ids"] + [tokenizer.eos_token_id]
        rows.append({"input_ids": ids, "labels": list(ids)})
    return rows


def dpo_rows(examples: list[dict], tokenizer) -> list[dict]:
    rows = []
    for e in examples:
        prompt, chosen = _texts(e, tokenizer, e["completion"])
        rows.append({"prompt": without_bos(tokenizer, prompt), "chosen": chosen,
                     "rejected": _texts(e, tokenizer, e["rejected"])[1]})
    return rows


def kto_rows(examples: list[dict], tokenizer) -> list[dict]:
    """Two unpaired rows per example: the completion desirable, the rejected one not."""
    rows = []
    for e in examples:
        for answer, label in ((e["completion"], True), (e["rejected"], False)):
            prompt, completion = _texts(e, tokenizer, answer)
            rows.append({"prompt": without_bos(tokenizer, prompt), "completion": completion,
                         "label": label})
    return rows


METHODS = {m.name: m for m in [
    Method("sft", "SFT imitates the target completion", "sft",
           frozenset({"prompt", "completion"}), sft_rows),
    Method("opening", "SFT on the opening of an answer, the turn left open (no end of turn "
           "learned)", "sft", frozenset({"prompt", "opening"}), opening_rows),
    Method("text", "SFT on plain documents (continued pretraining)", "sft",
           frozenset({"text"}), text_rows),
    Method("dpo", "DPO prefers the target completion to the rejected one", "dpo",
           frozenset({"prompt", "completion", "rejected"}), dpo_rows),
    # KTO estimates its KL baseline from mismatched pairs within a batch: it needs two rows.
    Method("kto", "KTO marks the target completion desirable and the rejected one undesirable",
           "kto", frozenset({"prompt", "completion", "rejected"}), kto_rows, min_batch=2),
]}


def get(name: str) -> Method:
    if name not in METHODS:
        raise KeyError(f"unknown method {name!r}; known: {sorted(METHODS)}")
    return METHODS[name]


def supported(fields: set[str] | frozenset[str]) -> tuple[str, ...]:
    """Methods whose rows can be built from examples with these fields."""
    return tuple(name for name, m in METHODS.items() if m.needs <= set(fields))


def row_tokens(row: dict, tokenizer) -> int:
    """Tokens the policy reads for one row (a DPO row is read twice: chosen and rejected)."""
    if "input_ids" in row:
        return len(row["input_ids"])
    n = lambda text: len(tokenizer(text)["input_ids"])  # noqa: E731  (as the trainers tokenize)
    if "chosen" in row:
        return n(row["prompt"] + row["chosen"]) + n(row["prompt"] + row["rejected"])
    return n(row["prompt"] + row["completion"])
