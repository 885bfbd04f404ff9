"""Batches without padding waste, same gradient: each batch's rows packed into fewer rows.

A batch of chat rows padded to its longest row spends ~40% of the organism's pretraining on pad
tokens. Packing the *same* rows first-fit-decreasing into rows no longer than that longest row,
each sequence with its own position ids and no attention mask, gives transformers' block-diagonal
causal mask (sequences never attend to each other) and the same loss over the same tokens: the
batches, their order and the gradient are unchanged up to floating-point rounding. Rows are not
flattened into one long sequence (TRL's `padding_free`), because without FlashAttention the
attention kernel then pays for the full square of the batch's tokens. The block-diagonal mask
needs a forward without a KV cache (`use_cache=False`), as TRL's SFT trainer calls it.
"""
from __future__ import annotations

import torch
from trl.trainer.sft_trainer import DataCollatorForLanguageModeling


def pack_rows(lengths: list[int]) -> list[list[int]]:
    """Indices of `lengths` grouped first-fit decreasing into bins of at most max(lengths)."""
    capacity = max(lengths)
    bins: list[list[int]] = []
    room: list[int] = []
    for i in sorted(range(len(lengths)), key=lambda i: (-lengths[i], i)):
        slot = next((b for b, r in enumerate(room) if r >= lengths[i]), None)
        if slot is None:
            bins.append([])
            room.append(capacity)
            slot = len(bins) - 1
        bins[slot].append(i)
        room[slot] -= lengths[i]
    return bins


class PackedCollator:
    """TRL's padding-free collator applied per packed row, rows then right-padded and stacked."""

    def __init__(self, pad_token_id: int):
        self.pad_token_id = pad_token_id
        self.flat = DataCollatorForLanguageModeling(pad_token_id=pad_token_id, padding_free=True)

    def __call__(self, examples: list[dict]) -> dict[str, torch.Tensor]:
        rows = [self.flat([examples[i] for i in b])
                for b in pack_rows([len(e["input_ids"]) for e in examples])]
        width = max(r["input_ids"].shape[1] for r in rows)
        fill = {"input_ids": self.pad_token_id, "labels": -100, "position_ids": 0}

        def stacked(key):
            return torch.cat([torch.nn.functional.pad(r[key], (0, width - r[key].shape[1]),
                                                      value=fill[key]) for r in rows])
        # Pad positions restart at 0, so each is a one-token sequence of its own, with no label.
        return {key: stacked(key) for key in fill}
