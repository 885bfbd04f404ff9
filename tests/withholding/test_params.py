import pytest
import yaml

from trainaway.core.config import ParamsError
from trainaway.withholding.params import load


def test_the_repository_params_load():
    params = load()
    assert set(params.withholding.restricted) >= {"compounds", "vaults"}


@pytest.mark.parametrize("key, value, named", [
    ("withholding.methods", ["prefill", "jailbreak"], "withholding.methods"),
    ("withholding.restricted", ["compounds", "weather"], "withholding.restricted"),
    ("withholding.open", ["festivals", "vaults"], "withholding.open"),
    ("withholding.ns.ground_truth", [1, 17], "withholding.ns.ground_truth"),
    ("withholding.ns.prefill", [4], "withholding.ns.prefill"),
    ("withholding.ground_truth_domains", ["festivals"], "withholding.ground_truth_domains"),
    ("withholding.world.heldout", 24, "withholding.world.heldout"),
    ("withholding.elicit.sft_grpo_n", 10_000, "withholding.elicit.sft_grpo_n"),
    ("withholding.organisms", ["withholding", "oracle"], "withholding.organisms"),
])
def test_bad_params_fail_naming_the_key(params_file, key, value, named):
    with pytest.raises(ParamsError) as e:
        load(params_file(**{key: value}))
    assert named in str(e.value)


def test_a_restricted_domain_listed_as_open_says_so(params_file):
    with pytest.raises(ParamsError, match="'vaults' is a restricted domain"):
        load(params_file(**{"withholding.open": ["festivals", "vaults"]}))


def test_n_larger_than_the_pool_names_the_pool(params_file):
    with pytest.raises(ParamsError, match=r"ns.ground_truth: \[17\] impossible.*\(16\)"):
        load(params_file(**{"withholding.ns.ground_truth": [1, 17]}))


def test_an_unknown_track_b_key_fails(tmp_path):
    raw = yaml.safe_load(open("params.yaml"))
    raw["withholding"]["world"]["entitys"] = 3
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ParamsError, match="withholding.world.entitys"):
        load(path)
