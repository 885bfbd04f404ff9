"""Reliability of the pipeline as a user runs it: interrupted, run twice at once, rerun, queued.

One scratch copy of the tiny pipeline is interrupted four times -- SIGINT and SIGKILL sent to
the stage's own process, mid-organism and mid-sweep -- and then run to the end. Its outputs
must equal, byte for byte, those of an uninterrupted run (`tiny_run`, as first written):
nothing half-written was used, and the same params give the same bytes (metrics, evals,
report and dvc.lock).
"""
import filecmp
import signal
import subprocess
import time
from pathlib import Path

import psutil
import pytest

TRAINED = "models/misbehaviour/standard/trained"
TRACKED = ("reports/metrics.json", "reports/REPORT.md", "dvc.lock")  # and evals/


def start_repro(repo: Path, env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(["dvc", "repro"], cwd=repo, env=env, stdout=log.open("w"),
                            stderr=subprocess.STDOUT)


def stage_process(dvc: subprocess.Popen, module: str, log: Path,
                  timeout: float = 600) -> psutil.Process:
    """The python process running `python -m <module>` under dvc, once it exists."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and dvc.poll() is None:
        for child in psutil.Process(dvc.pid).children(recursive=True):
            try:
                if child.cmdline()[1:3] == ["-m", module]:
                    return child
            except (psutil.NoSuchProcess, IndexError):
                continue
        time.sleep(0.2)
    raise AssertionError(f"dvc never ran {module}:\n{log.read_text()[-3000:]}")


def wait_for(condition, alive, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert alive() and time.monotonic() < deadline, "the process ended first"
        time.sleep(0.2)


def training(log: Path) -> bool:
    """The trainer's progress bar (steps per second) is in the last stage's output."""
    last = log.read_text(errors="replace").rpartition("Running stage")[2]
    return "it/s]" in last or "s/it]" in last


def run_keys(repo: Path) -> int:
    """Runs a sweep has finished (a run's key is written last)."""
    return len(list((repo / TRAINED).glob("*/*/run_key.txt")))


@pytest.fixture(scope="module")
def resumed(tiny_project, tmp_path_factory):
    """The interrupted copy: what each interrupted `dvc repro`, a concurrent one and the final
    rerun returned."""
    repo, env = tiny_project("interrupted")
    logs = tmp_path_factory.mktemp("logs")
    got = {}
    for n, (module, sig) in enumerate([("stages.misbehaviour.organism", signal.SIGINT),
                                       ("stages.misbehaviour.organism", signal.SIGKILL),
                                       ("stages.misbehaviour.sweep", signal.SIGINT),
                                       ("stages.misbehaviour.sweep", signal.SIGKILL)]):
        log = logs / f"{n}.log"
        dvc = start_repro(repo, env, log)
        stage = stage_process(dvc, module, log)
        if n == 0:  # a second repro while this one holds the repository
            got["concurrent"] = subprocess.run(["dvc", "repro"], cwd=repo, env=env,
                                               capture_output=True, text=True)
        if module.endswith("organism"):  # past the imports, into training steps
            wait_for(lambda: training(log), stage.is_running)
        else:  # a run of the sweep has just finished; the sweep process running now
            done = run_keys(repo)
            wait_for(lambda: run_keys(repo) > done, lambda: dvc.poll() is None)
            stage = stage_process(dvc, module, log)
        stage.send_signal(sig)
        got[(module, sig)] = dvc.wait(timeout=600)
    got["final"] = subprocess.run(["dvc", "repro"], cwd=repo, env=env, capture_output=True,
                                  text=True)
    return repo, got


def test_a_second_concurrent_repro_is_refused_clearly(resumed):
    _, got = resumed
    proc = got["concurrent"]
    # DVC's per-path lock (.dvc/tmp/rwlock) stops it at the first stage whose files the
    # running repro holds, before that stage's outputs are touched.
    assert proc.returncode != 0 and "is busy, it is being blocked by" in proc.stderr


@pytest.mark.parametrize("module", ["stages.misbehaviour.organism", "stages.misbehaviour.sweep"])
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_an_interrupted_stage_fails_the_repro(resumed, module, sig):
    _, got = resumed
    assert got[(module, sig)] != 0


def test_the_rerun_after_interruptions_completes(resumed):
    _, got = resumed
    assert got["final"].returncode == 0, got["final"].stdout[-3000:] + got["final"].stderr[-3000:]


@pytest.mark.parametrize("path", TRACKED)
def test_interrupted_and_clean_runs_write_the_same_bytes(resumed, tiny_clean, path):
    (repo, _), clean = resumed, tiny_clean
    assert (repo / path).read_bytes() == (clean / path).read_bytes()


def differing(a: Path, b: Path) -> list[str]:
    cmp = filecmp.dircmp(a, b)
    return ([str(a / f) for f in cmp.diff_files + cmp.left_only + cmp.right_only + cmp.funny_files]
            + [f for d in cmp.common_dirs for f in differing(a / d, b / d)])


def test_interrupted_and_clean_runs_write_the_same_evals(resumed, tiny_clean):
    (repo, _), clean = resumed, tiny_clean
    filecmp.clear_cache()
    assert differing(repo / "evals", clean / "evals") == []


def test_a_queued_experiment_runs_the_code_it_was_queued_with(tiny_project):
    """Queued, then the workspace's code broken: the experiment still runs (its own copy)."""
    repo, env = tiny_project("queue")
    env = {**env, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t"}

    def run(*cmd):
        proc = subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
        return proc.stdout
    run("git", "add", "-A")
    run("git", "commit", "-qm", "queued code")
    run("dvc", "exp", "run", "--queue", "-n", "own-code", "-S", "seed=1", "params")
    stage = repo / "stages/params.py"
    stage.write_text(stage.read_text().replace(
        "def main(argv=None) -> None:\n",
        "def main(argv=None) -> None:\n    raise SystemExit(\"the workspace's code ran\")\n"))
    run("dvc", "queue", "start")
    try:
        deadline = time.monotonic() + 300
        while any(s in (status := run("dvc", "queue", "status")) for s in ("Queued", "Running")):
            assert time.monotonic() < deadline, status
            time.sleep(1)
    finally:
        subprocess.run(["dvc", "queue", "stop", "--kill"], cwd=repo, env=env,
                       capture_output=True)
    assert "Success" in status, status + run("dvc", "queue", "logs", "own-code")
