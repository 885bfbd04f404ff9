import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import pytest  # noqa: E402

from trainaway.config import Organism, load_params  # noqa: E402


@pytest.fixture(scope="session")
def tiny_world(tmp_path_factory):
    """A small generated world on disk (data/world layout)."""
    from trainaway.world import build_world
    out = tmp_path_factory.mktemp("world")
    world = load_params().world.model_copy(update={
        "corpus_tasks": 300, "corpus_questions": 60, "collect_pool": 20, "collect_questions": 10,
        "heldout_near": 8, "heldout_far": 4, "heldout_impossible": 4, "heldout_questions": 6})
    build_world(world, 0, out)
    return out


@pytest.fixture(scope="session")
def tiny_model(tiny_world, tmp_path_factory):
    """A barely trained organism checkpoint: real tokenizer and chat template, tiny weights."""
    from trainaway.jsonl import read_jsonl
    from trainaway.organism import build_organism
    out = tmp_path_factory.mktemp("model")
    cfg = Organism(vocab_size=1024, hidden_size=32, layers=1, heads=2, intermediate_size=64,
                   epochs=1, batch_size=32, lr=3e-3)
    build_organism(read_jsonl(tiny_world / "corpus.jsonl"), cfg, 0, out, device="cpu")
    return out
