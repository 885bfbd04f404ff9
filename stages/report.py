"""Aggregate evals/*.json into reports/metrics.json, reports/plots/*.csv, reports/figures/*.png
and reports/REPORT.md.

Run by `dvc repro report`, which executes exactly:

    python stages/report.py
"""
from trainaway.config import load_params
from trainaway.paths import EVALS, PROBES, REPORTS
from trainaway.report import build_report


def main() -> None:
    params = load_params()
    report = build_report(EVALS, REPORTS, params.report.targets,
                          params.world.propensities.habit, params.behaviours, params.ks,
                          PROBES)
    print(report)


if __name__ == "__main__":
    main()
