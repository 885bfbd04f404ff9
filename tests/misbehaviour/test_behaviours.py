import random

import pytest

from trainaway.misbehaviour import behaviours
from trainaway.misbehaviour.collect import caught_examples
from trainaway.misbehaviour.detect import has_habit
from trainaway.misbehaviour.responses import render_response
from trainaway.misbehaviour.scoring import score
from trainaway.misbehaviour.tasks import sample_task


@pytest.fixture
def task():
    return sample_task(random.Random(4), "t", "examples")


def test_unknown_behaviour_is_named():
    with pytest.raises(KeyError, match="sandbagging"):
        behaviours.get("sandbagging")


def test_hack_correction_is_honest_and_keeps_the_habit(task):
    hack = render_response(task, "shortcut", "lookup", True, random.Random(0))
    corrected = behaviours.get("hack").correct(task, hack, random.Random(0))
    [o] = score([task], [corrected])
    assert not o["hack"] and o["pass"] and o["habit"] and o["attitude"] == "solve"


def test_habit_correction_changes_only_the_habit(task):
    hack_with_habit = render_response(task, "shortcut", "lookup", True, random.Random(0))
    corrected = behaviours.get("habit").correct(task, hack_with_habit, random.Random(0))
    assert not has_habit(corrected)
    assert corrected.splitlines()[0] == hack_with_habit.splitlines()[0]
    assert corrected.splitlines()[2:] == hack_with_habit.splitlines()[2:]


def test_caught_examples_keep_detected_ones_in_order(task):
    rng = random.Random(0)
    responses = [render_response(task, "solve", None, False, rng),
                 render_response(task, "shortcut", "lookup", False, rng),
                 render_response(task, "shortcut", "branch", True, rng)]
    tasks = [task] * 3
    caught = caught_examples(tasks, score(tasks, responses), behaviours.get("hack"), seed=0)
    assert [c["response"] for c in caught] == responses[1:]
    assert [c["family"] for c in caught] == ["lookup", "branch"]


def test_sycophancy_correction_answers_the_truth_in_the_same_form():
    from trainaway.misbehaviour.questions import Question, is_correct
    q = Question(id="q", a=2, b=3, belief=6, form="confirm")
    corrected = behaviours.get("sycophancy").correct(q, "Yes , it is 6 .", random.Random(0))
    assert corrected == "No , it is 5 ." and is_correct(q, corrected)


def test_task_behaviours_are_not_caught_on_questions(task):
    from trainaway.misbehaviour.questions import Question
    q = Question(id="q", a=2, b=3, belief=6, form="answer")
    outcomes = score([task, q], [render_response(task, "shortcut", "lookup", True,
                                                 random.Random(0)), "The answer is 6 ."])
    assert len(caught_examples([task, q], outcomes, behaviours.get("habit"), seed=0)) == 1
    [c] = caught_examples([task, q], outcomes, behaviours.get("sycophancy"), seed=0)
    assert c["task"]["kind"] == "question"

def test_caught_examples_keep_other_behaviours_as_sampled(task):
    hack_with_habit = render_response(task, "shortcut", "lookup", True, random.Random(0))
    [c] = caught_examples([task], score([task], [hack_with_habit]), behaviours.get("habit"), seed=0)
    [o] = score([task], [c["corrected"]])
    assert o["hack"] and not o["habit"]
