"""Where each stage reads and writes (relative to the repository root, as in dvc.yaml)."""
from pathlib import Path

WORLD = Path("data/world")
COLLECTED = Path("data/collected")
BASE_MODEL = Path("models/base")
TRAINED = Path("models/trained")
EVALS = Path("evals")             # per-model summaries (small, in git)
OUTCOMES = Path("data/outcomes")  # per-sample outcomes behind them (DVC cache)
PROBES = Path("probes")           # per-model probe results (small, in git)
REPORTS = Path("reports")


def run_name(behaviour: str | None, k: int | None) -> str:
    return "base" if behaviour is None else f"{behaviour}-k{k}"
