"""Stage `params`: validate params.yaml (every track) and the sandbox boundary, before any
other stage runs; every stage descends from it.

DVC deletes a stage's outputs before running it, so a typo caught inside a later stage has
already cost that stage's finished work. This stage depends on the whole of params.yaml, so
any edit reruns it first (in a few seconds); its output never changes, so the edit reruns
nothing else by itself.

    python -m stages.params      # or: dvc repro params
"""
import sys

from trainaway.cli import main as cli
from trainaway.core.entry import run
from trainaway.core.io import write_json

OUT = "evals/params.json"


def main(argv=None) -> None:
    if status := cli(["params", *(argv or [])]):
        sys.exit(status)
    write_json(OUT, {"valid": True})  # the same bytes whatever the params: reruns nothing


if __name__ == "__main__":
    run(main)
