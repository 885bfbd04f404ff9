import pytest

from trainaway.core.records import EvalSet, Outcome, Pool, item_from_dict, matches, select


def test_items_are_rebuilt_by_their_registered_kind(toy):
    assert item_from_dict({"id": "a", "prompt": "hi", "kind": "toy"}) == toy("a", "hi")


def test_an_unregistered_kind_is_named():
    with pytest.raises(ValueError, match="'riddle'"):
        item_from_dict({"id": "a", "prompt": "hi", "kind": "riddle"})


def test_outcome_round_trips_with_its_scores():
    o = Outcome("a", "hi", "hello", {"polite": True, "tone": "warm", "n/a": None})
    assert Outcome.from_dict(o.to_dict()) == o and o["tone"] == "warm"


def test_queries_match_one_value_or_any_of_several():
    tags = {"distance": "far", "cue": "unmonitored"}
    assert matches(tags, {"distance": "far"})
    assert matches(tags, {"distance": ("near", "far"), "cue": "unmonitored"})
    assert not matches(tags, {"distance": "near"})
    assert not matches(tags, {"family": "eq"})  # a tag the set does not have


def test_pools_and_selections_come_from_tags_not_names():
    sets = [EvalSet("x1", [], {"distance": "far", "kind": "toy"}),
            EvalSet("x2", [], {"distance": "near", "kind": "toy"}),
            EvalSet("x3", [], {"distance": "far", "kind": "toy"})]
    assert Pool("far", {"distance": "far"}).members({s.name: s.tags for s in sets}) == ["x1", "x3"]
    assert [s.name for s in select(sets, distance="near")] == ["x2"]


def test_a_missing_item_field_is_named_not_a_type_error(toy):
    with pytest.raises(ValueError, match=r"toy item 'a' is missing field\(s\) prompt"):
        item_from_dict({"id": "a", "kind": "toy"})
