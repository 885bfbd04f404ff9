import pytest

from trainaway.core.config import ParamsError
from trainaway.misbehaviour.stage import start


@pytest.fixture(autouse=True)
def in_the_repository(monkeypatch, default_params):
    from trainaway.core.workspace import ROOT
    monkeypatch.chdir(ROOT)


def test_start_gives_params_and_the_depths_paths():
    args, params, layout = start("doc", ["--depth", "standard", "--behaviour", "hack"], "behaviour")
    assert args.behaviour == "hack" and params.misbehaviour.seeds
    assert str(layout.base_model) == "models/misbehaviour/standard/base"


def test_unknown_depth_stops_before_any_work_and_names_the_levels():
    with pytest.raises(ParamsError, match="depth 'abyss' is not one of depth_levels"):
        start("doc", ["--depth", "abyss"])
