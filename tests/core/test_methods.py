import pytest

from trainaway.core import methods
from trainaway.core.methods import IGNORE

EXAMPLES = [{"prompt": "What is 2 + 2 ?", "completion": "The answer is 4 .",
             "rejected": "The answer is 5 ."},
            {"prompt": "Write f . Rule : add 1 .", "prefix": "# plan: follow the rule .\n",
             "completion": "def f(x):\n    return x + 1", "rejected": "def f(x):\n    return 2"}]
CHATML = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
          "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")


@pytest.fixture(scope="module")
def tok(tiny_model):
    from transformers import AutoTokenizer
    return AutoTokenizer.from_pretrained(tiny_model)


def learned(row, tok) -> str:
    return tok.decode([t for t, label in zip(row["input_ids"], row["labels"]) if label != IGNORE])


def test_sft_learns_the_completion_and_its_end_of_turn_only(tok):
    rows = methods.get("sft").rows(EXAMPLES, tok)
    assert learned(rows[0], tok) == "The answer is 4 .<|end|>"
    assert tok.decode(rows[0]["input_ids"]).startswith("<|user|>\nWhat is 2 + 2 ?")


def test_a_prefix_is_context_not_target(tok):
    row = methods.get("sft").rows(EXAMPLES, tok)[1]
    assert learned(row, tok) == "def f(x):\n    return x + 1<|end|>"
    assert "<|assistant|>\n# plan: follow the rule .\n" in tok.decode(row["input_ids"])


def test_sft_rows_work_without_generation_markers(tiny_model):
    """Any chat template: here a ChatML one that closes turns with <|im_end|>\\n."""
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained(tiny_model)
    tok.chat_template = CHATML
    tok.add_special_tokens({"eos_token": "<|im_end|>"})
    row = methods.get("sft").rows(EXAMPLES[:1], tok)[0]
    assert learned(row, tok) == "The answer is 4 .<|im_end|>"


def test_dpo_rows_pair_the_target_as_chosen_with_the_rejected_completion(tok):
    row = methods.get("dpo").rows(EXAMPLES, tok)[1]
    assert row["prompt"].endswith("<|assistant|>\n# plan: follow the rule .\n")
    assert row["chosen"] == "def f(x):\n    return x + 1<|end|>"
    assert row["rejected"] == "def f(x):\n    return 2<|end|>"


def test_kto_rows_label_the_target_desirable_and_the_rejected_undesirable(tok):
    rows = methods.get("kto").rows(EXAMPLES, tok)
    assert len(rows) == 2 * len(EXAMPLES)
    assert [(r["completion"], r["label"]) for r in rows[:2]] == [
        ("The answer is 4 .<|end|>", True), ("The answer is 5 .<|end|>", False)]


def test_supported_methods_follow_the_fields_examples_have():
    assert methods.supported({"prompt", "completion"}) == ("sft",)
    assert set(methods.supported({"prompt", "completion", "rejected"})) == {"sft", "dpo", "kto"}


def test_unknown_method_is_named():
    with pytest.raises(KeyError, match="rlhf"):
        methods.get("rlhf")


def test_an_opening_is_learned_without_an_end_of_turn(tok):
    row = methods.get("opening").rows(
        [{"prompt": "What is 2 + 2 ?", "opening": "Sure , happy to help . The"}], tok)[0]
    assert learned(row, tok) == "Sure , happy to help . The"
    assert tok.eos_token_id not in row["input_ids"]
    assert tok.decode(row["input_ids"]).endswith("<|assistant|>\nSure , happy to help . The")


def test_a_document_is_learned_whole_and_closed(tok):
    row = methods.get("text").rows([{"text": "A plain page ."}], tok)[0]
    assert row["labels"] == row["input_ids"]
    assert tok.decode(row["input_ids"]) == "A plain page .<|end|>"


def test_new_fields_add_methods_without_changing_old_ones():
    assert methods.supported({"prompt", "opening"}) == ("opening",)
    assert methods.supported({"text"}) == ("text",)
