"""What every stage starts with: its command line, then validated params, before any work.

`run(main)` is every stage script's last line: errors a user can fix (bad params, malformed
files, a task without its fields) are printed as one message naming the key or file:line,
not as a traceback, and the stage exits non-zero so DVC stops there.
"""
from __future__ import annotations

import argparse
import sys
from typing import Callable

from trainaway.core.config import ParamsError
from trainaway.core.io import DataError


def arguments(doc: str, argv=None, *options: str) -> argparse.Namespace:
    """Parse the required `--<option>`s of a stage (its DVC matrix axes)."""
    ap = argparse.ArgumentParser(description=doc,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    for option in options:
        ap.add_argument(f"--{option}", required=True)
    return ap.parse_args(argv)


def run(main: Callable[[], object]) -> None:
    try:
        main()
    except (ParamsError, DataError) as e:
        sys.exit(f"error: {e}")
