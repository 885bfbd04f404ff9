"""Reusing finished runs: a run is redone only when something it depends on changed.

A sweep stage holds many runs. DVC reruns the whole stage when any of its inputs or params
changes (say `ks` grows by one value); the stage then keeps every finished run whose *key* --
a digest of everything that run depends on: its own settings, the contents of its input files
and the code the stage imports (trainaway.core.closure) -- equals the key stored with its
outputs, and redoes only the rest. dvc.yaml declares those outputs `persist: true`, so DVC
leaves them in place for this; runs that left the matrix are deleted, so the outputs remain a
function of the current deps and params alone. The key file is written last: a run that was
interrupted has none and is redone.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from trainaway.core.closure import stage_code

KEY_FILE = "run_key.txt"


def digest(*parts) -> str:
    """Digest of JSON-able parts (pydantic params: pass `.model_dump()`)."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def tree_digest(*paths: str | Path) -> str:
    """Digest of the names and bytes of files, and of every file below directories."""
    h = hashlib.sha256()
    for root in map(Path, paths):
        files = [root] if root.is_file() else sorted(
            p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        for f in files:
            h.update(str(f.relative_to(root.parent)).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def code_digest(module: str, root: str | Path) -> str:
    """Digest of the code behind stage module `module`, at the granularity of its DVC deps."""
    root = Path(root)
    return tree_digest(*(root / unit for unit in sorted(stage_code(module, root))))


class RunStore:
    """Finished runs under `root`, one directory each, next to the key they were made with."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def path(self, name: str) -> Path:
        return self.root / name

    def finished(self, name: str, key: str) -> bool:
        f = self.path(name) / KEY_FILE
        return f.is_file() and f.read_text() == key

    def begin(self, name: str) -> Path:
        """An empty directory for the run (whatever an older or interrupted run left goes)."""
        path = self.path(name)
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        return path

    def finish(self, name: str, key: str) -> None:
        (self.path(name) / KEY_FILE).write_text(key)

    def prune(self, keep: set[str]) -> None:
        """Delete every run directory not in `keep` (runs that left the matrix)."""
        if self.root.is_dir():
            for path in self.root.iterdir():
                if path.name not in keep:
                    shutil.rmtree(path) if path.is_dir() else path.unlink()
