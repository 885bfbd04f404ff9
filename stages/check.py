"""Stage `check`: fail the pipeline if any held-out prompt leaks into training data.

    python stages/check.py        # or: dvc repro check
"""
import json
import sys

from trainaway.check import check_world
from trainaway.paths import COLLECTED, REPORTS, WORLD


def main():
    result = check_world(WORLD, COLLECTED)
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "check.json").write_text(json.dumps(result, indent=1) + "\n")
    if not result["ok"]:
        sys.exit("check failed:\n  " + "\n  ".join(result["problems"]))
    print(f"check: ok, splits {result['splits']}")


if __name__ == "__main__":
    main()
