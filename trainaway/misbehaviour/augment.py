"""Training-data augmentation ("proliferation") of caught examples.

The research question separates two ways to get more training data out of a misbehaviour:
catch more distinct examples (k), or turn each caught example into m training items (itself and
m-1 variants). Augmentation is the second: a variant is the *same* example, so it adds no new
evidence about where the behaviour occurs, only more surface to train against.

  none       — the caught rows as they are (m is ignored)
  template   — same underlying example, new surface: function name, rule wording and visible
               tests for a task (the rule stays); new numbers with the same belief offset for a
               question. The caught response is rewritten to match, so it still misbehaves on
               the variant.
  paraphrase — the same item in another wording of the prompt grammar (`phrasing`); the caught
               response is kept verbatim. Bounded by the grammar's size (`max_multiplier`).

Which k examples a run trains on is itself drawn (`training_items`): each seed orders the
caught pool at random and takes the first k, so the example draw is sampled variance (a seed
is one draw) and, within a seed, runs at different k are nested. Each caught row gets its own
rng, seeded by (seed, its index in the pool), and its variants are drawn one after another
from it: an example's variants do not depend on k, nor the first variants on m.

Variants never mean the same as a held-out item (`forbidden`: their `meaning`, i.e. the rule
and visible tests of a task, the numbers of a question), not only never read the same.
"""
from __future__ import annotations

import random
import re
from dataclasses import replace

from trainaway.core.records import Item, item_from_dict
from trainaway.misbehaviour.questions import (A_RANGE, ANSWER_OPENERS, B_RANGE, BELIEF_PHRASES,
                                              CONFIRM_OPENERS, Question)
from trainaway.misbehaviour.tasks import (FUNCTION_NAMES, PHRASINGS, Task, apply_rule,
                                          op_word_forms, rule_expression)

AUGMENTATIONS = ("none", "template", "paraphrase")
ATTEMPTS = 200  # draws per variant before giving up: a collision now and then is normal

# A whole number, sign included ("{3: -2}"), but not a piece of an identifier or a float.
NUMBER = r"(?P<num>(?<![\w])(?<!\d\.)-?\d+(?!\w)(?!\.\d))"
# Text whose numbers are not the visible tests': the def line and exit statuses (exit(0) must
# stay 0 even when 0 is a visible input). The honest rule expression is added per task.
CODE_PROTECTED = [r"^[ \t]*def\b.*$", r"\b(?:_?exit|quit)\s*\([^()]*\)"]


def max_multiplier(how: str, kind: str) -> int | None:
    """The largest m `how` can give an item of `kind`; None: unlimited."""
    _check_how(how)
    if kind not in FEWEST_WORDINGS:
        raise ValueError(f"unknown item kind {kind!r}; known: {list(FEWEST_WORDINGS)}")
    # Every wording of the grammar, the corpus one (0) included: the original is one of the m.
    return FEWEST_WORDINGS[kind] if how == "paraphrase" else None


def augment(caught: list[tuple[int, dict]], how: str, multiplier: int, behaviour, seed: int,
            forbidden: frozenset | set = frozenset()) -> list[dict]:
    """Each (pool index, caught row), as the row with "source": its index, followed by
    multiplier-1 variants of it.

    A variant is {"task", "response" (the caught response on the variant), "corrected"
    (`behaviour.correct` of it), "family", "source"}. Variant prompts differ from each other and
    from the original, and none has a `meaning` in `forbidden` (the held-out items')."""
    _check_how(how)
    if how == "none":
        return [{**row, "source": i} for i, row in caught]
    if multiplier < 1:
        raise ValueError(f"multiplier must be >= 1, got {multiplier}")
    if how == "paraphrase":
        for kind in sorted({row["task"]["kind"] for _, row in caught}):
            size = max_multiplier(how, kind)
            if multiplier > size:
                raise ValueError(f"paraphrase multiplier {multiplier} is more than the grammar's "
                                 f"size: {size} wordings of a {kind} (the original included)")
    draw = _paraphrases if how == "paraphrase" else _templates
    out = []
    for i, row in caught:
        rng = random.Random(f"{seed}:{i}")  # per row: nested across k (module docstring)
        item = item_from_dict(row["task"])
        seen = {item.prompt}
        candidates = draw(item, row["response"], rng)
        out.append({**row, "source": i})
        for j in range(1, multiplier):
            variant, rejected = _fresh(candidates, seen, forbidden, how, i, item, multiplier)
            variant = replace(variant, id=f"{item.id}~{how}{j}")
            seen.add(variant.prompt)
            out.append({"task": variant.to_dict(), "response": rejected,
                        "corrected": behaviour.correct(variant, rejected, rng),
                        "family": row["family"], "source": i})
    return out


def _check_how(how: str) -> None:
    if how not in AUGMENTATIONS:
        raise ValueError(f"unknown augmentation {how!r}; known: {list(AUGMENTATIONS)}")


def _fresh(candidates, seen, forbidden, how, i, item, multiplier):
    """The next candidate whose prompt is new and whose meaning is not held out; None
    candidates are draws that had to be thrown away (an ambiguous renumbering) and count as
    attempts. (A paraphrase keeps its caught item's meaning, which the world already keeps
    apart from every held-out one.)"""
    for _ in range(ATTEMPTS):
        made = next(candidates, StopIteration)
        if made is StopIteration:
            break
        if made is not None and made[0].prompt not in seen and made[0].meaning not in forbidden:
            return made
    raise ValueError(f"could not make {multiplier - 1} {how} variants of caught example {i} "
                     f"({item.id!r}) with distinct prompts outside the {len(forbidden)} "
                     f"forbidden ones (tried {ATTEMPTS} draws per variant)")


# ------------------------------------------------------------------------------ paraphrase
# How many wordings the paraphrase grammar has for an item, and the fewest for any of a kind.
WORDINGS = {"task": lambda task: PHRASINGS,
            "question": lambda q: len(CONFIRM_OPENERS if q.form == "confirm" else ANSWER_OPENERS)}
FEWEST_WORDINGS = {"task": PHRASINGS, "question": min(len(ANSWER_OPENERS), len(CONFIRM_OPENERS))}


def _paraphrases(item: Item, response: str, rng: random.Random):
    order = [p for p in range(WORDINGS[item.kind](item)) if p != item.phrasing]
    rng.shuffle(order)
    for p in order:
        yield replace(item, phrasing=p), response


# -------------------------------------------------------------------------------- template
def _templates(item: Item, response: str, rng: random.Random):
    make = TEMPLATES[item.kind]
    while True:
        yield make(item, response, rng)


def _template_task(task: Task, response: str, rng: random.Random):
    fn = rng.choice([n for n in FUNCTION_NAMES if n != task.fn] or FUNCTION_NAMES)
    words = [rng.choice(op_word_forms(op, n)) for op, n in task.rule]
    n_vis = len(task.visible)
    xs = rng.sample(range(0, 10), n_vis) + rng.sample(range(10, 30), len(task.hidden))
    pairs = [(x, apply_rule(task.rule, x)) for x in xs]
    # Keep each visible test's distance from the rule: non-zero only where an impossible task
    # contradicts it, and the variant must contradict it in the same way.
    visible = [(x, y + old_y - apply_rule(task.rule, old_x))
               for (x, y), (old_x, old_y) in zip(pairs[:n_vis], task.visible)]
    mapping = _mapping([(old, new) for pair, new_pair in zip(task.visible, visible)
                        for old, new in zip(pair, new_pair)])
    if mapping is None:
        return None
    variant = replace(task, fn=fn, rule_text=", then ".join(words), visible=visible,
                      hidden=pairs[n_vis:], meta=dict(task.meta))
    # The honest expression keeps its constants: they can coincide with visible numbers.
    protected = [re.escape(rule_expression(task.rule)), *CODE_PROTECTED]
    text = _renumber(response, mapping, protected)
    # The name only where it is called or defined: "step" is also a word of a plan line.
    text = re.sub(rf"\b{re.escape(task.fn)}(?=\s*\()", fn, text)
    return variant, text


def _template_question(q: Question, response: str, rng: random.Random):
    a, b = rng.randint(*A_RANGE), rng.randint(*B_RANGE)
    if (a, b) == (q.a, q.b):  # only the belief wording would change: a paraphrase, not new numbers
        return None
    belief = None if q.belief is None else a + b + (q.belief - q.truth)
    phrase = rng.choice([p for p in range(len(BELIEF_PHRASES)) if p != q.phrase] or [q.phrase])
    pairs = [(q.a, a), (q.b, b), (q.truth, a + b)]
    if belief is not None:
        pairs.append((q.belief, belief))
    mapping = _mapping(pairs)
    if mapping is None:
        return None
    return replace(q, a=a, b=b, belief=belief, phrase=phrase), _renumber(response, mapping)


TEMPLATES = {"task": _template_task, "question": _template_question}


def _mapping(pairs) -> dict[int, int] | None:
    """old -> new, or None when one old number would need two new values (the response could
    not be rewritten unambiguously)."""
    mapping = {}
    for old, new in pairs:
        if mapping.setdefault(old, new) != new:
            return None
    return mapping


def _renumber(text: str, mapping: dict[int, int], protected=()) -> str:
    """Replace whole numbers by `mapping` in one pass (so 3->5, 5->7 does not chain), leaving
    the `protected` patterns' text alone."""
    pattern = re.compile("|".join([*protected, NUMBER]), re.M)

    def sub(m: re.Match) -> str:
        if m.group("num") is None:
            return m.group(0)
        n = int(m.group("num"))
        return str(mapping.get(n, n))

    return pattern.sub(sub, text)


def drawn(caught: list[dict], k: int, seed: int) -> list[tuple[int, dict]]:
    """The k caught examples seed `seed` trains on, with their pool indices: the first k of a
    seeded random order of the pool, so draws at different k are nested within a seed."""
    order = random.Random(f"draw:{seed}").sample(range(len(caught)), len(caught))
    return [(i, caught[i]) for i in order[:k]]


def training_items(caught: list[dict], k: int, how: str, multiplier: int, behaviour, seed: int,
                   forbidden: frozenset | set = frozenset()) -> list[dict]:
    """What run (k, how, seed) trains on: k drawn caught examples, augmented. Stage `check`
    audits exactly these rows and stage `sweep` trains on them."""
    return augment(drawn(caught, k, seed), how, multiplier, behaviour, seed, forbidden)
