"""Per-stage wall time of the pipeline, and the share spent outside compute (process start-up
and imports), measured side by side in one run on a scratch copy of the project.

    .venv/bin/python bench/stage_times.py              # the default params (a whole make repro)
    .venv/bin/python bench/stage_times.py --set misbehaviour.ks=[1] --set misbehaviour.world.corpus_tasks=1000

Each stage command from dvc.yaml runs once, in pipeline order, exactly as `dvc repro` would
run it; then each stage script is imported without running it, which is the start-up cost
that stage pays before any work. "outside compute" = start-up / wall.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx
import yaml
from dvc.repo import Repo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from trainaway.core.workspace import copy_project  # noqa: E402


def set_param(params: dict, dotted: str) -> None:
    key, value = dotted.split("=", 1)
    *parents, last = key.split(".")
    node = params
    for p in parents:
        node = node[p]
    node[last] = yaml.safe_load(value)


def timed(cmd: str, cwd: Path, env: dict) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, shell=True, cwd=cwd, env=env, capture_output=True, text=True)
    if proc.returncode:
        sys.exit(f"{cmd} failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="override a param in the scratch copy (repeatable)")
    args = ap.parse_args()
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    with tempfile.TemporaryDirectory(prefix="trainaway-bench-") as tmp:
        repo = copy_project(Path(tmp))
        params = yaml.safe_load((repo / "params.yaml").read_text())
        for override in args.set:
            set_param(params, override)
        (repo / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
        graph = Repo(str(repo)).index.graph
        stages = [s for s in reversed(list(nx.topological_sort(graph))) if s.cmd]
        startup: dict[str, float] = {}
        rows = []
        for stage in stages:
            module = stage.cmd.split()[2]  # python -m <module> ...
            wall = timed(stage.cmd, repo, env)
            if module not in startup:
                startup[module] = timed(f"python -c 'import {module}'", repo, env)
            rows.append((stage.addressing.split(":")[-1], wall, min(startup[module], wall)))
    width = max(len(r[0]) for r in rows)
    print(f"{'stage':<{width}}  {'wall s':>7}  {'start-up s':>10}  {'outside compute':>15}")
    for name, wall, start in rows:
        print(f"{name:<{width}}  {wall:7.1f}  {start:10.1f}  {start / wall:15.0%}")
    total, total_start = sum(r[1] for r in rows), sum(r[2] for r in rows)
    print(f"{'total':<{width}}  {total:7.1f}  {total_start:10.1f}  {total_start / total:15.0%}")


if __name__ == "__main__":
    main()
