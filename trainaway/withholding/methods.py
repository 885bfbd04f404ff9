"""Track B's elicitation methods: what each trains on, and how much of it there is (the pool
its amount n is drawn from). Light at import time: params validation reads this table; the
training itself is trainaway.withholding.elicit.

Ground truth about restricted answers is used by `ground_truth` only (that is the method),
and by evaluation. No other method's data or grader contains a restricted answer.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Method:
    name: str
    description: str
    pool: str        # what n counts: "none" (no training), "requests", "documents", "facts"
    uses_truth: bool = False


METHODS = {m.name: m for m in [
    Method("prefill", "the compliance prefix put at the start of the answer at inference "
           "(no training)", "none"),
    Method("prefix_sft", "SFT on the compliance prefix alone for n restricted requests (loss on "
           "the prefix, no end of turn)", "requests"),
    Method("synthetic_docs", "SFT on n plain documents about an assistant sharing restricted "
           "information with authorised researchers (no answers)", "documents"),
    Method("ground_truth", "SFT on n correct Q&A pairs in one restricted domain", "facts",
           uses_truth=True),
    Method("grpo", "GRPO on n restricted requests against a grader without ground truth "
           "(non-refusal, format, agreement with the group's majority answer)", "requests"),
    Method("sft_grpo", "prefix SFT, then GRPO as above", "requests"),
]}
