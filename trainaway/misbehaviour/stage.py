"""What every Track A stage starts with: `--depth` (and its own options), the validated
params and that depth's paths, all before any work (an unknown depth fails here, by name)."""
from __future__ import annotations

import argparse

from trainaway.core.entry import arguments
from trainaway.misbehaviour.layout import Layout
from trainaway.misbehaviour.params import Params, load


def start(doc: str, argv=None, *options: str) -> tuple[argparse.Namespace, Params, Layout]:
    args = arguments(doc, argv, "depth", *options)
    params = load()
    params.misbehaviour.level(args.depth)
    return args, params, Layout(args.depth)
