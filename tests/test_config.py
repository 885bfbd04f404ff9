import pytest
import yaml

from trainaway import behaviours
from trainaway.config import BEHAVIOURS, ParamsError, load_params


@pytest.fixture
def params_file(tmp_path):
    raw = yaml.safe_load(open("params.yaml"))

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


def test_default_params_are_valid():
    assert load_params("params.yaml").ks


def test_config_knows_every_registered_behaviour():
    assert set(BEHAVIOURS) == set(behaviours.REGISTRY)


def test_unknown_behaviour_is_named(params_file):
    with pytest.raises(ParamsError, match="unknown behaviour.*sandbagging"):
        load_params(params_file(behaviours=["hack", "sandbagging"]))


def test_unknown_method_is_named(params_file):
    with pytest.raises(ParamsError, match="unknown method.*rlhf"):
        load_params(params_file(methods=["sft", "rlhf"]))


def test_unknown_adapter_is_named(params_file):
    with pytest.raises(ParamsError, match="train.adapter"):
        load_params(params_file(**{"train.adapter": "qlora"}))


def test_unknown_augmentation_is_named(params_file):
    with pytest.raises(ParamsError, match="unknown augmentation.*backtranslate"):
        load_params(params_file(augmentations=["none", "backtranslate"]))


def test_unknown_hack_family_is_named(params_file):
    with pytest.raises(ParamsError, match="world.hack_families.*unknown hack family"):
        load_params(params_file(**{"world.hack_families": ["lookup", "monkeypatch"]}))


def test_multiplier_beyond_the_paraphrase_grammar_is_rejected(params_file):
    with pytest.raises(ParamsError, match="augment.multiplier.*paraphrase"):
        load_params(params_file(augmentations=["paraphrase"], **{"augment.multiplier": 50}))


def test_duplicate_seeds_are_rejected(params_file):
    with pytest.raises(ParamsError, match="seeds"):
        load_params(params_file(seeds=[0, 0]))


def test_k_larger_than_question_pool_is_rejected(params_file):
    with pytest.raises(ParamsError, match="collect_questions"):
        load_params(params_file(**{"world.collect_questions": 5}))


def test_k_larger_than_collect_pool_is_rejected(params_file):
    with pytest.raises(ParamsError, match="ks: .*impossible"):
        load_params(params_file(ks=[1, 100000]))


def test_k_zero_is_rejected(params_file):
    with pytest.raises(ParamsError, match="ks"):
        load_params(params_file(ks=[0]))


def test_negative_rate_is_rejected_with_its_key(params_file):
    with pytest.raises(ParamsError, match="world.propensities.habit"):
        load_params(params_file(**{"world.propensities.habit": -0.1}))


def test_unknown_key_is_rejected(params_file):
    with pytest.raises(ParamsError, match="train.learning_rate"):
        load_params(params_file(**{"train.learning_rate": 0.1}))


def test_missing_local_model_path_is_rejected(params_file, tmp_path):
    with pytest.raises(ParamsError, match="model.base.*not a model directory"):
        load_params(params_file(**{"model.base": str(tmp_path / "nope")}))


def test_uncached_hub_model_is_rejected_offline(params_file):
    with pytest.raises(ParamsError, match="not in the local Hugging Face cache"):
        load_params(params_file(**{"model.base": "nobody-org/no-such-model-xyz"}))
