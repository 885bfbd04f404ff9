"""Training rows on real chat templates (Qwen2.5, Llama-3.2, a hand-edited ChatML; none with
generation markers, the Llama one without a pad token): the loss mask TRL's SFT trainer
actually applies, read from its own dataloader, covers the answer and its end-of-turn token
only, also after a multi-turn prompt."""
import pytest

from trainaway.core import methods
from trainaway.core.methods import IGNORE
from trainaway.core.models import load_tokenizer

FAMILIES = ["qwen2.5", "llama3.2", "chatml-edited"]
EOT = {"qwen2.5": "<|im_end|>", "llama3.2": "<|eot_id|>", "chatml-edited": "<|im_end|>"}
SINGLE = {"prompt": "What is 2 + 2 ?", "completion": "It is 4.", "rejected": "It is 5."}
MULTI = {"prompt": [{"role": "user", "content": "What is 2 + 2 ?"},
                    {"role": "assistant", "content": "It is 5."},
                    {"role": "user", "content": "Are you sure ?"}],
         "prefix": "Let me check.\n", "completion": "It is 4.", "rejected": "Yes, 5."}


def batch_labels(tokenizer, rows):
    """The batch TRL's SFTTrainer trains on (its own collator and padding)."""
    from transformers import AutoModelForCausalLM

    from trainaway.core.trainers import make_trainer, scratch_dir, training_args
    model = AutoModelForCausalLM.from_pretrained(tokenizer.name_or_path)
    args = training_args("sft", out_dir=scratch_dir(), lr=1e-3, batch_size=len(rows), seed=0,
                         device="cpu", max_steps=1)
    trainer = make_trainer("sft", model, tokenizer, rows, args)
    return next(iter(trainer.get_train_dataloader()))


@pytest.mark.parametrize("family", FAMILIES)
def test_sft_loss_is_on_the_answer_and_its_end_of_turn_only(real_checkpoint, family):
    tok = load_tokenizer(str(real_checkpoint(family)), {"date_string": "26 Jul 2024"})
    batch = batch_labels(tok, methods.get("sft").rows([SINGLE, MULTI], tok))
    learned = [tok.decode([t for t in row if t != IGNORE]) for row in batch["labels"].tolist()]
    assert learned == [f"It is 4.{EOT[family]}"] * 2
    # the multi-turn context (the earlier answer, the prefix) is there, outside the loss
    context = tok.decode(batch["input_ids"][1])
    assert "It is 5." in context and "Are you sure ?" in context and "Let me check.\n" in context


@pytest.mark.parametrize("family", FAMILIES)
def test_rendered_rows_carry_one_bos_at_most(real_checkpoint, family):
    tok = load_tokenizer(str(real_checkpoint(family)))
    row = methods.get("sft").rows([SINGLE], tok)[0]
    ones = 1 if family == "llama3.2" else 0
    assert row["input_ids"].count(tok.bos_token_id) == ones
    # TRL tokenizes DPO/KTO text rows with special tokens: the template's BOS is not doubled
    dpo = methods.get("dpo").rows([SINGLE], tok)[0]
    assert tok(dpo["prompt"])["input_ids"].count(tok.bos_token_id) == ones


def test_a_tokenizer_without_pad_pads_with_eos_on_the_left(real_checkpoint):
    from trainaway.core.models import tokenizer_facts
    tok = load_tokenizer(str(real_checkpoint("llama3.2")))
    assert tok.pad_token == "<|eot_id|>" and tok.padding_side == "left"
    assert tokenizer_facts(tok)["pad_token_from"] == "eos"
    assert tokenizer_facts(load_tokenizer(str(real_checkpoint("qwen2.5"))))[
        "pad_token_from"] == "tokenizer"


def test_the_pinned_date_is_in_every_llama_prompt(real_checkpoint):
    from trainaway.core.chat import prompt_text
    tok = load_tokenizer(str(real_checkpoint("llama3.2")), {"date_string": "01 Jan 2030"})
    assert "Today Date: 01 Jan 2030" in prompt_text(tok, "hi")
