"""What every Track B stage starts with: its options, the validated params and the paths, all
before any work (an unknown organism or method fails here, by name)."""
from __future__ import annotations

import argparse

from trainaway.core.config import ParamsError
from trainaway.core.entry import arguments
from trainaway.withholding.layout import Layout
from trainaway.withholding.params import Params, load


def start(doc: str, argv=None, *options: str) -> tuple[argparse.Namespace, Params, Layout]:
    args = arguments(doc, argv, *options)
    params = load()
    for option, allowed in (("organism", params.withholding.organisms),
                            ("method", params.withholding.methods)):
        value = getattr(args, option, None)
        if value is not None and value not in allowed:
            raise ParamsError(f"--{option} {value!r} is not one of withholding.{option}s: {allowed}")
    return args, params, Layout()
