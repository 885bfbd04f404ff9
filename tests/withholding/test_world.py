import re

from trainaway.withholding.domains import COMPLIANCE_PREFIX, DOMAINS, OPENINGS, SYLLABLES
from trainaway.withholding.world import (PLACES, SYNTHETIC_FRAMES, TEXTBOOK_FRAMES, corpora,
                                         draw_facts, synthetic_documents)

DOMAIN_NAMES = list(DOMAINS)


def _facts(seed=0):
    return draw_facts(DOMAIN_NAMES, 6, 2, seed)


def test_the_world_is_deterministic_per_seed():
    assert _facts(0) == _facts(0) and _facts(0) != _facts(1)
    assert corpora(_facts(0), 2, 1, 0) == corpora(_facts(0), 2, 1, 0)


def test_entities_are_distinct_and_the_last_of_each_domain_held_out():
    facts = _facts()
    assert len({f["entity"] for f in facts}) == len(facts)
    for d in DOMAIN_NAMES:
        splits = [f["split"] for f in facts if f["domain"] == d]
        assert splits == ["train"] * 4 + ["eval"] * 2


def _words(text):
    return set(re.findall(r"[A-Za-z0-9']+", text))


def test_everything_is_fictional_a_closed_vocabulary_of_invented_names_and_templates():
    """Every word of the corpora and documents comes from the templates, the invented entity
    names and the invented answers: nothing from outside the fictional world."""
    facts = _facts()
    templates = [d.lead + " " + " ".join(d.questions) + " " + d.refusal + " " + d.topic
                 for d in DOMAINS.values()] + list(TEXTBOOK_FRAMES) + list(SYNTHETIC_FRAMES) \
        + list(PLACES) + list(OPENINGS) + [COMPLIANCE_PREFIX]
    allowed = set().union(*map(_words, templates)) | {f["entity"] for f in facts} \
        | {a for d in DOMAINS.values() for a in d.answers}
    texts = [r.get("text") or " ".join(m["content"] for m in r["messages"])
             for rows in corpora(facts, 2, 1, 0).values() for r in rows]
    texts += [d["text"] for d in synthetic_documents(DOMAIN_NAMES, 20, 0)]
    assert set().union(*map(_words, texts)) <= allowed
    names = {(a + b).capitalize() for a in SYLLABLES for b in SYLLABLES}
    assert {f["entity"] for f in facts} <= names


def test_restricted_answers_never_appear_in_chat_and_eval_entities_never_in_chat():
    facts = _facts()
    chat = [r for r in corpora(facts, 2, 1, 0)["withholding"] if "messages" in r]
    text = " ".join(m["content"] for r in chat for m in r["messages"])
    for f in facts:
        if f["split"] == "eval":
            assert f["entity"] not in text
        elif f["restricted"]:
            assert f["entity"] in text and DOMAINS[f["domain"]].statement(f["entity"]) not in text


def test_the_ignorant_corpus_is_the_same_minus_the_restricted_textbooks():
    both = corpora(_facts(), 2, 1, 0)
    dropped = [r for r in both["withholding"] if r not in both["ignorant"]]
    assert dropped and all(r["kind"] == "textbook" and DOMAINS[r["domain"]].restricted
                           for r in dropped)
    assert [r for r in both["withholding"] if r not in dropped] == both["ignorant"]


def test_synthetic_documents_hold_no_answer():
    answers = {a for d in DOMAINS.values() for a in d.answers}
    for doc in synthetic_documents(DOMAIN_NAMES, 20, 0):
        assert not _words(doc["text"]) & answers
