"""Stage `report`: every track's evals and per-sample outcomes -> reports/metrics.json (flat,
what `dvc metrics diff` compares), reports/plots/ CSVs (`dvc plots`), reports/figures/ PNGs and
reports/REPORT.md.

    python -m stages.report      # or: dvc repro report
"""
from pathlib import Path

from trainaway.core.entry import run
from trainaway.core.report import write_report
from trainaway.misbehaviour import report as misbehaviour
from trainaway.misbehaviour.params import load
from trainaway.withholding import params as withholding_params
from trainaway.withholding import report as withholding

REPORTS = Path("reports")


def main() -> None:
    params = load()
    print(write_report([misbehaviour.build(params, REPORTS),
                        withholding.build(withholding_params.load(), REPORTS)], REPORTS))


if __name__ == "__main__":
    run(main)
