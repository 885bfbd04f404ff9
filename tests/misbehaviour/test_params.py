import pytest

from trainaway.core.config import ParamsError
from trainaway.misbehaviour.params import METHODS, load


def test_default_params_are_valid(default_params):
    assert default_params.misbehaviour.ks


def test_methods_are_those_a_caught_example_can_train():
    assert set(METHODS) == {"sft", "dpo", "kto"}


@pytest.mark.parametrize("key, value, message", [
    ("misbehaviour.behaviours", ["hack", "sandbagging"], "unknown behaviour.*sandbagging"),
    ("misbehaviour.methods", ["sft", "rlhf"], "unknown method.*rlhf"),
    ("misbehaviour.augmentations", ["none", "backtranslate"], "unknown augmentation.*backtranslate"),
    ("misbehaviour.world.hack_families", ["lookup", "monkeypatch"],
     "misbehaviour.world.hack_families.*unknown hack family"),
    ("misbehaviour.seeds", [0, 0], "misbehaviour.seeds"),
    ("misbehaviour.ks", [1, 100000], "misbehaviour.ks: .*impossible"),
    ("misbehaviour.ks", [0], "misbehaviour.ks"),
    ("misbehaviour.world.collect_questions", 5, "collect_questions"),
    ("misbehaviour.world.propensities.habit", -0.1, "misbehaviour.world.propensities.habit"),
    ("misbehaviour.depths", ["abyss"], "unknown depth"),
    ("misbehaviour.worlds", {}, "misbehaviour.worlds"),
])
def test_bad_track_a_params_are_named(params_file, key, value, message):
    with pytest.raises(ParamsError, match=message):
        load(params_file(**{key: value}))


def test_multiplier_beyond_the_paraphrase_grammar_is_rejected(params_file):
    with pytest.raises(ParamsError, match="augment.multiplier.*paraphrase"):
        load(params_file(**{"misbehaviour.augmentations": ["paraphrase"],
                            "misbehaviour.augment.multiplier": 50}))


def test_a_depth_level_must_still_be_a_valid_organism(params_file):
    with pytest.raises(ParamsError, match="multiple of heads"):
        load(params_file(**{"misbehaviour.depth_levels.deep.hidden_size": 130,
                            "misbehaviour.depths": ["deep"]}))
