"""params.yaml, validated before any compute.

params.yaml holds shared blocks (`seed`, `model`, `generation`, `train`, `evaluate`) and one
section per experiment track, each validated against its own registries by the track's
`params` module. Unknown keys, unknown names, impossible sizes and missing model paths fail
here with a message that names the key, so a typo costs a second rather than a wasted run.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

Rate = Field(ge=0.0, le=1.0)


class ParamsError(ValueError):
    pass


class Strict(BaseModel):
    # strict: YAML's `true` is not the integer 1 and "4" is not the number 4; an int is still
    # a valid float. extra="forbid": a misspelt key is an error, not a silent default.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def known(names: list[str], allowed, what: str) -> list[str]:
    """`names` if each is one of `allowed` and none repeats; else a ValueError naming them."""
    unknown = [n for n in names if n not in allowed]
    if unknown:
        raise ValueError(f"unknown {what} {', '.join(map(repr, unknown))}; known: {list(allowed)}")
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate {what} in {names}")
    return names


def distinct(values: list) -> list:
    if len(set(values)) != len(values):
        raise ValueError(f"duplicate values in {values}")
    return values


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


class Organism(Strict):
    """A small Llama trained from scratch on an experiment's corpus (trainaway.core.organism)."""
    vocab_size: int = Field(ge=300)
    hidden_size: int = Field(gt=0)
    layers: int = Field(gt=0)
    heads: int = Field(gt=0)
    intermediate_size: int = Field(gt=0)
    epochs: float = Field(gt=0)
    batch_size: int = Field(gt=0)
    lr: float = Field(gt=0)

    @field_validator("heads")
    @classmethod
    def _heads_divide(cls, heads, info):
        hidden = info.data.get("hidden_size")
        if hidden is not None and hidden % heads:
            raise ValueError(f"hidden_size ({hidden}) must be a multiple of heads ({heads})")
        return heads


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


class Train(Strict):
    adapter: Literal["lora", "full"]
    mode: Literal["criterion", "fixed"]
    lr: float = Field(gt=0)
    batch_size: int = Field(gt=0)
    max_steps: int = Field(gt=0)     # cap for criterion mode; the budget in fixed mode
    check_every: int = Field(gt=0)
    check_samples: int = Field(gt=0)
    screen_samples: int = Field(gt=0)  # a first look per check; the rest only if it finds none
    lora_r: int = Field(gt=0)
    lora_alpha: int = Field(gt=0)
    beta: float = Field(gt=0)        # DPO/KTO: strength of the pull towards the base model


class Evaluate(Strict):
    base_samples: int = Field(gt=0)        # per held-out prompt, base model (the reference)
    samples_per_prompt: int = Field(gt=0)  # per held-out prompt, each trained run
    train_samples: int = Field(gt=0)       # per training prompt, each trained run


class Compute(Strict):
    """How the work is spread over the machine; never what it computes."""
    workers: int = Field(1, gt=0)  # runs done at once inside a sweep stage, one thread each


class Shared(Strict):
    seed: int = Field(ge=0)          # numpy and the tokenizer shuffles take no negative seed
    model: Model
    generation: Generation
    train: Train
    evaluate: Evaluate
    compute: Compute = Compute()


def _message(path: Path, e: ValidationError) -> str:
    lines = [f"{path}: invalid params"]
    for err in e.errors():
        key = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        # A check across fields of a block names its field first ("ks: ..."): join it to the key.
        across = re.match(r"([a-z_][\w.]*): (.*)", msg, re.S)
        if across and isinstance(err["input"], dict):
            key, msg = ".".join(filter(None, [key, across[1]])), across[2]
        shown = err["type"] != "missing" and not isinstance(err["input"], dict)
        lines.append(f"  {key or '(top level)'}: {msg}"
                     + (f" (got {err['input']!r})" if shown else ""))
    return "\n".join(lines)


def load_params(path: str | Path, params_cls: type[Shared],
                other_sections: tuple[str, ...] = ()) -> Shared:
    """params.yaml validated as `params_cls` (the shared blocks plus one track's section);
    the `other_sections` (other tracks') are left to their own stages to validate. Any other
    top-level key is an error."""
    path = Path(path)
    if not path.is_file():
        raise ParamsError(f"{path}: params file not found")
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ParamsError(f"{where}: not valid YAML ({getattr(e, 'problem', None) or e})") \
            from None
    if not isinstance(raw, dict):
        raise ParamsError(f"{path}: expected a mapping of params (is the file empty?), "
                          f"got {type(raw).__name__}")
    raw = {k: v for k, v in raw.items()
           if k not in other_sections or k in params_cls.model_fields}
    try:
        return params_cls.model_validate(raw)
    except ValidationError as e:
        raise ParamsError(_message(path, e)) from None
