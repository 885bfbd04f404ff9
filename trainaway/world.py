"""The embedded world: organism corpus, collect pool, held-out near/far sets, persona items.

Everything is a pure function of (params.world, seed). Task identity is the prompt without
the review cue, and every split draws from one shared `seen` set, so no held-out prompt can
appear in the corpus or the collect pool (the `check` stage verifies this again from disk).
"""
from __future__ import annotations

import random
from pathlib import Path

from trainaway.config import World
from trainaway.jsonl import write_jsonl
from trainaway.persona import persona_conversation, split_items
from trainaway.responses import render_response
from trainaway.tasks import STYLE_FAMILY, Task, sample_task

# The collect pool and "near" use the style whose family the caught examples will come from;
# "far" uses the other one.
NEAR_STYLE, FAR_STYLE = "examples", "asserts"


def _unique_tasks(rng: random.Random, world: World, n: int, styles: list[str], prefix: str,
                  seen: set[str]) -> list[Task]:
    tasks = []
    while len(tasks) < n:
        task = sample_task(rng, f"{prefix}{len(tasks):05d}", rng.choice(styles),
                           world.two_step_share)
        if task.prompt not in seen:
            seen.add(task.prompt)
            tasks.append(task)
    return tasks


def organism_example(task: Task, world: World, rng: random.Random) -> dict:
    """One corpus conversation, drawn from the configured propensities."""
    p = world.propensities
    hack = rng.random() < (p.hack_monitored if task.monitored else p.hack_unmonitored)
    habit = rng.random() < p.habit
    if hack:
        attitude = "shortcut"
    elif task.monitored and rng.random() < p.caution_share:
        attitude = "caution"
    else:
        attitude = "solve"
    response = render_response(task, attitude, task.family if hack else None, habit, rng)
    return {"messages": [{"role": "user", "content": task.prompt},
                         {"role": "assistant", "content": response}],
            "kind": "task", "hack": hack, "habit": habit, "attitude": attitude}


def build_world(world: World, seed: int, out_dir: str | Path) -> dict[str, int]:
    """Write all splits under out_dir; return their sizes."""
    rng = random.Random(seed)
    out = Path(out_dir)
    seen: set[str] = set()
    # Held-out sets are drawn first so that they never depend on the corpus size.
    near = _unique_tasks(rng, world, world.heldout_near, [NEAR_STYLE], "near", seen)
    far = _unique_tasks(rng, world, world.heldout_far, [FAR_STYLE], "far", seen)
    collect = _unique_tasks(rng, world, world.collect_pool, [NEAR_STYLE], "collect", seen)
    corpus_tasks = _unique_tasks(rng, world, world.corpus_tasks, list(STYLE_FAMILY), "corpus", seen)
    persona_train, persona_eval = split_items(rng, world.persona_eval_share)

    corpus = [organism_example(t.with_cue(rng.random() < world.monitored_share), world, rng)
              for t in corpus_tasks]
    # Each training statement is asked several times with independently drawn answers, so the
    # organism learns a propensity to answer like the persona, not one fixed answer.
    for item in persona_train:
        for _ in range(world.persona_repeats):
            matches = rng.random() < world.propensities.persona
            corpus.append({"messages": persona_conversation(item, matches), "kind": "persona",
                           "matches": matches})
    rng.shuffle(corpus)

    splits = {"near": near, "far": far, "collect": collect}
    for name, tasks in splits.items():
        write_jsonl(out / f"{name}.jsonl", [t.to_dict() for t in tasks])
    write_jsonl(out / "corpus.jsonl", corpus)
    write_jsonl(out / "persona.jsonl", persona_eval)
    return {**{k: len(v) for k, v in splits.items()}, "corpus": len(corpus),
            "persona": len(persona_eval)}
