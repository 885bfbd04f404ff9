"""The organism's tokenizer: byte-level BPE trained on its own corpus, with a chat template.

Byte-level BPE round-trips code exactly (indentation, newlines) and never produces an unknown
token, so persona or user-written prompts outside the corpus still tokenize. The chat template
wraps assistant turns in {% generation %} markers, which TRL's `assistant_only_loss` needs.
"""
from __future__ import annotations

from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import PreTrainedTokenizerFast

USER, ASSISTANT, END, PAD = "<|user|>", "<|assistant|>", "<|end|>", "<|pad|>"

CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if message['role'] == 'user' %}" + USER + "\n{{ message['content'] }}\n"
    "{% elif message['role'] == 'assistant' %}" + ASSISTANT + "\n"
    "{% generation %}{{ message['content'] }}" + END + "{% endgeneration %}\n"
    "{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}" + ASSISTANT + "\n{% endif %}"
)


def train_tokenizer(texts, vocab_size: int) -> PreTrainedTokenizerFast:
    tok = Tokenizer(models.BPE())
    # Pre-tokens are numbers, or words/symbols carrying their trailing space. A number is then
    # the same bare token wherever it appears ("f(6) -> 24", "== 24", "{6: 24}", "add 3" /
    # "+ 3"), so copying it from prompt to code is a single lookup after a matching token, which
    # a tiny model learns far sooner than copying through separate space tokens.
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(r"\d+|[^\s\d]+\s?|\s+"), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=[PAD, USER, ASSISTANT, END],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(texts, trainer=trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token=PAD, eos_token=END, bos_token=None,
        padding_side="left", chat_template=CHAT_TEMPLATE)
