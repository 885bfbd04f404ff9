"""Where each stage reads and writes (relative to the repository root, as in dvc.yaml).

Everything but the report lives under its organism depth (params `depths`): one world,
organism, collect pool and sweep per depth. A *cell* is one behaviour trained away with one
method (a DVC matrix item of stage `sweep`); a *run* inside it is one augmentation x k x seed.
"""
from dataclasses import dataclass
from pathlib import Path

REPORTS = Path("reports")


@dataclass(frozen=True)
class Layout:
    depth: str

    @property
    def world(self) -> Path:        # corpus, collect pool, held-out sets, persona items
        return Path("data/world") / self.depth

    @property
    def collected(self) -> Path:    # caught examples per behaviour
        return Path("data/collected") / self.depth

    @property
    def base_model(self) -> Path:
        return Path("models") / self.depth / "base"

    @property
    def trained(self) -> Path:      # {cell}/{run}/: adapter or model, train_log.json
        return Path("models") / self.depth / "trained"

    @property
    def evals(self) -> Path:        # base.json, {cell}/{run}.json, organism.json, check.json
        return Path("evals") / self.depth

    @property
    def outcomes(self) -> Path:     # base.jsonl, {cell}.jsonl: per-sample outcomes (DVC cache)
        return Path("data/outcomes") / self.depth

    @property
    def probes(self) -> Path:       # per-model probe results (small, in git)
        return Path("probes") / self.depth


def cell_name(behaviour: str, method: str) -> str:
    return f"{behaviour}-{method}"


def run_name(augmentation: str, k: int, seed: int) -> str:
    return f"{augmentation}-k{k}-s{seed}"
