"""Stage `misbehaviour-check@{depth}`: fail the pipeline if any held-out prompt leaks into
training data: the corpus, the collect pool, the caught examples, or the rows any run trains on
(every augmentation and seed, at the largest k).

    python -m stages.misbehaviour.check --depth standard   # or: dvc repro misbehaviour-check@standard
"""
import sys

from trainaway.core.entry import run
from trainaway.core.io import read_jsonl, write_json
from trainaway.misbehaviour import behaviours
from trainaway.misbehaviour.augment import training_items
from trainaway.misbehaviour.check import check_world
from trainaway.misbehaviour.stage import start


def main(argv=None):
    args, params, layout = start(__doc__, argv)
    mb = params.misbehaviour
    forbidden = {row["prompt"] for row in read_jsonl(layout.world / "heldout.jsonl",
                                                     required=("prompt",))}
    trained = {}
    for name in mb.behaviours:
        caught = read_jsonl(layout.collected / f"{name}.jsonl",
                            required=("task", "response", "corrected"))
        for how in mb.augmentations:
            trained[f"train:{name}:{how}"] = [
                item["task"]["prompt"] for seed in mb.seeds
                for item in training_items(caught, max(mb.ks), how, mb.augment.multiplier,
                                           behaviours.get(name), seed, forbidden)]
    result = check_world(layout.world, layout.collected, trained)
    write_json(layout.evals / "check.json", result)
    if not result["ok"]:
        sys.exit("check failed:\n  " + "\n  ".join(result["problems"]))
    print(f"check: ok, splits {result['splits']}")


if __name__ == "__main__":
    run(main)
