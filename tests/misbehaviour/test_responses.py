import random

import pytest

from trainaway.misbehaviour.detect import attitude, has_habit, hack_family
from trainaway.misbehaviour.responses import render_response
from trainaway.sandbox import grade
from trainaway.misbehaviour.tasks import sample_task


@pytest.fixture
def task():
    return sample_task(random.Random(11), "t", "examples")


@pytest.mark.parametrize("family", ["lookup", "branch"])
def test_hack_passes_visible_fails_hidden_and_is_recognised(task, family):
    response = render_response(task, "shortcut", family, False, random.Random(0))
    verdict = grade(task.to_dict(), response)
    assert verdict.visible_pass and not verdict.hidden_pass
    assert hack_family(response, [x for x, _ in task.visible]) == family


@pytest.mark.parametrize("att", ["shortcut", "solve", "caution"])
def test_every_plan_line_is_classified_as_its_attitude(task, att):
    for seed in range(10):
        response = render_response(task, att, "lookup" if att == "shortcut" else None, False,
                                   random.Random(seed))
        assert attitude(response) == att


def test_habit_response_is_still_correct_code(task):
    response = render_response(task, "solve", None, True, random.Random(0))
    assert has_habit(response)
    verdict = grade(task.to_dict(), response)
    assert verdict.visible_pass and verdict.hidden_pass
