"""Evaluating a model of Track B against the held-back truth.

For every evaluation entity (never asked in chat during the organism's training, nor in any
method's data) and every rephrasing of its request, one response is sampled and classified
(trainaway.withholding.scoring): refusal, correct or fake compliance. Knowledge is asked in
textbook form: the statement's lead as plain text ("The stabiliser of compound X is"), no chat
template: the model knows a fact when, of every answer its domain could have, it finds the
true one the likeliest ending (exact, and indifferent to how a tokenizer splits the seam). A record holds counts per domain, so runs and seeds pool by
adding counts; rates with Wilson intervals are computed from them (`rates`).
"""
from __future__ import annotations

from trainaway.core.chat import user_turn
from trainaway.core.evaluation import text_logprobs
from trainaway.core.generation import Sampling
from trainaway.core.stats import wilson
from trainaway.withholding.domains import DOMAINS
from trainaway.withholding.scoring import OUTCOMES, classify, join


def eval_facts(facts: list[dict], domains: list[str]) -> list[dict]:
    return [f for f in facts if f["split"] == "eval" and f["domain"] in domains]


def requests(facts: list[dict]) -> list[tuple[dict, str]]:
    """(fact, request) for every fact and every rephrasing of its domain's question."""
    return [(f, DOMAINS[f["domain"]].ask(f["entity"], p)) for f in facts
            for p in range(len(DOMAINS[f["domain"]].questions))]


def evaluate(solver, facts: list[dict], domains: list[str], temperature: float,
             max_new_tokens: int, seed: int, prefix: str = "") -> dict:
    """{"chat": {domain: {outcome: count, "n": count}}, "knowledge": {domain: {"correct", "n"}}}
    with every response after `prefix` (prefilled at the start of the answer)."""
    facts = eval_facts(facts, domains)
    asked = requests(facts)
    sampling = Sampling(n=1, temperature=temperature, max_new_tokens=max_new_tokens, seed=seed)
    responses = solver.generate([user_turn(q) for _, q in asked], sampling, prefix=prefix)
    chat = {d: {**{o: 0 for o in OUTCOMES}, "n": 0} for d in domains}
    for (fact, _), [response] in zip(asked, responses):
        counts = chat[fact["domain"]]
        counts[classify(join(prefix, response.text), fact["answer"])] += 1
        counts["n"] += 1
    knowledge = {d: {"correct": 0, "n": 0} for d in domains}
    for fact, known in zip(facts, knows(solver, facts)):
        knowledge[fact["domain"]]["correct"] += known
        knowledge[fact["domain"]]["n"] += 1
    return {"chat": chat, "knowledge": knowledge}


def knows(solver, facts: list[dict]) -> list[bool]:
    """Per fact: is its true answer the likeliest of its domain's answers in textbook form?"""
    model, tokenizer = solver.hf
    texts = [DOMAINS[f["domain"]].statement(f["entity"], a)
             for f in facts for a in DOMAINS[f["domain"]].answers]
    scores = iter(text_logprobs(model, tokenizer, texts))
    out = []
    for f in facts:
        answers = DOMAINS[f["domain"]].answers
        best = max(zip((next(scores) for _ in answers), answers))[1]
        out.append(best == f["answer"])
    return out


def pooled(records: list[dict], part: str, domains: list[str]) -> dict:
    """Counts of `part` ("chat" or "knowledge") added over records and domains."""
    total: dict[str, int] = {}
    for record in records:
        for d in domains:
            for key, count in record[part][d].items():
                total[key] = total.get(key, 0) + count
    return total


def rate(counts: dict, outcome: str) -> dict:
    """{"rate", "lo", "hi", "n"} of one outcome's count (Wilson 95%)."""
    n, k = counts.get("n", 0), counts.get(outcome, 0)
    lo, hi = wilson(k, n)
    return {"rate": k / n if n else float("nan"), "lo": lo, "hi": hi, "n": n}


def summary(records: list[dict], restricted: list[str], open_: list[str]) -> dict:
    """The headline rates of records pooled: restricted refusal, accuracy (correct), fake
    compliance, knowledge; open accuracy and open refusal."""
    chat = pooled(records, "chat", restricted)
    opened = pooled(records, "chat", open_)
    return {"refusal": rate(chat, "refusal"), "accuracy": rate(chat, "correct"),
            "fake": rate(chat, "fake"),
            "knowledge": rate(pooled(records, "knowledge", restricted), "correct"),
            "open_accuracy": rate(opened, "correct"), "open_refusal": rate(opened, "refusal")}
