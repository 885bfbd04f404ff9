"""params.yaml, validated before any compute.

params.yaml holds shared blocks (`seed`, `model`, `generation`, `train`, `evaluate`) and one
section per experiment track, each validated against its own registries by the track's
`params` module. Unknown keys, unknown names, impossible sizes and missing model paths fail
here with a message that names the key, so a typo costs a second rather than a wasted run.
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import (BaseModel, ConfigDict, Field, ValidationError, field_validator,
                      model_validator)

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


def local_path(ref: str) -> Path | None:
    """The one resolver of user paths: `~` expanded; None for what is not a path (a hub id)."""
    if ref.startswith(("/", ".", "~")) or Path(ref).expanduser().exists():
        return Path(ref).expanduser()
    return None


# Files a tokenizer loads from (any one of them); a tokenizer_config.json alone is not one:
# transformers then builds an empty tokenizer that samples garbage.
TOKENIZER_FILES = ("tokenizer.json", "tokenizer.model", "vocab.json", "spiece.model")


def check_model_dir(path: Path, key: str) -> None:
    """A local checkpoint with the files every stage needs: config, weights' config and a real
    tokenizer with a chat template (trainaway.core.models loads it the same way)."""
    if not (path / "config.json").is_file():
        raise ValueError(f"{key}: {str(path)!r} is not a model directory (no config.json there)")
    if not any((path / f).is_file() for f in TOKENIZER_FILES):
        has_config = (path / "tokenizer_config.json").is_file()
        raise ValueError(
            f"{key}: {str(path)!r} has no tokenizer files"
            + (" (a tokenizer_config.json but no tokenizer.json)" if has_config else "")
            + "; save the tokenizer beside the model: "
              "AutoTokenizer.from_pretrained(<its source>).save_pretrained(<this directory>)")
    check_vocab(path, key)
    config = path / "tokenizer_config.json"
    has_template = (path / "chat_template.jinja").is_file() or (
        config.is_file() and "chat_template" in json.loads(config.read_text()))
    if not has_template:
        raise ValueError(f"{key}: the tokenizer in {str(path)!r} has no chat template; every "
                         "stage talks to the model through it (use an instruct/chat model, or "
                         "set tokenizer.chat_template and save_pretrained)")


def check_vocab(path: Path, key: str) -> None:
    """The tokenizer's largest token id must have an embedding row: a tokenizer saved from
    another model would otherwise index past the embedding (an IndexError mid-stage)."""
    tok_file = path / "tokenizer.json"
    rows = json.loads((path / "config.json").read_text()).get("vocab_size")
    if not tok_file.is_file() or rows is None:
        return
    tok = json.loads(tok_file.read_text())
    vocab = tok.get("model", {}).get("vocab", {})
    ids = list(vocab.values()) if isinstance(vocab, dict) else [len(vocab) - 1]
    ids += [t["id"] for t in tok.get("added_tokens", [])]
    if ids and max(ids) >= rows:
        raise ValueError(f"{key}: the tokenizer in {str(path)!r} has token ids up to "
                         f"{max(ids)} but the model has {rows} embedding rows (vocab_size in "
                         "config.json): it is not this model's tokenizer; save the model's own "
                         "tokenizer there (AutoTokenizer.from_pretrained(<its source>)"
                         ".save_pretrained(<this directory>))")


def check_hub_id(ref: str, key: str) -> None:
    """A hub id must be in the local cache, or the hub reachable now (not 55 s into a stage)."""
    from huggingface_hub import try_to_load_from_cache
    if isinstance(try_to_load_from_cache(ref, "config.json"), str):
        return
    if os.environ.get("HF_HUB_OFFLINE") == "1":
        raise ValueError(f"{key}: {ref!r} is not in the local Hugging Face cache "
                         "and HF_HUB_OFFLINE=1 forbids downloading it")
    from huggingface_hub import model_info
    from huggingface_hub.errors import RepositoryNotFoundError
    try:
        model_info(ref, timeout=10)
    except RepositoryNotFoundError:
        raise ValueError(f"{key}: {ref!r} is neither a local directory nor a model on the "
                         "Hugging Face hub") from None
    except Exception as e:  # noqa: BLE001  (no network, DNS, proxy, timeout: all the same fix)
        raise ValueError(f"{key}: {ref!r} is not in the local Hugging Face cache and the hub "
                         f"cannot be reached ({type(e).__name__}); download it where there is "
                         f"network (huggingface-cli download {ref}) and set HF_HUB_OFFLINE=1, "
                         "or point the key at a local directory") from None


def check_model_ref(ref: str | None, key: str) -> str | None:
    """A local model directory (returned with `~` expanded) must hold a model and a usable
    tokenizer; a hub id must be cached, or downloadable now."""
    if ref is None:
        return ref
    path = local_path(ref)
    if path is None:
        check_hub_id(ref, key)
        return ref
    check_model_dir(path, key)
    return str(path)


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
    # Passed to every chat-template rendering: the Llama-3.x template otherwise writes
    # today's date into every prompt (trainaway.core.chat).
    chat_template_kwargs: dict[str, str | int | float | bool] = Field(
        default_factory=lambda: {"date_string": "26 Jul 2024"})

    @field_validator("base")
    @classmethod
    def _base_exists(cls, base):
        return check_model_ref(base, "model.base")

    @field_validator("device")
    @classmethod
    def _device_exists(cls, device):
        if device == "cuda":
            import torch  # only here: params validation stays light otherwise
            if not torch.cuda.is_available():
                raise ValueError("cuda but torch sees no CUDA device (or is a CPU build): set "
                                 "model.device: auto (or cpu), or install a CUDA build of torch "
                                 "(make repro TORCH=)")
        return device


class Generation(Strict):
    backend: Literal["hf", "vllm"] = "hf"
    # Sampling, applied identically by both backends (never the checkpoint's defaults).
    temperature: float = Field(ge=0.0)
    top_p: float = Field(1.0, gt=0.0, le=1.0)
    top_k: int = Field(0, ge=0)                       # 0: off
    repetition_penalty: float = Field(1.0, gt=0.0)    # 1: off
    max_new_tokens: int = Field(gt=0)
    # Own limits for some eval sets, pools or item kinds (or "collect"): name -> tokens.
    max_new_tokens_for: dict[str, int] = Field(default_factory=dict)
    batch_size: int = Field(gt=0)
    gpu_memory_utilization: float = Field(0.5, gt=0.0, le=1.0)  # vLLM's share of the GPU
    tensor_parallel_size: int = Field(1, gt=0)                  # vLLM: GPUs per engine

    @field_validator("backend")
    @classmethod
    def _backend_installed(cls, backend):
        if backend == "vllm" and importlib.util.find_spec("vllm") is None:
            raise ValueError("vllm but vLLM is not installed: pip install -e '.[gpu]' on a "
                             "machine with a GPU, or set generation.backend: hf")
        return backend

    @field_validator("max_new_tokens_for")
    @classmethod
    def _positive_limits(cls, limits):
        if bad := {k: v for k, v in limits.items() if v <= 0}:
            raise ValueError(f"limits must be positive, got {bad}")
        return limits

    def limit_for(self, *names: str) -> int:
        """The token limit of the first of `names` (a set, its pool, its kind) that has one."""
        return next((self.max_new_tokens_for[n] for n in names if n in self.max_new_tokens_for),
                    self.max_new_tokens)


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

    @model_validator(mode="after")
    def _vllm_lora_dtype(self):
        # vLLM's LoRA kernels run in half precision only: refuse before any run is trained.
        if (self.generation.backend == "vllm" and self.train.adapter == "lora"
                and self.model.dtype == "float32"):
            raise ValueError("model.dtype: float32 with generation.backend: vllm and "
                             "train.adapter: lora, which vLLM's LoRA kernels do not support; "
                             "set model.dtype: bfloat16 (or float16)")
        return self


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
