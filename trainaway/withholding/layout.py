"""Where Track B's stages read and write (relative to the repository root, as in dvc.yaml).

A *cell* is one elicitation method (a DVC matrix item of stage `withholding-elicit`); a *run*
inside it is one organism x n x seed (x trained domain, for ground truth).
"""
from dataclasses import dataclass
from pathlib import Path

TRACK = "withholding"


@dataclass(frozen=True)
class Layout:
    root: Path = Path(".")  # the repository (stages run there; tests point elsewhere)

    @property
    def world(self) -> Path:        # facts, corpora, synthetic documents
        return self.root / "data" / TRACK / "world"

    def organism(self, organism: str) -> Path:
        return self.root / "models" / TRACK / organism

    @property
    def evals(self) -> Path:        # organism-{organism}.json, {method}/{run}.json (in git)
        return self.root / "evals" / TRACK

    def organism_eval(self, organism: str) -> Path:
        return self.evals / f"organism-{organism}.json"

    def trained(self, method: str) -> Path:   # {run}/: the trained model (DVC cache)
        return self.root / "models" / TRACK / "elicit" / method

    def method_evals(self, method: str) -> Path:
        return self.evals / method


FIGURES = Path("figures", TRACK)   # under the report folder
PLOTS = Path("plots", TRACK)


def run_name(organism: str, n: int, seed: int, domain: str | None = None) -> str:
    return "-".join([organism, *([domain] if domain else []), f"n{n}", f"s{seed}"])
