"""models/base is either the organism's checkpoint or a pointer to the real model in
`model.base`; every stage resolves it here (a light module: no torch, no transformers)."""
from __future__ import annotations

import json
from pathlib import Path

REF_FILE = "model_ref.json"  # written instead of weights when model.base names a real model


def write_model_ref(base: str, out_dir: str | Path) -> None:
    """model.base names a real model: record it instead of training an organism."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / REF_FILE).write_text(json.dumps({"base": base}) + "\n")


def resolve_model(path: str | Path) -> str:
    """The loadable model behind models/base: the organism itself, or the real model it names."""
    ref = Path(path) / REF_FILE
    return json.loads(ref.read_text())["base"] if ref.is_file() else str(path)
