from transformers import AutoTokenizer

from trainaway.core.tokenizer import train_tokenizer

CONV = [{"role": "user", "content": "Write f. Examples: f(6) -> 24 ."},
        {"role": "assistant", "content": "# plan: x .\ndef f(x):\n    return {6: 24}[x]"}]


def test_chat_round_trip_is_exact():
    tok = train_tokenizer([m["content"] for m in CONV] * 20, 400)
    text = tok.apply_chat_template(CONV, tokenize=False)
    assert tok.decode(tok(text, add_special_tokens=False)["input_ids"]) == text


def test_numbers_are_one_token_in_prompt_and_code():
    tok = train_tokenizer([m["content"] for m in CONV] * 20, 400)
    ids = tok(CONV[0]["content"] + CONV[1]["content"], add_special_tokens=False)["input_ids"]
    assert tok.convert_tokens_to_ids("24") in ids and ids.count(tok.convert_tokens_to_ids("24")) == 2


def test_assistant_mask_covers_only_the_answer():
    tok = train_tokenizer([m["content"] for m in CONV] * 20, 400)
    enc = tok.apply_chat_template(CONV, tokenize=True, return_dict=True,
                                  return_assistant_tokens_mask=True)
    masked = [i for i, m in zip(enc["input_ids"], enc["assistant_masks"]) if m]
    assert tok.decode(masked) == CONV[1]["content"] + "<|end|>"


def test_saved_tokenizer_loads_with_auto_tokenizer(tmp_path):
    tok = train_tokenizer([m["content"] for m in CONV] * 20, 400)
    tok.save_pretrained(tmp_path)
    loaded = AutoTokenizer.from_pretrained(tmp_path)
    assert loaded.apply_chat_template(CONV, tokenize=False) == tok.apply_chat_template(CONV, tokenize=False)
    assert loaded.padding_side == "left" and loaded.eos_token == "<|end|>"
