"""Stage `misbehaviour-organism@{depth}`: train the model organism from scratch on the depth's
corpus, or point at `model.base`.

    python -m stages.misbehaviour.organism --depth standard   # or: dvc repro misbehaviour-organism@standard
"""
from trainaway.core.entry import run
from trainaway.core.io import read_jsonl, write_json
from trainaway.core.models import write_model_ref
from trainaway.core.organism import build_organism
from trainaway.core.provenance import stamped
from trainaway.misbehaviour.stage import start


def main(argv=None):
    args, params, layout = start(__doc__, argv)
    if params.model.base:
        write_model_ref(params.model.base, layout.base_model)
        info = {"base": params.model.base}
    else:
        corpus = read_jsonl(layout.world / "corpus.jsonl", required=("messages",))
        info = build_organism(corpus, params.misbehaviour.organism_at(args.depth), params.seed,
                              layout.base_model, params.model.device)
    # Wall time is printed, not tracked: the same params must write the same bytes.
    seconds = info.pop("train_seconds", None)
    write_json(layout.evals / "organism.json", stamped(info))
    print(f"organism: {info}" + (f", trained in {seconds} s" if seconds is not None else ""))


if __name__ == "__main__":
    run(main)
