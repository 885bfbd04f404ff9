"""Where Track A's stages read and write (relative to the repository root, as in dvc.yaml).

Everything but the report lives under its organism depth (params `misbehaviour.depths`): one
world, organism, collect pool and sweep per depth. A *cell* is one behaviour trained away with
one method (a DVC matrix item of stage `misbehaviour-sweep`); a *run* inside it is one
augmentation x k x seed.
"""
from dataclasses import dataclass
from pathlib import Path

TRACK = "misbehaviour"


@dataclass(frozen=True)
class Layout:
    depth: str
    root: Path = Path(".")  # the repository (stages run there; tests point elsewhere)

    @property
    def data(self) -> Path:
        return self.root / "data" / TRACK / self.depth

    @property
    def world(self) -> Path:        # corpus, collect pool, held-out sets, persona items
        return self.data / "world"

    @property
    def collected(self) -> Path:    # caught examples per behaviour
        return self.data / "collected"

    @property
    def outcomes(self) -> Path:     # base.jsonl, {cell}.jsonl: per-sample outcomes (DVC cache)
        return self.data / "outcomes"

    @property
    def base_model(self) -> Path:
        return self.root / "models" / TRACK / self.depth / "base"

    @property
    def trained(self) -> Path:      # {cell}/{run}/: adapter or model, train_log.json
        return self.root / "models" / TRACK / self.depth / "trained"

    @property
    def evals(self) -> Path:        # base.json, {cell}/{run}.json, organism.json, check.json
        return self.root / "evals" / TRACK / self.depth

    @property
    def probes(self) -> Path:       # per-model probe results (small, in git)
        return self.root / "probes" / TRACK / self.depth


def figures(depth: str | None = None) -> Path:
    """figures/misbehaviour[/<depth>] under the report folder: the PNGs REPORT.md links to."""
    return Path("figures", TRACK, *([depth] if depth else []))


def plots(depth: str | None = None) -> Path:
    """plots/misbehaviour[/<depth>] under the report folder: the CSVs `dvc plots` draws."""
    return Path("plots", TRACK, *([depth] if depth else []))


def cell_name(behaviour: str, method: str) -> str:
    return f"{behaviour}-{method}"


def run_name(augmentation: str, k: int, seed: int) -> str:
    return f"{augmentation}-k{k}-s{seed}"
