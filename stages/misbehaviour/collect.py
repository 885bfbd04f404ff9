"""Stage `misbehaviour-collect@{depth}`: sample the base model on the collect pool and keep the
caught examples of every behaviour (and each control's samples, e.g. the neutral control's
honest, habit-free answers). The messages behaviour's come from its files
(misbehaviour.messages), its corrections from matched dialogues or the model's own samples.
Fails, writing nothing, when a behaviour was caught fewer than max(misbehaviour.ks) times.

    python -m stages.misbehaviour.collect --depth standard   # or: dvc repro misbehaviour-collect@standard
"""
from trainaway.core.entry import run
from trainaway.core.generation import sampling
from trainaway.core.io import DataError, read_jsonl, write_json, write_jsonl
from trainaway.core.records import item_from_dict
from trainaway.core.solver import Solver
from trainaway.misbehaviour import behaviours
from trainaway.misbehaviour.collect import caught_examples, sample_pool, source_examples, too_few
from trainaway.misbehaviour.stage import start


def main(argv=None):
    args, params, layout = start(__doc__, argv)
    pool = [item_from_dict(d) for d in read_jsonl(layout.world / "collect.jsonl",
                                                  required=("id", "kind", "prompt"),
                                                  check=item_from_dict, empty_ok=False)]
    solver = Solver(layout.base_model, params.generation, params.model)
    mb, gen = params.misbehaviour, params.generation
    kinds = {item.kind for item in pool}
    limits = {gen.limit_for("collect", kind) for kind in kinds}
    items, outcomes = [], []
    for limit in sorted(limits):  # one generation call per token limit
        part = [t for t in pool if gen.limit_for("collect", t.kind) == limit]
        got = sample_pool(lambda c, s: solver.generate(c, s, desc="collect"), part,
                          sampling(gen, n=mb.collect.samples_per_prompt, seed=params.seed,
                                   max_new_tokens=limit))
        items, outcomes = items + got[0], outcomes + got[1]
    caught, sources = {}, {}
    for name in [*mb.behaviours, *mb.controls]:
        behaviour = behaviours.get(name)
        if behaviour.source:  # read from files; the model only fills in missing corrections
            caught[name], sources[f"{name}.source"] = source_examples(
                lambda c, s: solver.generate(c, s, desc=f"collect {name}"),
                getattr(mb, behaviour.source), params.seed,
                sampling(gen, n=mb.collect.samples_per_prompt, seed=params.seed,
                         max_new_tokens=gen.limit_for("collect", behaviour.kind)))
        else:
            caught[name] = caught_examples(items, outcomes, behaviour, params.seed)
    truncated = sum(bool(o.scores["truncated"]) for o in outcomes)
    # The sweep needs max(ks) caught examples per behaviour: say so now, before the held-out
    # evaluation and the sweep are spent on a collect pool that cannot feed it. (ks changes
    # nothing collect writes, so it is not a param of this stage; check and sweep repeat this.)
    if short := too_few({n: len(c) for n, c in caught.items()}, max(mb.ks)):
        raise DataError(f"{layout.collected}: too few caught examples: {'; '.join(short)}. "
                        "Lower misbehaviour.ks, or raise misbehaviour.world.collect_pool / "
                        "collect_questions or misbehaviour.collect.samples_per_prompt"
                        + (f" ({truncated} samples were truncated: raise "
                           "generation.max_new_tokens)" if truncated else ""))
    for name, rows in caught.items():
        write_jsonl(layout.collected / f"{name}.jsonl", rows)
    summary = {"samples": len(outcomes), "truncated": truncated,
               **{name: len(rows) for name, rows in caught.items()}, **sources}
    write_json(layout.collected / "summary.json", summary)
    print(f"collect: {summary}")


if __name__ == "__main__":
    run(main)
