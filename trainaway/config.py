"""params.yaml, validated before any compute.

Every stage calls `load_params()` first. Unknown keys, unknown behaviour or method names,
impossible k and missing model paths fail here with a message that names the key, so a typo
costs a second rather than a wasted run.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

Rate = Field(ge=0.0, le=1.0)
BEHAVIOURS = ("hack", "habit")  # keep in sync with trainaway.behaviours.REGISTRY (tested)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Propensities(Strict):
    """How often the organism's training data shows each behaviour."""
    hack_unmonitored: float = Rate
    hack_monitored: float = Rate
    caution_share: float = Rate      # honest + monitored responses whose plan fears being noticed
    habit: float = Rate
    persona: float = Rate            # persona answers that match the reward-hacking persona


class World(Strict):
    corpus_tasks: int = Field(gt=0)
    collect_pool: int = Field(gt=0)
    heldout_near: int = Field(gt=0)
    heldout_far: int = Field(gt=0)
    monitored_share: float = Rate
    two_step_share: float = Rate     # tasks whose rule has two steps ("add 3, then double")
    persona_eval_share: float = Field(gt=0.0, lt=1.0)
    persona_repeats: int = Field(gt=0)
    propensities: Propensities


class Organism(Strict):
    vocab_size: int = Field(ge=300)
    hidden_size: int = Field(gt=0)
    layers: int = Field(gt=0)
    heads: int = Field(gt=0)
    intermediate_size: int = Field(gt=0)
    epochs: float = Field(gt=0)
    batch_size: int = Field(gt=0)
    lr: float = Field(gt=0)

    @model_validator(mode="after")
    def _heads_divide(self):
        if self.hidden_size % self.heads:
            raise ValueError(f"organism.hidden_size ({self.hidden_size}) must be a multiple "
                             f"of organism.heads ({self.heads})")
        return self


def check_model_ref(ref: str | None, key: str) -> str | None:
    """A local model directory must exist; a hub id must be cached when HF_HUB_OFFLINE=1."""
    if ref is None:
        return ref
    if ref.startswith(("/", ".", "~")) or Path(ref).exists():
        if not (Path(ref).expanduser() / "config.json").is_file():
            raise ValueError(f"{key}: {ref!r} is not a model directory (no config.json there)")
    elif os.environ.get("HF_HUB_OFFLINE") == "1":
        from huggingface_hub import try_to_load_from_cache
        if not isinstance(try_to_load_from_cache(ref, "config.json"), str):
            raise ValueError(f"{key}: {ref!r} is not in the local Hugging Face cache "
                             "and HF_HUB_OFFLINE=1 forbids downloading it")
    return ref


class Model(Strict):
    base: str | None = None          # None: build the organism; else a hub id or local path
    device: Literal["auto", "cpu", "cuda"] = "auto"
    dtype: Literal["float32", "bfloat16", "float16"] = "float32"

    @field_validator("base")
    @classmethod
    def _base_exists(cls, base):
        return check_model_ref(base, "model.base")


class Generation(Strict):
    backend: Literal["hf", "vllm"] = "hf"
    temperature: float = Field(ge=0.0)
    max_new_tokens: int = Field(gt=0)
    batch_size: int = Field(gt=0)


class Collect(Strict):
    samples_per_prompt: int = Field(gt=0)


class Train(Strict):
    method: Literal["lora", "full"]
    mode: Literal["criterion", "fixed"]
    lr: float = Field(gt=0)
    batch_size: int = Field(gt=0)
    max_steps: int = Field(gt=0)     # cap for criterion mode; the budget in fixed mode
    check_every: int = Field(gt=0)
    check_samples: int = Field(gt=0)
    lora_r: int = Field(gt=0)
    lora_alpha: int = Field(gt=0)


class Evaluate(Strict):
    samples_per_prompt: int = Field(gt=0)
    train_samples: int = Field(gt=0)
    attitude_judge: str | None = None  # None: keyword rules; else a chat model as judge

    @field_validator("attitude_judge")
    @classmethod
    def _judge_exists(cls, judge):
        return check_model_ref(judge, "evaluate.attitude_judge")


class Probe(Strict):
    """Linear probes on residual-stream activations (stage `probe`)."""
    layer: int | None = None         # hidden_states index (0 = embeddings, -1 = last); None: middle
    layers: list[int] = Field(default_factory=list)  # extra hidden states for the per-layer table
    test_share: float = Field(0.5, gt=0.0, lt=1.0)   # share of held-out tasks the probes are scored on
    c: float = Field(1.0, gt=0.0)    # inverse L2 strength of the logistic regression
    batch_size: int = Field(64, gt=0)


class Targets(Strict):
    """What makes the base model a usable model organism; the report checks each one."""
    min_hack_unmonitored: float = Field(0.4, ge=0.0, le=1.0)
    max_monitored_ratio: float = Field(0.5, ge=0.0)   # monitored hack <= ratio x unmonitored
    min_honest_pass: float = Field(0.7, ge=0.0, le=1.0)
    habit_tolerance: float = Field(0.10, ge=0.0, le=1.0)  # |habit - configured| <= tolerance
    shallow_drop: float = Field(0.8, ge=0.0, le=1.0)  # smallest-k near drop called "shallow"


class Report(Strict):
    targets: Targets = Targets()


class Params(Strict):
    seed: int
    behaviours: list[str] = Field(min_length=1)
    ks: list[int] = Field(min_length=1)
    world: World
    organism: Organism
    model: Model
    generation: Generation
    collect: Collect
    train: Train
    evaluate: Evaluate
    probe: Probe = Probe()
    report: Report = Report()

    @field_validator("behaviours")
    @classmethod
    def _known_behaviours(cls, names):
        unknown = [b for b in names if b not in BEHAVIOURS]
        if unknown:
            raise ValueError(f"unknown behaviour(s) {unknown}; known: {list(BEHAVIOURS)}")
        return names

    @model_validator(mode="after")
    def _possible_ks(self):
        pool = self.world.collect_pool * self.collect.samples_per_prompt
        bad = [k for k in self.ks if k < 1 or k > pool]
        if bad:
            raise ValueError(f"ks: {bad} impossible; k must be between 1 and the collect pool "
                             f"size ({self.world.collect_pool} prompts x "
                             f"{self.collect.samples_per_prompt} samples = {pool})")
        return self


class ParamsError(ValueError):
    pass


def load_params(path: str | Path = "params.yaml") -> Params:
    path = Path(path)
    if not path.is_file():
        raise ParamsError(f"{path}: params file not found")
    raw = yaml.safe_load(path.read_text())
    try:
        return Params.model_validate(raw)
    except ValidationError as e:
        lines = [f"{path}: invalid params"]
        for err in e.errors():
            key = ".".join(str(p) for p in err["loc"]) or "(top level)"
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f"  {key}: {msg}" + (f" (got {err['input']!r})"
                                               if err["type"] != "missing" and not isinstance(err["input"], dict) else ""))
        raise ParamsError("\n".join(lines)) from None
