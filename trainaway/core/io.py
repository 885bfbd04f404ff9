"""JSONL and JSON in and out. Errors name the file and line, because users bring their own files.

Every JSON file a stage writes goes through `write_json` (sorted keys, one indent), so tracked
outputs are byte-stable and diffable. Writes are atomic (a temporary file, then a rename): a
stage killed mid-write leaves the old file or none, never half of one that a rerun would read.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable


class DataError(ValueError):
    """Malformed input data; the message says file:line and what is wrong."""


def read_jsonl(path: str | Path, required: tuple[str, ...] = (),
               check: Callable[[dict], object] | None = None, empty_ok: bool = True) -> list[dict]:
    """The file's rows (JSON objects), each with the `required` fields; `check(row)` may reject
    a row by raising (KeyError, TypeError or ValueError: the message gets the file:line)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    rows = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise DataError(f"{path}:{lineno}: not valid JSON ({e.msg})") from None
            if not isinstance(row, dict):
                raise DataError(f"{path}:{lineno}: expected a JSON object, got {type(row).__name__}")
            missing = [k for k in required if k not in row]
            if missing:
                raise DataError(f"{path}:{lineno}: missing field(s) {', '.join(missing)}")
            if check is not None:
                try:
                    check(row)
                except (KeyError, TypeError, ValueError) as e:
                    what = f"missing field {e}" if isinstance(e, KeyError) else str(e)
                    raise DataError(f"{path}:{lineno}: {what}") from None
            rows.append(row)
    if not rows and not empty_ok:
        raise DataError(f"{path}: no rows (an empty file; rerun the stage that writes it)")
    return rows


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_jsonl(path: str | Path, rows) -> None:
    _atomic_write(Path(path), "".join(json.dumps(row, sort_keys=True) + "\n" for row in rows))


def read_json(path: str | Path) -> dict:
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise DataError(f"{path}:{e.lineno}: not valid JSON ({e.msg})") from None


def write_json(path: str | Path, obj, indent: int = 1) -> None:
    _atomic_write(Path(path), json.dumps(obj, indent=indent, sort_keys=True) + "\n")
