"""Stage `report`: evals/ and data/outcomes/ of every organism depth -> reports/metrics.json,
reports/plots/{depth}/*.csv, reports/figures/{depth}/*.png and reports/REPORT.md (k50 with
bootstrap intervals, its ratio to the habit control, the generalisation gap and collateral
effects, per behaviour x method x augmentation; then k50 and the gap against depth).

    python stages/report.py      # or: dvc repro report
"""
from pathlib import Path

from trainaway.config import load_params
from trainaway.paths import REPORTS
from trainaway.report import build_report


def main() -> None:
    params = load_params()
    print(build_report(Path("evals"), REPORTS, params, outcomes_dir=Path("data/outcomes"),
                       probes_dir=Path("probes")))


if __name__ == "__main__":
    main()
