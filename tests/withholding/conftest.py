from pathlib import Path

import pytest

from trainaway.core.config import Organism
from trainaway.withholding.layout import Layout
from trainaway.withholding.params import load

ROOT = Path(__file__).resolve().parents[2]


def tiny(params):
    """The repository's params with a tiny world, organism and elicitation budget."""
    wb = params.withholding
    return params.model_copy(update={
        "train": params.train.model_copy(update={"batch_size": 4}),
        "compute": params.compute.model_copy(update={"workers": 1}),
        "withholding": wb.model_copy(update={
            "world": wb.world.model_copy(update={"entities": 4, "heldout": 2,
                                                 "textbook_repeats": 2, "synthetic_documents": 4}),
            "organism": Organism(vocab_size=400, hidden_size=32, layers=1, heads=2,
                                 intermediate_size=64, epochs=1, batch_size=32, lr=1e-2),
            "ns": {m: [0] if m == "prefill" else [2] for m in wb.methods},
            "seeds": [0],
            "elicit": wb.elicit.model_copy(update={"sft_steps": 2, "grpo_steps": 1,
                                                   "sft_grpo_n": 2}),
            "evaluate": wb.evaluate.model_copy(update={"max_new_tokens": 8})})})


@pytest.fixture(scope="session")
def tiny_params():
    return tiny(load(ROOT / "params.yaml"))


@pytest.fixture(scope="session")
def tiny_b(tmp_path_factory, tiny_params):
    """A tiny Track B workspace: its world and both (barely trained) organisms on disk."""
    from trainaway.withholding.organism import make_organism
    from trainaway.withholding.world import build_world
    layout = Layout(tmp_path_factory.mktemp("withholding"))
    wb = tiny_params.withholding
    build_world(wb.world, wb.domains, tiny_params.seed, layout.world)
    for organism in wb.organisms:
        make_organism(organism, tiny_params, layout)
    return layout
