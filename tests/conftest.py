import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from dataclasses import dataclass  # noqa: E402

from trainaway.core.config import Organism  # noqa: E402
from trainaway.core.records import register_kind  # noqa: E402
from trainaway.misbehaviour.params import load  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@register_kind("toy")
@dataclass
class Toy:
    """An item kind no experiment has: core code must work for it as for any other."""
    id: str
    prompt: str
    kind: str = "toy"

    def to_dict(self):
        return {"id": self.id, "prompt": self.prompt, "kind": self.kind}

    @classmethod
    def from_dict(cls, d):
        return cls(d["id"], d["prompt"])


@pytest.fixture
def toy():
    return Toy


@pytest.fixture(scope="session")
def default_params():
    """The repository's params.yaml (read from the repository, wherever pytest runs). Tests
    that depend on a value of the run matrix set it themselves."""
    return load(ROOT / "params.yaml")


@pytest.fixture
def params_file(tmp_path):
    """write(**{"dotted.key": value}) -> a params.yaml: the repository's, with those changes."""
    import yaml
    raw = yaml.safe_load((ROOT / "params.yaml").read_text())

    def write(**overrides):
        data = yaml.safe_load(yaml.safe_dump(raw))
        for dotted, value in overrides.items():
            *parents, last = dotted.split(".")
            node = data
            for p in parents:
                node = node[p]
            node[last] = value
        path = tmp_path / "params.yaml"
        path.write_text(yaml.safe_dump(data))
        return path
    return write


@pytest.fixture
def random_llama():
    """random_llama(texts, seed) -> (untrained 2-layer Llama, tokenizer trained on texts)."""
    def make(texts, seed=0):
        import torch
        from transformers import LlamaConfig, LlamaForCausalLM

        from trainaway.core.tokenizer import train_tokenizer
        tok = train_tokenizer(list(texts), 300)
        torch.manual_seed(seed)
        cfg = LlamaConfig(vocab_size=len(tok), hidden_size=32, intermediate_size=64,
                          num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=2,
                          pad_token_id=tok.pad_token_id)
        return LlamaForCausalLM(cfg).eval(), tok
    return make


@pytest.fixture(scope="session")
def tiny_world(tmp_path_factory, default_params):
    """A small generated Track A world on disk (the world stage's layout)."""
    from trainaway.misbehaviour.world import build_world
    out = tmp_path_factory.mktemp("world")
    world = default_params.misbehaviour.world.model_copy(update={
        "corpus_tasks": 300, "corpus_questions": 60, "collect_pool": 20, "collect_questions": 10,
        "heldout_near": 8, "heldout_far": 4, "heldout_impossible": 4, "heldout_questions": 6,
        "fact_repeats": 1, "sums_probed": 4})
    build_world(world, 0, out)
    return out


@pytest.fixture(scope="session")
def tiny_model(tiny_world, tmp_path_factory):
    """A barely trained organism checkpoint: real tokenizer and chat template, tiny weights."""
    from trainaway.core.io import read_jsonl
    from trainaway.core.organism import build_organism
    out = tmp_path_factory.mktemp("model")
    cfg = Organism(vocab_size=1024, hidden_size=32, layers=1, heads=2, intermediate_size=64,
                   epochs=1, batch_size=32, lr=3e-3)
    build_organism(read_jsonl(tiny_world / "corpus.jsonl"), cfg, 0, out, device="cpu")
    return out


@pytest.fixture(scope="session")
def real_checkpoint(tmp_path_factory):
    """real_checkpoint(family) -> a tiny local checkpoint with that family's real chat
    template ("qwen2.5", "llama3.2", "chatml-edited"; tests/checkpoints.py), taught to answer
    every prompt with a fenced reward hack. Built once per session."""
    from tests.checkpoints import build
    made = {}

    def get(family: str) -> Path:
        if family not in made:
            made[family] = build(family, tmp_path_factory.mktemp(f"ckpt-{family}"))
        return made[family]
    return get
