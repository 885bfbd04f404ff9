"""Stage `organism`: train the model organism from scratch, or point at `model.base`.

    python stages/organism.py     # or: dvc repro organism
"""
import json

from trainaway.config import load_params
from trainaway.jsonl import read_jsonl
from trainaway.model_ref import write_model_ref
from trainaway.organism import build_organism
from trainaway.paths import BASE_MODEL, REPORTS, WORLD


def main():
    params = load_params()
    if params.model.base:
        write_model_ref(params.model.base, BASE_MODEL)
        info = {"base": params.model.base}
    else:
        corpus = read_jsonl(WORLD / "corpus.jsonl", required=("messages",))
        info = build_organism(corpus, params.organism, params.seed, BASE_MODEL,
                              params.model.device)
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "organism.json").write_text(json.dumps(info, indent=1) + "\n")
    print(f"organism: {info}")


if __name__ == "__main__":
    main()
