"""dvc.yaml's code deps cover what each stage runs, by construction: a stale result that DVC
thinks is fresh is the worst bug a reproducibility tool can have."""
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from trainaway.core.closure import stage_code
from trainaway.core.workspace import ROOT, copy_project

STAGES = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]


def module_of(cmd: str) -> str:
    words = cmd.split()
    assert words[:2] == ["python", "-m"], f"{cmd!r}: stages run as modules of the checkout"
    return words[2]


def code_deps(stage: dict) -> list[Path]:
    return [Path(d) for d in stage["deps"] if d.split("/")[0] in ("trainaway", "stages")]


def uncovered(units, deps) -> list[Path]:
    return sorted(u for u in units if not any(u == d or d in u.parents for d in deps))


@pytest.mark.parametrize("name", list(STAGES))
def test_deps_cover_the_import_closure(name):
    units = stage_code(module_of(STAGES[name]["cmd"]), ROOT)
    assert uncovered(units, code_deps(STAGES[name])) == []


@pytest.mark.parametrize("name", list(STAGES))
def test_deleting_any_code_dep_uncovers_the_closure(name):
    units = stage_code(module_of(STAGES[name]["cmd"]), ROOT)
    deps = code_deps(STAGES[name])
    for dep in deps:
        assert uncovered(units, [d for d in deps if d != dep]), f"{name}: {dep} is not needed"


def test_the_sweeps_code_includes_the_sandbox_worker():
    """The sandbox starts its worker by path, not by import: the subpackage is the unit."""
    units = stage_code("stages.misbehaviour.sweep", ROOT)
    assert Path("trainaway/sandbox") in units and Path("trainaway/core") in units


def test_a_stage_runs_the_code_of_the_directory_it_runs_in(tmp_path):
    """What a queued or --temp experiment relies on: its copy's code, not the installed one."""
    repo = copy_project(tmp_path)
    world = repo / "trainaway/misbehaviour/world.py"
    world.write_text(world.read_text().replace(
        '    """Write all splits under out_dir; return their sizes."""',
        '    """Write all splits under out_dir; return their sizes."""\n'
        '    raise SystemExit("this copy\'s code ran")'))
    proc = subprocess.run([sys.executable, "-m", "stages.misbehaviour.world", "--depth", "standard"],
                          cwd=repo, capture_output=True, text=True)
    assert "this copy's code ran" in proc.stderr
