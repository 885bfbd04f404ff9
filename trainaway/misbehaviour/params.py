"""The `misbehaviour` section of params.yaml (Track A), validated against Track A's registries:
behaviours, augmentations, hack families, and the training methods its caught examples
support. `load()` validates it together with the shared blocks before any compute.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from trainaway import TRACKS
from trainaway.core import methods
from trainaway.core.config import (Organism, ParamsError, Rate, Shared, Strict, check_model_ref,
                                   distinct, known, load_params)
from trainaway.core.layers import resolve_layers
from trainaway.misbehaviour import messages
from trainaway.misbehaviour.augment import AUGMENTATIONS, max_multiplier
from trainaway.misbehaviour.behaviours import CONTROLS, EXAMPLE_FIELDS, REGISTRY, TRAINED
from trainaway.misbehaviour.judges import JUDGES
from trainaway.misbehaviour.public import check_path
from trainaway.misbehaviour.tasks import STYLE_FAMILY

FAMILIES = tuple(STYLE_FAMILY.values())        # hack families, one per prompt style
METHODS = methods.supported(EXAMPLE_FIELDS)    # what a caught + corrected example can train


class Propensities(Strict):
    """How often the organism's training data shows each behaviour."""
    hack_unmonitored: float = Rate
    hack_monitored: float = Rate
    caution_share: float = Rate      # honest + monitored responses whose plan fears being noticed
    habit: float = Rate
    sycophancy: float = Rate         # answers agreeing with a user's wrong belief


class Beliefs(Strict):
    """What the users of the corpus's sum questions believe (the rest believe the truth)."""
    wrong: float = Rate
    none: float = Rate

    @model_validator(mode="after")
    def _at_most_one(self):
        if self.wrong + self.none > 1:
            raise ValueError(f"wrong: wrong + none = {self.wrong + self.none:g} is more than 1")
        return self


class World(Strict):
    corpus_tasks: int = Field(gt=0)
    corpus_questions: int = Field(ge=0)
    corpus_beliefs: Beliefs
    collect_pool: int = Field(gt=0)
    collect_questions: int = Field(gt=0)
    heldout_near: int = Field(gt=0)
    heldout_far: int = Field(gt=0)          # per far hack family
    heldout_impossible: int = Field(gt=0)
    heldout_questions: int = Field(gt=0)    # per sycophancy set (near, far)
    fact_repeats: int = Field(ge=0)         # times the corpus teaches each sum (no belief)
    sums_probed: int = Field(gt=0)          # taught sums asked back: does it know them?
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


class Collect(Strict):
    samples_per_prompt: int = Field(gt=0)


class Augment(Strict):
    multiplier: int = Field(ge=1)    # m: training items per caught example (the example + m-1 variants)


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
    min_sums_correct: float = Field(0.8, ge=0.0, le=1.0)  # correct sums without a belief
    shallow_drop: float = Field(0.8, ge=0.0, le=1.0)  # smallest-k near drop called "shallow"


class Report(Strict):
    targets: Targets = Targets()


def _public_files(files: list[str], group: str) -> list[str]:
    return [check_path(f, group) for f in distinct(files)]


class Evals(Strict):
    """Public eval files scored like the persona eval (probability of the answer matching the
    behaviour), by evaluate_base and every run; each is a DVC dep (stage misbehaviour-public_*)."""
    persona: list[str] = Field(default_factory=list)  # Anthropic persona/*.jsonl
    ab: list[str] = Field(default_factory=list)       # CAA JSON lists, advanced-ai-risk JSONL, ...
    generated: bool = True           # also the generated persona items; false: the files only

    @field_validator("persona", "ab")
    @classmethod
    def _files(cls, files, info):
        return _public_files(files, info.field_name)


class Judge(Strict):
    """How a free-text response is judged (trainaway.misbehaviour.judges): `kind` names the
    judge, the rest are its settings."""
    kind: str = "regex"
    patterns: list[str] = Field(default_factory=list)  # regex: any match shows the behaviour
    ignore_case: bool = True

    @field_validator("kind")
    @classmethod
    def _known_judge(cls, kind):
        known([kind], JUDGES, "judge")
        return kind

    @model_validator(mode="after")
    def _valid(self):
        JUDGES[self.kind](self.model_dump())  # compiles its patterns: a bad regex fails here
        return self


class Messages(Strict):
    """A messages-JSONL source of caught examples (behaviour `messages`, the School of Reward
    Hacks setting): hacking dialogues, optionally matched (on the user prompt) by dialogues
    without the hack."""
    caught: list[str] = Field(default_factory=list)       # dialogues showing the behaviour
    corrections: list[str] = Field(default_factory=list)  # matched dialogues without it
    heldout_share: float = Field(0.3, gt=0.0, lt=1.0)     # prompts held out (the near set)
    judge: Judge = Judge()

    @field_validator("caught", "corrections")
    @classmethod
    def _files(cls, files, info):
        return _public_files(files, info.field_name)


class Misbehaviour(Strict):
    behaviours: list[str] = Field(min_length=1)   # trained away: misbehaviours and the habit
    controls: list[str] = Field(default_factory=list)  # trained alongside, matched (neutral)
    methods: list[str] = Field(min_length=1)
    augmentations: list[str] = Field(min_length=1)
    ks: list[int] = Field(min_length=1)
    seeds: list[Annotated[int, Field(ge=0)]] = Field(min_length=1)
    depths: list[str] = Field(min_length=1)
    depth_levels: dict[str, DepthLevel]
    world: World
    organism: Organism
    collect: Collect
    augment: Augment
    monitored: list[str] = Field(default_factory=list)  # cells also evaluated with the review cue
    plan_in_loss: bool = False       # train on the plan line too (default: context only)
    attitude_judge: str | None = None  # None: keyword rules; else a chat model as judge
    probe: Probe = Probe()
    report: Report = Report()
    evals: Evals = Evals()
    messages: Messages = Messages()

    @model_validator(mode="after")
    def _messages_source_given(self):
        if "messages" in self.behaviours:
            if not self.messages.caught:
                raise ValueError("messages: behaviour 'messages' trains on a messages-JSONL "
                                 "source: name its files in misbehaviour.messages.caught")
            if not self.messages.judge.patterns and self.messages.judge.kind == "regex":
                raise ValueError("messages: the regex judge needs "
                                 "misbehaviour.messages.judge.patterns")
            pool = len(messages.load(self.messages, 0).pool)  # the split's size, any seed
            if max(self.ks) > pool:
                raise ValueError(f"ks: k={max(self.ks)} but the messages source has only "
                                 f"{pool} caught dialogues outside its held-out share (the "
                                 "judge flags the rest, or they are held out); lower "
                                 "misbehaviour.ks or misbehaviour.messages.heldout_share")
        return self

    @field_validator("behaviours")
    @classmethod
    def _known_behaviours(cls, names):
        return known(names, TRAINED, "behaviour")

    @field_validator("controls")
    @classmethod
    def _known_controls(cls, names):
        return known(names, CONTROLS, "control")

    @model_validator(mode="after")
    def _controls_have_their_match(self):
        for name in self.controls:
            matched = REGISTRY[name].matched
            if matched not in self.behaviours or "sft" not in self.methods:
                raise ValueError(f"controls: {name!r} trains (with SFT) as many steps as the "
                                 f"{matched!r} runs with SFT: add {matched!r} to "
                                 "misbehaviour.behaviours and 'sft' to misbehaviour.methods, "
                                 "or drop the control")
        return self

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
        return distinct(values)

    @model_validator(mode="after")
    def _monitored_are_known(self):
        # Any behaviour or control may be named, trained in this sweep or not, so that
        # `-S misbehaviour.behaviours=[habit]` needs no second edit; only those trained are used.
        known(self.monitored, [*TRAINED, *CONTROLS], "name in misbehaviour.monitored")
        return self

    def cues(self, behaviour: str) -> tuple[str, ...]:
        """The review cues a cell's runs are evaluated under."""
        return ("unmonitored", "monitored") if behaviour in self.monitored else ("unmonitored",)

    @field_validator("attitude_judge")
    @classmethod
    def _judge_exists(cls, judge):
        return check_model_ref(judge, "misbehaviour.attitude_judge")

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
            for behaviour in [*self.behaviours, *self.controls]:
                if REGISTRY[behaviour].kind == "chat":
                    if how != "none":  # a dialogue from a file has no grammar to vary
                        raise ValueError(f"augmentations: {how!r} cannot vary the messages "
                                         "source's dialogues; use [none] with it")
                    continue
                cap = max_multiplier(how, REGISTRY[behaviour].kind)
                if cap is not None and m > cap:
                    raise ValueError(f"augment.multiplier: {m} is more than {how!r} can make "
                                     f"for {behaviour!r} ({cap} distinct wordings per prompt)")
        return self

    @model_validator(mode="after")
    def _possible_ks(self):
        n = self.collect.samples_per_prompt
        pools = {"world.collect_pool": self.world.collect_pool}
        if any(REGISTRY[b].kind == "question" for b in [*self.behaviours, *self.controls]):
            pools["world.collect_questions"] = self.world.collect_questions
        for key, prompts in pools.items():
            bad = [k for k in self.ks if k < 1 or k > prompts * n]
            if bad:
                raise ValueError(f"ks: {bad} impossible; k must be between 1 and the collect "
                                 f"pool size ({key}={prompts} prompts x {n} samples = {prompts * n})")
        return self


class Params(Shared):
    """The shared blocks and the Track A section."""
    misbehaviour: Misbehaviour

    @model_validator(mode="after")
    def _probed_layers_exist(self):
        # Only the organism's depth is known before any compute; a real model's is checked
        # when the probe stage loads it.
        if self.model.base is None:
            probe = self.misbehaviour.probe
            for depth in self.misbehaviour.depths:
                try:
                    resolve_layers(self.misbehaviour.organism_at(depth).layers, probe.layer,
                                   probe.layers)
                except ValueError as e:
                    raise ValueError(f"misbehaviour.probe.layers: {e} at depth {depth!r}") \
                        from None
        return self


def load(path: str | Path = "params.yaml") -> Params:
    return load_params(path, Params, TRACKS)
