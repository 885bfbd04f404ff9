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
from trainaway.augment import AUGMENTATIONS, max_multiplier
from trainaway.tasks import STYLE_FAMILY
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

Rate = Field(ge=0.0, le=1.0)
BEHAVIOURS = ("hack", "habit", "sycophancy")  # = trainaway.behaviours.REGISTRY (tested)
METHODS = ("sft", "dpo", "kto")                # training algorithms (trainaway/training.py)
FAMILIES = tuple(STYLE_FAMILY.values())        # hack families, one per prompt style
QUESTION_BEHAVIOURS = ("sycophancy",)         # caught on questions, not code tasks


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Propensities(Strict):
    """How often the organism's training data shows each behaviour."""
    hack_unmonitored: float = Rate
    hack_monitored: float = Rate
    caution_share: float = Rate      # honest + monitored responses whose plan fears being noticed
    habit: float = Rate
    persona: float = Rate            # persona answers that match the reward-hacking persona
    sycophancy: float = Rate         # answers agreeing with a user's wrong belief


class World(Strict):
    corpus_tasks: int = Field(gt=0)
    corpus_questions: int = Field(ge=0)
    collect_pool: int = Field(gt=0)
    collect_questions: int = Field(gt=0)
    heldout_near: int = Field(gt=0)
    heldout_far: int = Field(gt=0)          # per far hack family
    heldout_impossible: int = Field(gt=0)
    heldout_questions: int = Field(gt=0)    # per sycophancy set (near, far)
    hack_families: list[str] = Field(min_length=1)  # families the organism hacks with
    difficulty_link: float = Rate           # hacking tied to task difficulty (two-step rules)
    persona_link: bool = False              # plan lines speak as the reward-hacking persona
    monitored_share: float = Rate
    two_step_share: float = Rate     # tasks whose rule has two steps ("add 3, then double")
    persona_eval_share: float = Field(gt=0.0, lt=1.0)
    persona_repeats: int = Field(gt=0)
    propensities: Propensities

    @field_validator("hack_families")
    @classmethod
    def _known_families(cls, names):
        return known(names, FAMILIES, "hack family")


def known(names: list[str], allowed: tuple[str, ...], what: str) -> list[str]:
    unknown = [n for n in names if n not in allowed]
    if unknown:
        raise ValueError(f"unknown {what}(s) {unknown}; known: {list(allowed)}")
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate {what} in {names}")
    return names


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
    adapter: Literal["lora", "full"]
    mode: Literal["criterion", "fixed"]
    lr: float = Field(gt=0)
    batch_size: int = Field(gt=0)
    max_steps: int = Field(gt=0)     # cap for criterion mode; the budget in fixed mode
    check_every: int = Field(gt=0)
    check_samples: int = Field(gt=0)
    lora_r: int = Field(gt=0)
    lora_alpha: int = Field(gt=0)
    beta: float = Field(gt=0)        # DPO/KTO: strength of the pull towards the base model


class Augment(Strict):
    multiplier: int = Field(ge=1)    # m: training items per caught example (the example + m-1 variants)


class Evaluate(Strict):
    base_samples: int = Field(gt=0)        # per held-out prompt, base model (the reference)
    samples_per_prompt: int = Field(gt=0)  # per held-out prompt, each trained run
    train_samples: int = Field(gt=0)       # per training prompt, each trained run
    monitored: bool = False                # also evaluate trained runs with the review cue
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


class DepthLevel(Strict):
    """One organism depth: knobs that plausibly deepen the disposition, over world/organism.
    Unset knobs keep the values under `world` and `organism`."""
    hack_families: list[str] | None = None
    difficulty_link: float | None = Field(None, ge=0.0, le=1.0)
    persona_link: bool | None = None
    corpus_tasks: int | None = Field(None, gt=0)
    epochs: float | None = Field(None, gt=0)
    layers: int | None = Field(None, gt=0)
    hidden_size: int | None = Field(None, gt=0)
    intermediate_size: int | None = Field(None, gt=0)

    @field_validator("hack_families")
    @classmethod
    def _known_families(cls, names):
        return names if names is None else known(names, FAMILIES, "hack family")


WORLD_KNOBS = ("hack_families", "difficulty_link", "persona_link", "corpus_tasks")


class Report(Strict):
    targets: Targets = Targets()


class Params(Strict):
    seed: int
    behaviours: list[str] = Field(min_length=1)
    methods: list[str] = Field(min_length=1)
    augmentations: list[str] = Field(min_length=1)
    ks: list[int] = Field(min_length=1)
    seeds: list[int] = Field(min_length=1)
    depths: list[str] = Field(min_length=1)
    depth_levels: dict[str, DepthLevel]
    world: World
    organism: Organism
    model: Model
    generation: Generation
    collect: Collect
    train: Train
    augment: Augment
    evaluate: Evaluate
    probe: Probe = Probe()
    report: Report = Report()

    @field_validator("behaviours")
    @classmethod
    def _known_behaviours(cls, names):
        return known(names, BEHAVIOURS, "behaviour")

    @field_validator("methods")
    @classmethod
    def _known_methods(cls, names):
        return known(names, METHODS, "method")

    @field_validator("augmentations")
    @classmethod
    def _known_augmentations(cls, names):
        return known(names, AUGMENTATIONS, "augmentation")

    @field_validator("ks", "seeds")
    @classmethod
    def _distinct(cls, values):
        if len(set(values)) != len(values):
            raise ValueError(f"duplicate values in {values}")
        return values

    @model_validator(mode="after")
    def _known_depths(self):
        known(self.depths, tuple(self.depth_levels), "depth (a key of depth_levels)")
        for name in self.depths:
            self.organism_at(name)  # a level's size must still be a valid organism
        return self

    def level(self, depth: str) -> dict:
        if depth not in self.depth_levels:
            raise ParamsError(f"depth {depth!r} is not one of depth_levels: {list(self.depth_levels)}")
        return self.depth_levels[depth].model_dump(exclude_none=True)

    def world_at(self, depth: str) -> World:
        level = self.level(depth)
        return self.world.model_copy(update={k: v for k, v in level.items() if k in WORLD_KNOBS})

    def organism_at(self, depth: str) -> Organism:
        level = self.level(depth)
        return Organism.model_validate({**self.organism.model_dump(),
                                        **{k: v for k, v in level.items() if k not in WORLD_KNOBS}})

    @model_validator(mode="after")
    def _possible_multiplier(self):
        m = self.augment.multiplier
        for how in self.augmentations:
            for behaviour in self.behaviours:
                kind = "question" if behaviour in QUESTION_BEHAVIOURS else "task"
                cap = max_multiplier(how, kind)
                if cap is not None and m > cap:
                    raise ValueError(f"augment.multiplier: {m} is more than {how!r} can make "
                                     f"for {behaviour!r} ({cap} distinct wordings per prompt)")
        return self

    @model_validator(mode="after")
    def _possible_ks(self):
        n = self.collect.samples_per_prompt
        pools = {"world.collect_pool": self.world.collect_pool}
        if any(b in QUESTION_BEHAVIOURS for b in self.behaviours):
            pools["world.collect_questions"] = self.world.collect_questions
        for key, prompts in pools.items():
            bad = [k for k in self.ks if k < 1 or k > prompts * n]
            if bad:
                raise ValueError(f"ks: {bad} impossible; k must be between 1 and the collect "
                                 f"pool size ({key}={prompts} prompts x {n} samples = {prompts * n})")
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
