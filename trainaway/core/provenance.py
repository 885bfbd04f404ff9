"""What produced a result: the versions of the libraries that compute it and the project's
commit, stamped into every eval JSON a stage writes (`stamped`).

Only what two runs of the same commit in the same environment share goes in (no time, no host,
no path), so a rerun still writes the same bytes.
"""
from __future__ import annotations

import subprocess
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

LIBRARIES = ("torch", "transformers", "trl", "peft")
ROOT = Path(__file__).resolve().parents[2]  # the checkout whose code runs


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                             timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout if out.returncode == 0 else None


@lru_cache(maxsize=None)
def environment() -> dict:
    """{"versions": {library: version or None}, "commit": HEAD or None (no git, no commit),
    "code_changed": the code differs from that commit (trainaway/, stages/)}."""
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    commit = _git("rev-parse", "--verify", "-q", "HEAD")
    changed = _git("status", "--porcelain", "--", "trainaway", "stages") if commit else None
    return {"versions": versions, "commit": commit.strip() if commit else None,
            "code_changed": None if changed is None else bool(changed.strip())}


def stamped(record: dict) -> dict:
    """`record` with the environment that produced it."""
    return {**record, "environment": environment()}
