"""What every per-depth stage entry point starts with: its command line, validated params and
its depth's paths, all before any work (an unknown depth fails here, by name)."""
from __future__ import annotations

import argparse
import sys

from trainaway.config import Params, ParamsError, load_params
from trainaway.paths import Layout


def start(doc: str, argv=None, *options: str) -> tuple[argparse.Namespace, Params, Layout]:
    """Parse `--depth` and the required `--<option>`s, load params, resolve the layout."""
    ap = argparse.ArgumentParser(description=doc,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--depth", required=True, help="organism depth level (params: depths)")
    for option in options:
        ap.add_argument(f"--{option}", required=True)
    args = ap.parse_args(argv)
    try:
        params = load_params()
        params.level(args.depth)
    except ParamsError as e:  # the message names the key; a traceback would only bury it
        sys.exit(str(e))
    return args, params, Layout(args.depth)
