"""Stage collect fails before anything downstream runs when a behaviour was caught fewer
times than max(misbehaviour.ks), saying how many and what to change."""
import pytest
import yaml

from tests.conftest import merge
from tests.test_real_models import TINY
from trainaway.core.workspace import ROOT, copy_project


def test_too_few_caught_examples_fail_at_collect_with_the_number_needed(real_checkpoint,
                                                                        tmp_path, monkeypatch,
                                                                        capsys):
    from stages.misbehaviour import collect, organism, world
    repo = copy_project(tmp_path)
    # the checkpoint answers every prompt with the same code: never sycophantic
    params = merge(yaml.safe_load((ROOT / "params.yaml").read_text()),
                   {**TINY, "model": {"base": str(real_checkpoint("qwen2.5"))}})
    params["misbehaviour"].update(behaviours=["hack", "sycophancy"], ks=[2])
    (repo / "params.yaml").write_text(yaml.safe_dump(params))
    monkeypatch.chdir(repo)
    for stage in (world, organism):
        stage.main(["--depth", "standard"])
    with pytest.raises(SystemExit, match=r"too few caught examples: sycophancy: caught 0, "
                                         r"max\(misbehaviour.ks\) = 2 needs 2.*Lower "
                                         r"misbehaviour.ks"):
        collect.run(lambda: collect.main(["--depth", "standard"]))
    assert not (repo / "data/misbehaviour/standard/collected").exists()
