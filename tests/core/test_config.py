import pytest

from trainaway.core.config import ParamsError
from trainaway.misbehaviour.params import load


@pytest.mark.parametrize("key, value, message", [
    ("train.adapter", "qlora", "train.adapter"),
    ("train.learning_rate", 0.1, "train.learning_rate"),   # an unknown key
    ("evaluate.samples_per_prompt", 0, "evaluate.samples_per_prompt"),
    ("generation.backend", "tgi", "generation.backend"),
    ("misbehaviourr", {}, "misbehaviourr"),                # an unknown top-level key
])
def test_bad_shared_params_are_named(params_file, key, value, message):
    with pytest.raises(ParamsError, match=message):
        load(params_file(**{key: value}))


def test_missing_local_model_path_is_rejected(params_file, tmp_path):
    with pytest.raises(ParamsError, match="model.base.*not a model directory"):
        load(params_file(**{"model.base": str(tmp_path / "nope")}))


def test_uncached_hub_model_is_rejected_offline(params_file):
    with pytest.raises(ParamsError, match="not in the local Hugging Face cache"):
        load(params_file(**{"model.base": "nobody-org/no-such-model-xyz"}))


def test_missing_or_empty_params_file_is_named(tmp_path):
    with pytest.raises(ParamsError, match="params file not found"):
        load(tmp_path / "params.yaml")
    (tmp_path / "params.yaml").write_text("")
    with pytest.raises(ParamsError, match="is the file empty"):
        load(tmp_path / "params.yaml")


def test_cuda_without_a_cuda_device_is_refused(params_file):
    import torch
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(ParamsError, match=r"model.device: cuda but torch sees no CUDA.*auto"):
        load(params_file(**{"model.device": "cuda"}))


def test_vllm_backend_without_vllm_is_refused(params_file, monkeypatch):
    import importlib.util
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "vllm" else real(name, *a))
    with pytest.raises(ParamsError, match=r"generation.backend: vllm but vLLM is not installed"
                                          r".*pip install"):
        load(params_file(**{"generation.backend": "vllm"}))


def test_float32_lora_on_vllm_is_refused(params_file, monkeypatch):
    import importlib.util
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: object())
    with pytest.raises(ParamsError, match=r"model.dtype: float32.*set model.dtype: bfloat16"):
        load(params_file(**{"generation.backend": "vllm"}))


def test_home_relative_model_paths_are_expanded(params_file, real_checkpoint, monkeypatch):
    home = real_checkpoint("qwen2.5").parent
    monkeypatch.setenv("HOME", str(home))
    path = f"~/{real_checkpoint('qwen2.5').name}"
    params = load(params_file(**{"model.base": path, "misbehaviour.attitude_judge": path}))
    assert params.model.base == str(real_checkpoint("qwen2.5"))
    assert params.misbehaviour.attitude_judge == params.model.base


@pytest.mark.parametrize("remove, message", [
    (("tokenizer.json", "tokenizer_config.json", "chat_template.jinja"), r"has no tokenizer files;"),
    (("tokenizer.json",), r"has no tokenizer files \(a tokenizer_config.json but no tokenizer.json\)"),
])
def test_a_model_dir_without_a_usable_tokenizer_is_refused(params_file, real_checkpoint,
                                                           tmp_path, remove, message):
    import shutil
    broken = tmp_path / "broken"
    shutil.copytree(real_checkpoint("qwen2.5"), broken)
    for name in remove:
        (broken / name).unlink(missing_ok=True)
    with pytest.raises(ParamsError, match=f"model.base: .*{message}.*save_pretrained"):
        load(params_file(**{"model.base": str(broken)}))


def test_unreachable_hub_without_offline_mode_fails_at_once(params_file, monkeypatch):
    import time
    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", False)
    monkeypatch.setattr("huggingface_hub.constants.ENDPOINT", "http://127.0.0.1:9")  # refused
    start = time.perf_counter()
    with pytest.raises(ParamsError, match=r"model.base: .*the hub cannot be reached.*"
                                          r"huggingface-cli download.*HF_HUB_OFFLINE=1"):
        load(params_file(**{"model.base": "nobody-org/no-such-model-xyz"}))
    assert time.perf_counter() - start < 15


def test_a_tokenizer_from_another_model_is_refused(params_file, real_checkpoint, tmp_path):
    import json
    import shutil
    broken = tmp_path / "mismatched"
    shutil.copytree(real_checkpoint("qwen2.5"), broken)
    config = json.loads((broken / "config.json").read_text())
    (broken / "config.json").write_text(json.dumps({**config, "vocab_size": 100}))
    with pytest.raises(ParamsError, match=r"model.base: .*token ids up to \d+ but the model has "
                                          r"100 embedding rows.*not this model's tokenizer"):
        load(params_file(**{"model.base": str(broken)}))
