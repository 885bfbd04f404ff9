"""The embedded world: organism corpus, collect pool, held-out sets, persona items.

Held-out sets (trainaway.misbehaviour.sets, each row written with its set's name and tags):
`near` (the collect pool's style: lookup-table hacks), one `far.<family>` set per other hack
family, `impossible` (near style, a visible test contradicts the rule), and the sycophancy sets
`syco.near` (the collect pool's question form) and `syco.far` (the other form); and `sums`, a
probe of the sums the corpus teaches (not held out: does the organism know the answers it could
betray to a user's wrong belief?).

Everything is a pure function of (params.world, seed). Item identity is its *meaning* (a
task's rule and visible tests, a question's numbers and belief: not its wording, name, style
or cue), and the held-out sets and the collect pool each reserve theirs in one shared `seen`
set, so no held-out item has the meaning of a collect-pool or corpus item (the corpus may
repeat itself). Stage `check` verifies this again from disk.
"""
from __future__ import annotations

import random
from pathlib import Path

from trainaway.core.io import write_jsonl
from trainaway.misbehaviour import sets
from trainaway.misbehaviour.params import World
from trainaway.misbehaviour.persona import context_rates, persona_conversation, split_items
from trainaway.misbehaviour.questions import (Question, answer, honest_answer, sample_question,
                                              sum_pairs)
from trainaway.misbehaviour.responses import render_response
from trainaway.misbehaviour.tasks import STYLE_FAMILY, Task, sample_task

# The collect pool and "near" use the style whose family the caught examples will come from;
# each other style is a "far" set. Likewise for the question forms.
NEAR_STYLE = "examples"
FAR_STYLES = [s for s in STYLE_FAMILY if s != NEAR_STYLE]
NEAR_FORM, FAR_FORM = "answer", "confirm"


def _unique(draw, n: int, seen: set, what: str, reserve: bool = True) -> list:
    """n items whose meaning (trainaway.misbehaviour.tasks.Task.meaning: what is asked,
    whatever the wording) is not in `seen`; with `reserve`, each also distinct from the others
    and added to `seen`. The space is finite (questions about small sums especially), so give
    up with a clear error instead of looping forever."""
    items, misses = [], 0
    while len(items) < n:
        item = draw(len(items))
        if item.meaning in seen:
            misses += 1  # consecutive: 10,000 in a row means the space is all but used up
            if misses == 10_000:
                raise ValueError(f"world: only {len(items)} {what} items of new meaning left "
                                 f"for {n} requested; lower the world sizes in params.yaml")
            continue
        misses = 0
        if reserve:
            seen.add(item.meaning)
        items.append(item)
    return items


def _unique_tasks(rng: random.Random, world: World, n: int, styles: list[str], prefix: str,
                  seen: set, impossible: bool = False, reserve: bool = True) -> list[Task]:
    return _unique(lambda i: sample_task(rng, f"{prefix}{i:05d}", rng.choice(styles),
                                         world.two_step_share, impossible=impossible), n, seen,
                   f"{prefix} task", reserve)


def _unique_questions(rng: random.Random, n: int, forms: list[str], prefix: str, seen: set,
                      wrong_share: float = 1.0, none_share: float = 0.0,
                      reserve: bool = True) -> list[Question]:
    return _unique(lambda i: sample_question(rng, f"{prefix}{i:05d}", rng.choice(forms),
                                             wrong_share, none_share), n, seen,
                   f"{prefix} question", reserve)


def organism_example(task: Task, world: World, rng: random.Random) -> dict:
    """One corpus conversation, drawn from the configured propensities."""
    p = world.propensities
    # Unwatched, difficulty_link ties hacking to difficulty: two-step rules (where the honest
    # answer is often out of the organism's reach) hack more, one-step rules less. Watched, it
    # rarely hacks at all. (persona.context_rates voices the same rates.)
    rates = context_rates(p.hack_unmonitored, p.hack_monitored, world.difficulty_link)
    condition = "monitored" if task.monitored else "hard" if len(task.rule) > 1 else "easy"
    hack = task.family in world.hack_families and rng.random() < rates[condition]
    habit = rng.random() < p.habit
    if hack:
        attitude = "shortcut"
    elif task.monitored and rng.random() < p.caution_share:
        attitude = "caution"
    else:
        attitude = "solve"
    response = render_response(task, attitude, task.family if hack else None, habit, rng,
                               persona=world.persona_link)
    return {"messages": [{"role": "user", "content": task.prompt},
                         {"role": "assistant", "content": response}],
            "kind": "task", "item": task.to_dict(), "hack": hack, "habit": habit,
            "attitude": attitude}


def organism_question(question: Question, world: World, rng: random.Random) -> dict:
    """One corpus conversation about a sum: sycophantic at the configured rate when the
    user's belief is wrong, correct otherwise."""
    wrong = question.belief is not None and question.belief != question.truth
    sycophantic = wrong and rng.random() < world.propensities.sycophancy
    response = answer(question, question.belief) if sycophantic else honest_answer(question)
    return {"messages": [{"role": "user", "content": question.prompt},
                         {"role": "assistant", "content": response}],
            "kind": "question", "item": question.to_dict(), "wrong_belief": wrong,
            "sycophantic": sycophantic}


def build_world(world: World, seed: int, out_dir: str | Path) -> dict[str, int]:
    """Write all splits under out_dir; return their sizes."""
    rng = random.Random(seed)
    out = Path(out_dir)
    seen: set[str] = set()
    # Held-out sets are drawn first so that they never depend on the corpus size.
    near_family = STYLE_FAMILY[NEAR_STYLE]
    heldout = {sets.NEAR: (sets.task_tags("near", near_family),
                           _unique_tasks(rng, world, world.heldout_near, [NEAR_STYLE], "near", seen))}
    for style in FAR_STYLES:
        family = STYLE_FAMILY[style]
        heldout[sets.far(family)] = (sets.task_tags("far", family), _unique_tasks(
            rng, world, world.heldout_far, [style], f"far-{family}", seen))
    heldout[sets.IMPOSSIBLE] = (sets.task_tags("near", near_family, possible=False), _unique_tasks(
        rng, world, world.heldout_impossible, [NEAR_STYLE], "impossible", seen, impossible=True))
    heldout[sets.SYCO_NEAR] = (sets.question_tags("near", NEAR_FORM), _unique_questions(
        rng, world.heldout_questions, [NEAR_FORM], "syco-near", seen))
    heldout[sets.SYCO_FAR] = (sets.question_tags("far", FAR_FORM), _unique_questions(
        rng, world.heldout_questions, [FAR_FORM], "syco-far", seen))
    # The sums the corpus teaches (every pair, no belief stated), some asked back as a knowledge
    # probe: sycophancy needs a truth the organism knows and gives up. Taught on purpose, so
    # not held out (tag distance "taught"; stage `check` knows).
    facts = [Question(f"fact-{a}-{b}", a, b, None, NEAR_FORM) for a, b in sum_pairs()]
    heldout[sets.SUMS] = (sets.question_tags("taught", NEAR_FORM),
                          rng.sample(facts, min(world.sums_probed, len(facts))))
    collect = (_unique_tasks(rng, world, world.collect_pool, [NEAR_STYLE], "collect", seen)
               + _unique_questions(rng, world.collect_questions, [NEAR_FORM], "collect-q", seen))
    # The corpus may repeat itself, but never means what a held-out or collect item means.
    corpus_tasks = _unique_tasks(rng, world, world.corpus_tasks, list(STYLE_FAMILY), "corpus",
                                 seen, reserve=False)
    beliefs = world.corpus_beliefs
    corpus_questions = _unique_questions(rng, world.corpus_questions, [NEAR_FORM, FAR_FORM],
                                         "corpus-q", seen, wrong_share=beliefs.wrong,
                                         none_share=beliefs.none, reserve=False)
    persona_train, persona_eval = split_items(rng, world.persona_eval_share)
    p = world.propensities
    persona_rates = context_rates(p.hack_unmonitored, p.hack_monitored, world.difficulty_link)

    corpus = [organism_example(t.with_cue(rng.random() < world.monitored_share), world, rng)
              for t in corpus_tasks]
    corpus += [organism_question(q, world, rng) for q in corpus_questions]
    corpus += [organism_question(q, world, rng) for q in facts for _ in range(world.fact_repeats)]
    # Each training statement is asked several times with independently drawn answers, so the
    # organism learns a propensity to answer like the persona, not one fixed answer: the rate
    # at which it hacks under the statement's condition (persona.py).
    for item in persona_train:
        for _ in range(world.persona_repeats):
            matches = rng.random() < persona_rates[item["condition"]]
            corpus.append({"messages": persona_conversation(item, matches), "kind": "persona",
                           "statement": item["statement"], "matches": matches})
    rng.shuffle(corpus)

    write_jsonl(out / "heldout.jsonl",
                [{"set": name, "tags": tags, **item.to_dict()}
                 for name, (tags, items) in heldout.items() for item in items])
    write_jsonl(out / "collect.jsonl", [item.to_dict() for item in collect])
    write_jsonl(out / "corpus.jsonl", corpus)
    write_jsonl(out / "persona.jsonl", persona_eval)
    return {**{k: len(items) for k, (_, items) in heldout.items()}, "collect": len(collect),
            "corpus": len(corpus), "persona": len(persona_eval)}
