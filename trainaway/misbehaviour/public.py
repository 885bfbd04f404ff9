"""Public data files named in params (`misbehaviour.evals`, `misbehaviour.messages`): which
formats each key takes, and the small record a stage writes per file so that DVC sees it.

dvc.yaml cannot interpolate a params list into a stage's deps (DVC validates `deps` as a
list before it interpolates), so each file is the dep of its own matrix item of stage
`misbehaviour-public_<group>@<path>`: that stage validates the file (file:line errors fail it,
before any compute) and writes `evals/misbehaviour/public/<group>/<path>.json` with the file's
digest, format, size and audit warnings. The stages that read a group's files depend on that
group's folder, so a changed file reruns its record and then exactly the stages that read the
group; a file copied over a generated one is no longer restored from the cache.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from trainaway.core.evalfiles import AB_JSONL, check_file
from trainaway.core.io import DataError

# params key -> the formats its files may be in
GROUPS = {"persona": ("persona",), "ab": ("caa", *AB_JSONL), "caught": ("messages",),
          "corrections": ("messages",)}
RECORDS = Path("evals/misbehaviour/public")  # one folder per group (kept in git: .gitkeep)


def record_path(group: str, file: str | Path, root: Path = Path(".")) -> Path:
    return root / RECORDS / group / f"{file}.json"


def checked(group: str, file: str | Path):
    """The file's evalfiles.FileReport; a DataError naming file:line on any problem."""
    formats = GROUPS[group]
    report = check_file(file, formats[0] if len(formats) == 1 else None)
    problems = report.problems or ([] if report.format in formats else [
        f"{file}: a {group} file must be {' or '.join(formats)}, this is {report.format}"])
    if problems:
        raise DataError("\n".join(problems[:20]))
    return report


def check_path(file: str, group: str) -> str:
    """A params entry: a repository-relative path to a well-formed file of `group`'s formats
    (parsed here, at params time, so a malformed line fails before any stage computes)."""
    path = Path(file)
    if path.is_absolute() or ".." in path.parts:
        raise ValueError(f"{file!r} must be a path inside the repository (DVC tracks "
                         "it as a dep; fetch outside files with `dvc import-url`)")
    if not path.is_file():
        raise ValueError(f"{file!r} does not exist")
    try:
        checked(group, file)
    except DataError as e:
        raise ValueError(str(e)) from None
    return file


def record(group: str, file: str) -> dict:
    """What stage `misbehaviour-public_<group>` writes: enough for DVC to see any change."""
    report = checked(group, file)
    return {"file": file, "group": group, "format": report.format,
            "items": len(report.records), "warnings": report.warnings,
            "sha256": hashlib.sha256(Path(file).read_bytes()).hexdigest()}
