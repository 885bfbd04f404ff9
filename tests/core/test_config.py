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
