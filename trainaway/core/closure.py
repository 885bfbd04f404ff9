"""The code a stage runs: the import closure of its entry module, read from the source.

Used twice, so that the two cannot drift: a test checks that every stage's `deps` in dvc.yaml
cover the closure (a stale result that DVC thinks is fresh is the worst bug a reproducibility
tool can have), and a sweep keys its finished runs by a digest of the same code
(trainaway.core.runs). Imports are read with `ast` from every module, function-level imports
included; the unit of code is a subpackage (`trainaway/core`, `trainaway/sandbox`, ...), since
a package may run its own files by path (the sandbox starts its worker script that way).
"""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGES = ("trainaway", "stages")  # top-level names that are this repository's code


def _module_file(name: str, root: Path) -> Path | None:
    base = root.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported(path: Path, name: str) -> set[str]:
    """Module names `path` (module `name`) imports, including `from pkg import submodule`."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def closure(module: str, root: str | Path) -> set[Path]:
    """Files of every repository module `module` imports, transitively (itself included), with
    the `__init__.py` of every package on the way."""
    root = Path(root)
    seen: set[str] = set()
    files: set[Path] = set()
    todo = [module]
    while todo:
        name = todo.pop()
        if name in seen or name.split(".")[0] not in PACKAGES:
            continue
        seen.add(name)
        parts = name.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts))]  # parent packages run first
        path = _module_file(name, root)
        if path is None:
            continue  # a name imported from a module (a function, a class), not a module
        files.add(path)
        todo += sorted(_imported(path, name))
    return files


def code_units(files: set[Path], root: str | Path) -> set[Path]:
    """What must be declared: each subpackage (trainaway/<sub>) as a folder, every other file
    (a stage script, the package's own __init__.py) as itself. Paths relative to root."""
    root = Path(root)
    units = set()
    for f in files:
        rel = f.relative_to(root)
        units.add(Path(*rel.parts[:2]) if rel.parts[0] == "trainaway" and len(rel.parts) > 2
                  else rel)
    return units


def stage_code(module: str, root: str | Path) -> set[Path]:
    """The code units behind stage module `module` (e.g. "stages.misbehaviour.sweep")."""
    return code_units(closure(module, root), root)
