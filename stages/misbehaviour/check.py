"""Stage `misbehaviour-check@{depth}`: fail the pipeline if any held-out item leaks into
training data by meaning or by prompt (the corpus, the collect pool, the caught examples, the
rows every run trains on), if a training label is not what it says (the label audit), or if the
persona file is malformed.

    python -m stages.misbehaviour.check --depth standard   # or: dvc repro misbehaviour-check@standard
"""
import sys

from trainaway.core.entry import run
from trainaway.core.io import write_json
from trainaway.core.provenance import stamped
from trainaway.misbehaviour.check import integrity
from trainaway.misbehaviour.stage import start


def main(argv=None):
    args, params, layout = start(__doc__, argv)
    result = integrity(layout, params)
    write_json(layout.evals / "check.json", stamped(result))
    if not result["ok"]:
        sys.exit("check failed:\n  " + "\n  ".join(result["problems"][:20]))
    audited = sum(a["rows"] for a in result["audit"].values())
    print(f"check: ok, {len(result['splits'])} splits disjoint, {audited} training rows audited")


if __name__ == "__main__":
    run(main)
