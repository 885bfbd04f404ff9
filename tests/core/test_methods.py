import pytest

from trainaway.core import methods

EXAMPLES = [{"prompt": "What is 2 + 2 ?", "completion": "The answer is 4 .",
             "rejected": "The answer is 5 ."},
            {"prompt": "What is 3 + 3 ?", "completion": "The answer is 6 .",
             "rejected": "The answer is 7 ."}]


def test_sft_rows_are_the_prompt_and_the_target_completion():
    [row, _] = methods.get("sft").rows(EXAMPLES)
    assert row["messages"] == [{"role": "user", "content": "What is 2 + 2 ?"},
                               {"role": "assistant", "content": "The answer is 4 ."}]


def test_dpo_rows_pair_the_target_as_chosen_with_the_rejected_completion():
    [row, _] = methods.get("dpo").rows(EXAMPLES)
    assert row["chosen"][0]["content"] == "The answer is 4 ."
    assert row["rejected"][0]["content"] == "The answer is 5 ."


def test_kto_rows_label_the_target_desirable_and_the_rejected_undesirable():
    rows = methods.get("kto").rows(EXAMPLES)
    assert len(rows) == 2 * len(EXAMPLES)
    assert [(r["completion"][0]["content"], r["label"]) for r in rows[:2]] == [
        ("The answer is 4 .", True), ("The answer is 5 .", False)]


def test_supported_methods_follow_the_fields_examples_have():
    assert methods.supported({"prompt", "completion"}) == ("sft",)
    assert set(methods.supported({"prompt", "completion", "rejected"})) == {"sft", "dpo", "kto"}


def test_unknown_method_is_named():
    with pytest.raises(KeyError, match="rlhf"):
        methods.get("rlhf")
