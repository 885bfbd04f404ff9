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


# ------------------------------------------------------------------ the tiny pipeline
TINY = {
    "misbehaviour": {
        "ks": [1],
        # A tiny organism learns a fixed habit long before it can copy numbers to hack; at a
        # habit rate of 1 it shows the habit after a few seconds of training, so collect
        # catches some.
        "behaviours": ["habit"],
        "controls": [],  # the neutral control is matched to the hack's SFT runs: none here
        "methods": ["sft", "dpo"],
        "augmentations": ["none", "template"],
        "seeds": [0],
        "augment": {"multiplier": 2},
        "world": {"corpus_tasks": 400, "corpus_questions": 40, "collect_pool": 40,
                  "collect_questions": 10, "heldout_near": 16, "heldout_far": 6,
                  "heldout_impossible": 6, "heldout_questions": 8, "fact_repeats": 1,
                  "sums_probed": 4, "persona_repeats": 1, "propensities": {"habit": 1.0}},
        "organism": {"hidden_size": 64, "layers": 2, "heads": 2, "intermediate_size": 128,
                     "epochs": 4, "batch_size": 16, "lr": 1.0e-2},
        "probe": {"layers": [1, 2]},
    },
    # Track B: a tiny world and organisms, one amount per method, one seed, a step or two.
    "withholding": {
        "world": {"entities": 4, "heldout": 2, "textbook_repeats": 2, "synthetic_documents": 4},
        "organism": {"vocab_size": 400, "hidden_size": 32, "layers": 1, "heads": 2,
                     "intermediate_size": 64, "epochs": 1, "batch_size": 32, "lr": 1.0e-2},
        "ns": {"prefill": [0], "prefix_sft": [2], "synthetic_docs": [2], "ground_truth": [2],
               "grpo": [2], "sft_grpo": [2]},
        "seeds": [0],
        "elicit": {"sft_steps": 2, "grpo_steps": 1, "sft_grpo_n": 2},
    },
    "generation": {"batch_size": 64},
    "train": {"max_steps": 4, "mode": "fixed"},
    "evaluate": {"train_samples": 2},
}


def merge(base: dict, over: dict) -> dict:
    return {k: merge(base[k], v) if isinstance(v, dict) else v for k, v in over.items()} | \
        {k: v for k, v in base.items() if k not in over}


@pytest.fixture(scope="session")
def tiny_project(tmp_path_factory):
    """tiny_project(name) -> (a scratch copy of the repository with the TINY params, the
    environment to run dvc in it)."""
    import sys

    import yaml

    from trainaway.core.workspace import copy_project

    def make(name: str):
        repo = copy_project(tmp_path_factory.mktemp(name))
        params = merge(yaml.safe_load((ROOT / "params.yaml").read_text()), TINY)
        (repo / "params.yaml").write_text(yaml.safe_dump(params))
        env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
               "HF_HUB_OFFLINE": "1"}
        return repo, env
    return make


CLEAN_OUTPUTS = ("reports/metrics.json", "reports/REPORT.md", "dvc.lock", "evals")


def clean_copy(repo: Path) -> Path:
    """Where `tiny_run` keeps a copy of its CLEAN_OUTPUTS as its first repro left them."""
    return repo.with_name(repo.name + "-clean")


@pytest.fixture(scope="session")
def tiny_run(tiny_project):
    """`dvc repro` run to the end on the TINY params (shared by the pipeline and reliability
    tests, so the pipeline is paid for once). Tests may change the repository afterwards; the
    outputs of this first run stay in `clean_copy(repo)` for the reliability tests."""
    import shutil
    import subprocess
    repo, env = tiny_project("repo")
    proc = subprocess.run(["dvc", "repro"], cwd=repo, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    for name in CLEAN_OUTPUTS:
        src, dest = repo / name, clean_copy(repo) / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(src, dest) if src.is_dir() else shutil.copy2(src, dest)
    return repo, env


@pytest.fixture(scope="session")
def tiny_clean(tiny_run) -> Path:
    """The clean run's CLEAN_OUTPUTS, as its first repro wrote them."""
    return clean_copy(tiny_run[0])
