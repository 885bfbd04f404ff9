"""`trainaway` command line: a small dispatcher over subcommands.

To add a subcommand, write `_add_<name>(subparsers)` that builds its parser and sets
`func=<handler>` (handler: `argparse.Namespace -> int` exit status), and list it in SUBCOMMANDS.
Keep imports of heavy modules (torch, transformers) inside handlers, so that `trainaway grade`
stays fast.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

PROG = "trainaway"


class UsageError(Exception):
    """A problem with the user's input files; reported on stderr with exit status 2."""


# --------------------------------------------------------------------------------- grade
def _load_task(path: Path) -> dict:
    """Read and validate a task JSON file; every problem names the file and what is wrong."""
    from trainaway.sandbox import TaskError, task_fields

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"task file {str(path)!r} does not exist") from None
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"cannot read task file {str(path)!r}: {e}") from None
    try:
        task = json.loads(text)
    except ValueError as e:
        raise UsageError(f"task file {str(path)!r} is not valid JSON: {e}") from None
    if not isinstance(task, dict):
        raise UsageError(f"task file {str(path)!r} must hold a JSON object, not {type(task).__name__}")
    try:
        task_fields(task)
    except TaskError as e:
        raise UsageError(f"task file {str(path)!r}: {e}") from None
    return task


def _grade(args: argparse.Namespace) -> int:
    from trainaway.sandbox import SandboxLimits, grade

    task = _load_task(args.task)
    try:
        solution = args.solution.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"cannot read solution file {str(args.solution)!r}: {e}") from None
    limits = SandboxLimits(wall_seconds=args.wall_seconds, cpu_seconds=args.cpu_seconds)
    print(json.dumps(grade(task, solution, limits).to_dict()))
    return 0


def _add_grade(subparsers) -> None:
    p = subparsers.add_parser(
        "grade", help="grade one solution in the sandbox; prints the verdict as one JSON line",
        description="Run SOLUTION against TASK's visible tests (naive runner) and hidden tests "
                    "(strict grader) in the sandbox and print the verdict as one JSON line.")
    p.add_argument("--task", type=Path, required=True, metavar="TASK.json",
                   help='JSON object with "fn", "visible" and "hidden" ([input, expected] pairs)')
    p.add_argument("--solution", type=Path, required=True, metavar="SOLUTION.py")
    p.add_argument("--wall-seconds", type=float, default=3.0, help="wall clock per check")
    p.add_argument("--cpu-seconds", type=int, default=2, help="CPU time per check")
    p.set_defaults(func=_grade)


# ------------------------------------------------------------------------------ validate
def _validate(args: argparse.Namespace) -> int:
    from trainaway.core.evalfiles import check_file

    problems = warnings = 0
    for path in args.files:
        report = check_file(path, args.format)
        for line in report.problems + report.warnings:
            print(line, file=sys.stderr)
        problems, warnings = problems + len(report.problems), warnings + len(report.warnings)
        print(f"{path}: {report.format or 'unrecognised'}, {len(report.records)} item(s)")
    print(f"{len(args.files)} file(s), {problems} problem(s), {warnings} warning(s)")
    return 1 if problems else 0


def _add_validate(subparsers) -> None:
    from trainaway.core.evalfiles import FORMATS

    p = subparsers.add_parser(
        "validate", help="check public eval files (persona, A/B, messages, ...) at file:line",
        description="Recognise each file's format (" + ", ".join(FORMATS) + "), parse every "
                    "item and report problems at file:line (exit 1); audit the labels "
                    "(answers among the choices, duplicate questions, possibly inverted Yes/No "
                    "labels) and report those as warnings with counts (exit 0).")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="the format every file must be (default: recognised per file)")
    p.set_defaults(func=_validate)


# -------------------------------------------------------------------------------- params
def _params(args: argparse.Namespace) -> int:
    from trainaway.core.config import ParamsError
    from trainaway.misbehaviour.params import load
    from trainaway.sandbox import BoundaryUnavailable, boundary
    from trainaway.withholding.params import load as load_withholding

    try:
        load(args.file)
        load_withholding(args.file)
    except ParamsError as e:
        raise UsageError(str(e)) from None
    try:  # $TRAINAWAY_SANDBOX_BOUNDARY=require (or a typo in it) fails here, before any stage
        sandbox = boundary()
    except (BoundaryUnavailable, ValueError) as e:
        raise UsageError(str(e)) from None
    print(f"{args.file}: valid")
    print(f"sandbox: {sandbox.detail}")
    return 0


def _add_params(subparsers) -> None:
    p = subparsers.add_parser(
        "params", help="validate params.yaml (every track) before any stage runs",
        description="Validate params.yaml: the shared blocks and every track's section, "
                    "and say which sandbox boundary grading will use. `make repro` runs this "
                    "first, so a typo (or TRAINAWAY_SANDBOX_BOUNDARY=require on a host "
                    "without namespaces) fails before DVC touches any output. Exit 2 with the "
                    "key named on any problem.")
    p.add_argument("file", nargs="?", type=Path, default=Path("params.yaml"))
    p.set_defaults(func=_params)


SUBCOMMANDS = [_add_grade, _add_validate, _add_params]


# ---------------------------------------------------------------------------------- main
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="trainaway: does training against k caught examples remove a "
                               "misbehaviour, or only its instances?")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in SUBCOMMANDS:
        add(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return args.func(args)
    except UsageError as e:
        print(f"{PROG} {args.command}: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
