"""Stage `organism@{depth}`: train the model organism from scratch, or point at `model.base`.

    python stages/organism.py --depth standard   # or: dvc repro organism@standard
"""
import json

from trainaway.entry import start
from trainaway.jsonl import read_jsonl
from trainaway.model_ref import write_model_ref
from trainaway.organism import build_organism


def main(argv=None):
    args, params, layout = start(__doc__, argv)
    if params.model.base:
        write_model_ref(params.model.base, layout.base_model)
        info = {"base": params.model.base}
    else:
        corpus = read_jsonl(layout.world / "corpus.jsonl", required=("messages",))
        info = build_organism(corpus, params.organism_at(args.depth), params.seed,
                              layout.base_model, params.model.device)
    layout.evals.mkdir(parents=True, exist_ok=True)
    (layout.evals / "organism.json").write_text(json.dumps(info, indent=1) + "\n")
    print(f"organism: {info}")


if __name__ == "__main__":
    main()
