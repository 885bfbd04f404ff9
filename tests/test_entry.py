import pytest

from trainaway.entry import start


def test_start_gives_params_and_the_depths_paths():
    args, params, layout = start("doc", ["--depth", "standard", "--behaviour", "hack"], "behaviour")
    assert args.behaviour == "hack" and params.seeds
    assert str(layout.base_model) == "models/standard/base"


def test_unknown_depth_stops_before_any_work_and_names_the_levels():
    with pytest.raises(SystemExit, match="depth 'abyss' is not one of depth_levels"):
        start("doc", ["--depth", "abyss"])
