"""Stage `check`: fail the pipeline if any held-out prompt leaks into training data: the
corpus, the collect pool, the caught examples, or their augmented variants (every
augmentation and seed, at the largest k).

    python stages/check.py --depth standard      # or: dvc repro check@standard
"""
import json
import sys

from trainaway import behaviours
from trainaway.augment import augment
from trainaway.check import check_world
from trainaway.jsonl import read_jsonl
from trainaway.entry import start


def main(argv=None):
    args, params, layout = start(__doc__, argv)
    # The same call as stage `sweep` makes, so what is checked is what is trained on.
    forbidden = {row["prompt"] for row in read_jsonl(layout.world / "heldout.jsonl", required=("prompt",))}
    augmented = {}
    for path in sorted(layout.collected.glob("*.jsonl")):
        if path.stem not in params.behaviours:
            continue
        caught = read_jsonl(path, required=("task", "response", "corrected"))[:max(params.ks)]
        for how in params.augmentations:
            augmented[f"train:{path.stem}:{how}"] = [
                item["task"]["prompt"] for seed in params.seeds
                for item in augment(caught, how, params.augment.multiplier,
                                    behaviours.get(path.stem), seed, forbidden)]
    result = check_world(layout.world, layout.collected, augmented)
    layout.evals.mkdir(parents=True, exist_ok=True)
    (layout.evals / "check.json").write_text(json.dumps(result, indent=1) + "\n")
    if not result["ok"]:
        sys.exit("check failed:\n  " + "\n  ".join(result["problems"]))
    print(f"check: ok, splits {result['splits']}")


if __name__ == "__main__":
    main()
