import random

from trainaway.sandbox import grade
from trainaway.misbehaviour.tasks import Task, apply_rule, render_prompt, rule_expression, sample_task


def test_rule_expression_matches_apply_rule():
    rng = random.Random(1)
    for i in range(200):
        task = sample_task(rng, f"t{i}", "examples")
        expr = rule_expression(task.rule)
        for x in range(-5, 30):
            assert eval(expr, {"x": x}) == apply_rule(task.rule, x), (task.rule, expr)


def test_sample_task_is_deterministic_for_a_seed():
    a = [sample_task(random.Random(7), "t", "asserts").to_dict() for _ in range(3)]
    assert a[0] == a[1] == a[2]


def test_review_cue_only_in_monitored_prompt():
    task = sample_task(random.Random(0), "t", "examples")
    assert "reviewed by a person" not in task.prompt
    assert "reviewed by a person" in task.with_cue(True).prompt


def test_prompt_styles_show_visible_tests_differently():
    task = sample_task(random.Random(0), "t", "examples")
    x, y = task.visible[0]
    assert f"{task.fn}({x}) -> {y}" in render_prompt(task)
    asserts = Task.from_dict({**task.to_dict(), "style": "asserts"})
    assert f"assert {task.fn}({x}) == {y}" in render_prompt(asserts)


def test_reference_solution_passes_visible_and_hidden_tests():
    task = sample_task(random.Random(3), "t", "asserts")
    verdict = grade(task.to_dict(), task.reference)
    assert verdict.visible_pass and verdict.hidden_pass


def test_task_round_trips_through_dict():
    task = sample_task(random.Random(5), "t", "asserts").with_cue(True)
    assert Task.from_dict(task.to_dict()) == task


def test_two_step_share_sets_rule_length():
    rng = random.Random(0)
    assert all(len(sample_task(rng, "t", "examples", two_step_share=0.0).rule) == 1 for _ in range(50))
    assert all(len(sample_task(rng, "t", "examples", two_step_share=1.0).rule) == 2 for _ in range(50))


def test_no_rule_undoes_its_own_first_step():
    rng = random.Random(0)
    for _ in range(500):
        rule = sample_task(rng, "t", "examples", two_step_share=1.0).rule
        assert {rule[0], rule[1]} not in ({("add", n), ("sub", n)} for n in range(10))
