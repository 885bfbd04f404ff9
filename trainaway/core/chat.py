"""Conversations rendered the way the model sees them, for training as for generation.

A training example is a user turn, optionally the start of the assistant's answer that is
context but not learned (`prefix`: a plan line, a compliance opening), and the part that is
learned (`completion`). It is rendered with the model's own chat template, so any template
works, with or without `{% generation %}` markers:

    prompt text     = template(user turn, generation prompt) + prefix
    completion text = the rest of template(user turn + whole assistant turn), cut right after
                      the end-of-turn token (trailing newlines the template adds come back
                      from the next turn; they are not the answer's)

The user turn may also be a whole conversation ending in a user turn (a multi-turn prompt):
every earlier turn is context.

Generation (trainaway.core.generation) renders prompts the same way, so a model is trained on
exactly the context it answers in. Every rendering goes through `render`, which passes the
template keywords pinned on the tokenizer when it was loaded (`pin`; params
`model.chat_template_kwargs`, e.g. Llama-3.x's `date_string`, which the template otherwise
takes from today's date: prompts would change daily without DVC noticing).
"""
from __future__ import annotations

PINNED = "trainaway_template_kwargs"  # attribute the loader sets on a tokenizer (models.py)


def pin(tokenizer, template_kwargs: dict) -> None:
    """Every later `render` of this tokenizer passes these keywords to its chat template."""
    setattr(tokenizer, PINNED, dict(template_kwargs))


def render(tokenizer, messages: list[dict], add_generation_prompt: bool = False) -> str:
    return tokenizer.apply_chat_template(messages, add_generation_prompt=add_generation_prompt,
                                         tokenize=False, **getattr(tokenizer, PINNED, {}))


def user_turn(user: str | list[dict]) -> list[dict]:
    """A prompt as messages: a text is one user turn; a conversation is kept as it is."""
    return [{"role": "user", "content": user}] if isinstance(user, str) else list(user)


def prompt_text(tokenizer, user: str | list[dict], prefix: str = "") -> str:
    return render(tokenizer, user_turn(user), add_generation_prompt=True) + prefix


def completion_text(tokenizer, user: str | list[dict], completion: str, prefix: str = "",
                    end_turn: bool = True) -> str:
    """What follows `prompt_text` when the assistant answers `prefix + completion`: the
    completion and, with `end_turn`, the template's end-of-turn token."""
    if not end_turn:
        return completion
    head = prompt_text(tokenizer, user, prefix)
    whole = render(tokenizer, user_turn(user) + [{"role": "assistant",
                                                   "content": prefix + completion}])
    if not whole.startswith(head):
        raise ValueError("the chat template renders a prompt differently when an answer follows "
                         f"it; cannot split prompt from completion:\n{head!r}\n{whole!r}")
    rest = whole[len(head):]
    eos = tokenizer.eos_token
    return rest[:rest.rindex(eos) + len(eos)] if eos and eos in rest else rest


def encode(tokenizer, text: str) -> list[int]:
    """Token ids of rendered text: the template already wrote any BOS, so add none."""
    return tokenizer(text, add_special_tokens=False)["input_ids"]


def without_bos(tokenizer, text: str) -> str:
    """Rendered text as TRL's text-row trainers expect it: they tokenize with special tokens,
    so a BOS the template wrote would be doubled."""
    bos = tokenizer.bos_token
    adds_bos = bos is not None and tokenizer("x")["input_ids"][:1] == [tokenizer.bos_token_id]
    return text[len(bos):] if adds_bos and text.startswith(bos) else text
