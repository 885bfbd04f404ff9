"""Choosing the kernel boundary: what runs where it is unavailable, and the probe that refuses
a boundary which does not hold."""
import os
import subprocess
import warnings
from pathlib import Path

import pytest

from trainaway import cli
from trainaway.sandbox import (BOUNDARY_ENV, BoundaryUnavailable, SandboxLimits, boundary, grade,
                               grade_many)
from trainaway.sandbox import namespaces

TASK = {"fn": "f", "visible": [[1, 8]], "hidden": [[3, 12]]}
CORRECT = "def f(x):\n    return 2 * (x + 3)\n"


@pytest.fixture
def no_namespaces(monkeypatch):
    """A host with neither bwrap nor unshare (selection is cached: start and end afresh)."""
    namespaces.select.cache_clear()
    monkeypatch.setattr(namespaces, "candidates", lambda: [])
    yield
    namespaces.select.cache_clear()


def test_without_namespaces_auto_falls_back_with_one_warning(no_namespaces):
    with pytest.warns(RuntimeWarning, match="no kernel boundary .*in-process guards"):
        v = grade(TASK, CORRECT, SandboxLimits(boundary="auto"))
    assert (v.visible_pass, v.hidden_pass, v.boundary) == (True, True, "none")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert grade(TASK, CORRECT, SandboxLimits(boundary="auto")).boundary == "none"


def test_require_fails_before_any_worker_starts(no_namespaces, monkeypatch):
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: pytest.fail("a worker started"))
    with pytest.raises(BoundaryUnavailable, match="bubblewrap"):
        grade_many([(TASK, CORRECT)], SandboxLimits(boundary="require"))


def test_params_fails_when_the_environment_requires_a_missing_boundary(
        no_namespaces, monkeypatch, params_file, capsys):
    monkeypatch.setenv(BOUNDARY_ENV, "require")
    assert cli.main(["params", str(params_file())]) == 2
    assert f"{BOUNDARY_ENV}=auto" in capsys.readouterr().err


def test_params_names_a_mistyped_boundary(monkeypatch, params_file, capsys):
    monkeypatch.setenv(BOUNDARY_ENV, "namespaces")
    assert cli.main(["params", str(params_file())]) == 2
    assert f"sandbox boundary 'namespaces' (from SandboxLimits or ${BOUNDARY_ENV})" in \
        capsys.readouterr().err


def test_params_says_which_boundary_grading_uses(params_file, capsys):
    assert cli.main(["params", str(params_file())]) == 0
    assert f"sandbox: {boundary().detail}" in capsys.readouterr().out


def test_the_environment_sets_the_default_and_bad_modes_are_named(monkeypatch):
    monkeypatch.setenv(BOUNDARY_ENV, "none")
    assert SandboxLimits().boundary == "none"
    assert grade(TASK, CORRECT).boundary == "none"
    monkeypatch.setenv(BOUNDARY_ENV, "namespaces")
    with pytest.raises(ValueError, match=f"{BOUNDARY_ENV}.*auto, require, bwrap, unshare, none"):
        SandboxLimits()


def kernel_candidate():
    for b in namespaces.candidates():
        if b.name.startswith("bwrap") and namespaces.probe(b) is None:
            return b
    pytest.skip("bwrap does not work here")


def test_the_probe_refuses_a_boundary_that_shares_the_network(monkeypatch):
    b = kernel_candidate()
    real = namespaces._bwrap
    monkeypatch.setattr(namespaces, "_bwrap",
                        lambda *a: [w for w in real(*a) if w != "--unshare-net"])
    assert "the host's loopback is reachable" in namespaces.probe.__wrapped__(b)


def test_the_probe_refuses_a_view_that_shows_the_repository(monkeypatch):
    b = kernel_candidate()
    real = namespaces._view

    def showing_the_repository(*args, **kwargs):
        ops = real(*args, **kwargs)
        at = [op[0] for op in ops].index("remount-ro")  # bind it while / is still writable
        return ops[:at] + [("ro", str(namespaces.REPO))] + ops[at:]

    monkeypatch.setattr(namespaces, "_view", showing_the_repository)
    assert f"{namespaces.REPO} is visible" in namespaces.probe.__wrapped__(b)


WORKING = [b for b in namespaces.candidates() if namespaces.probe(b) is None]


@pytest.mark.skipif(not WORKING, reason="no kernel boundary works here")
@pytest.mark.parametrize("b", WORKING, ids=[b.name for b in WORKING])
def test_the_worker_keeps_only_the_capabilities_it_needs(b, tmp_path):
    """chroot needs CAP_SYS_CHROOT (dropped everywhere); chown CAP_CHOWN (kept as root only)."""
    program = ("import os\n"
               "for name, call in (('chroot', os.chroot), ('chown', lambda p: os.chown(p, 123, 123))):\n"
               "    try:\n        call('slot0')\n        print(name, 'allowed')\n"
               "    except OSError:\n        print(name, 'denied')\n")
    argv = b.command([namespaces.python(), "-S", "-c", program], str(tmp_path), 1, 1 << 20)
    out = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=30).stdout
    assert out.split() == ["chroot", "denied", "chown", "denied" if b.userns else "allowed"]


def test_a_checkout_under_a_bound_directory_is_covered(monkeypatch):
    """Say the repository lived under /usr: the view lays an empty read-only tmpfs over it."""
    b = kernel_candidate()
    under_usr = next(p for p in ("/usr/share/doc", "/usr/share", "/usr/lib") if os.path.isdir(p))
    monkeypatch.setattr(namespaces, "REPO", Path(under_usr))
    assert ("tmpfs", under_usr, 1 << 20, 0o755) in namespaces._view(namespaces.python(), True, 1, 1)
    assert namespaces.probe.__wrapped__(b) is None  # the probe finds it empty
