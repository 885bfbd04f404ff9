"""The `withholding` section of params.yaml (Track B), validated against Track B's domains and
methods before any compute: an unknown domain or method, a restricted domain listed as open,
an amount n larger than the pool it is drawn from, all fail naming the key.
"""
from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator, model_validator

from trainaway import TRACKS
from trainaway.core.config import Organism, Rate, Shared, Strict, distinct, known, load_params
from trainaway.withholding.domains import DOMAINS, OPEN, RESTRICTED
from trainaway.withholding.methods import METHODS
from trainaway.withholding.world import ORGANISMS, PLACES, SYNTHETIC_FRAMES


KNOWN = {"restricted": (RESTRICTED, "restricted domain"), "organisms": (ORGANISMS, "organism"),
         "methods": (METHODS, "method")}


class World(Strict):
    entities: int = Field(gt=1)            # per domain
    heldout: int = Field(gt=0)             # per domain: evaluation only, never asked in chat
    textbook_repeats: int = Field(gt=0)    # textbook documents per fact
    chat_repeats: int = Field(gt=0)        # times each chat exchange (entity x phrasing) appears
    synthetic_documents: int = Field(gt=0)  # the synthetic-document method's pool

    @model_validator(mode="after")
    def _some_train(self):
        if self.heldout >= self.entities:
            raise ValueError(f"heldout: {self.heldout} leaves no entity of the {self.entities} "
                             "to chat about (heldout must be less than entities)")
        return self


class Elicit(Strict):
    lr: float = Field(gt=0)                # every method's learning rate (train.lr is Track A's)
    sft_steps: int = Field(gt=0)           # steps of every SFT method
    grpo_steps: int = Field(gt=0)
    generations: int = Field(ge=2)         # GRPO samples per prompt (the group)
    prompts_per_step: int = Field(gt=0)    # GRPO prompts per step
    sft_grpo_n: int = Field(gt=0)          # requests the SFT half of sft_grpo trains on
    grpo_temperature: float = Field(gt=0)


class Evaluate(Strict):
    temperature: float = Field(ge=0)       # 0: greedy (one deterministic answer per request)
    max_new_tokens: int = Field(gt=0)


class Targets(Strict):
    refusal: float = Rate                  # restricted requests refused, over rephrasings
    knowledge: float = Rate                # restricted facts completed in textbook form
    open_accuracy: float = Rate            # held-out open requests answered correctly


class Withholding(Strict):
    restricted: list[str] = Field(min_length=1)
    open: list[str] = Field(min_length=1)
    organisms: list[str] = Field(min_length=1)
    methods: list[str] = Field(min_length=1)
    ns: dict[str, list[int]]               # per method: the amounts n swept
    seeds: list[int] = Field(min_length=1)
    ground_truth_domains: list[str] = Field(min_length=1)  # where ground_truth trains
    world: World
    organism: Organism
    elicit: Elicit
    evaluate: Evaluate
    targets: Targets

    @field_validator("restricted", "organisms", "methods")
    @classmethod
    def _known(cls, names, info):
        allowed, what = KNOWN[info.field_name]
        return known(names, allowed, what)

    @field_validator("open")
    @classmethod
    def _open(cls, names):
        listed = [n for n in names if n in RESTRICTED]
        if listed:
            raise ValueError(f"{', '.join(map(repr, listed))} is a restricted domain, not an "
                             f"open one; open domains: {list(OPEN)}")
        return known(names, OPEN, "open domain")

    @field_validator("seeds")
    @classmethod
    def _seeds(cls, seeds):
        return distinct(seeds)

    @property
    def domains(self) -> list[str]:
        return [*self.restricted, *self.open]

    def pool(self, method: str) -> int | None:
        """How many items method's n is drawn from (None: it trains on nothing)."""
        w = self.world
        train_entities = w.entities - w.heldout
        phrasings = min(len(DOMAINS[d].questions) for d in self.restricted)
        return {"none": None, "facts": train_entities, "documents": w.synthetic_documents,
                "requests": len(self.restricted) * train_entities * phrasings,
                }[METHODS[method].pool]

    @model_validator(mode="after")
    def _amounts(self):
        missing = [m for m in self.methods if m not in self.ns]
        if missing:
            raise ValueError(f"ns: no amounts for method(s) {missing}")
        known(list(self.ns), METHODS, "method in ns")
        for method, ns in self.ns.items():
            distinct(ns)
            pool = self.pool(method)
            if pool is None and ns != [0]:
                raise ValueError(f"ns.{method}: {method} trains on nothing; its amounts are [0]")
            bad = [n for n in ns if pool is not None and not 1 <= n <= pool]
            if bad:
                raise ValueError(f"ns.{method}: {bad} impossible; n must be between 1 and the "
                                 f"pool of {METHODS[method].pool} ({pool})")
        requests = self.pool("prefix_sft")
        if self.elicit.sft_grpo_n > requests:
            raise ValueError(f"elicit.sft_grpo_n: {self.elicit.sft_grpo_n} is more than the "
                             f"pool of requests ({requests})")
        combos = len(SYNTHETIC_FRAMES) * len(PLACES) * len(self.restricted)
        if self.world.synthetic_documents > combos:
            raise ValueError(f"world.synthetic_documents: {self.world.synthetic_documents} is "
                             f"more than the {combos} distinct documents there are")
        return self

    @model_validator(mode="after")
    def _trained_domains(self):
        bad = [d for d in self.ground_truth_domains if d not in self.restricted]
        if bad:
            raise ValueError(f"ground_truth_domains: {bad} not among the restricted domains "
                             f"{self.restricted}")
        distinct(self.ground_truth_domains)
        return self


class Params(Shared):
    """The shared blocks and the Track B section."""
    withholding: Withholding


def load(path: str | Path = "params.yaml") -> Params:
    return load_params(path, Params, TRACKS)
