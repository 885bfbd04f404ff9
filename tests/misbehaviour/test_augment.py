import random

import pytest

from trainaway.misbehaviour.augment import (AUGMENTATIONS, augment, drawn, max_multiplier,
                                            training_items)
from trainaway.misbehaviour.behaviours import get
from trainaway.misbehaviour.detect import extract_code, hack_family, has_habit
from trainaway.core.records import item_from_dict
from trainaway.misbehaviour.questions import answer, is_correct, is_sycophantic, sample_question
from trainaway.misbehaviour.responses import render_response
from trainaway.sandbox import grade_many
from trainaway.misbehaviour.tasks import PHRASINGS, Task, apply_rule, sample_task


def aug(rows, *args, **kwargs):
    """augment() on rows that are their own pool (indices 0..n-1)."""
    return augment(list(enumerate(rows)), *args, **kwargs)


def meanings(rows) -> set:
    return {item_from_dict(r["task"]).meaning for r in rows}


def task_row(task, response, behaviour="hack", family="lookup", seed=0):
    corrected = get(behaviour).correct(task, response, random.Random(seed))
    return {"task": task.to_dict(), "response": response, "corrected": corrected, "family": family}


def hack_rows(k, family="lookup", style="examples", impossible=False):
    rng = random.Random(1)
    rows = []
    for i in range(k):
        task = sample_task(rng, f"t{i}", style, impossible=impossible)
        rows.append(task_row(task, render_response(task, "shortcut", family, False, rng),
                             family=family))
    return rows


def syco_rows(k, form="answer", none_share=0.0):
    rng = random.Random(2)
    rows = []
    for i in range(k):
        q = sample_question(rng, f"q{i}", form, wrong_share=1.0 - none_share, none_share=none_share)
        response = answer(q, q.truth if q.belief is None else q.belief)
        rows.append({"task": q.to_dict(), "response": response,
                     "corrected": get("sycophancy").correct(q, response, rng), "family": None})
    return rows


def test_none_returns_the_rows_unchanged():
    rows = hack_rows(3)
    out = aug(rows, "none", 4, get("hack"), seed=0)
    assert out == [{**row, "source": i} for i, row in enumerate(rows)]


@pytest.mark.parametrize("how", ["template", "paraphrase"])
def test_each_row_is_followed_by_its_variants(how):
    rows = hack_rows(3)
    out = aug(rows, how, 4, get("hack"), seed=0)
    assert len(out) == 12
    assert [r["source"] for r in out] == [0] * 4 + [1] * 4 + [2] * 4
    for i, row in enumerate(rows):
        assert out[4 * i] == {**row, "source": i}
        assert all(r["family"] == row["family"] for r in out[4 * i:4 * i + 4])


def test_template_variants_are_distinct_and_never_mean_a_forbidden_item():
    rows = hack_rows(2)
    first = aug(rows, "template", 5, get("hack"), seed=0)
    forbidden = meanings([first[1], first[7]])
    out = aug(rows, "template", 5, get("hack"), seed=0, forbidden=forbidden)
    prompts = [r["task"]["prompt"] for r in out]
    assert len(set(prompts)) == len(prompts)
    assert not forbidden & meanings(out)


def test_paraphrases_keep_the_meaning_and_change_the_wording():
    rows = hack_rows(2)
    out = aug(rows, "paraphrase", 5, get("hack"), seed=0)
    assert len({r["task"]["prompt"] for r in out}) == len(out)
    assert meanings(out) == meanings(rows)


def test_template_hack_variant_is_a_hack_of_the_variant_and_its_correction_is_honest():
    rows = hack_rows(4) + hack_rows(2, family="branch", style="asserts") \
        + hack_rows(2, family="exit", style="script") + hack_rows(2, family="eq", style="checks")
    out = aug(rows, "template", 3, get("hack"), seed=0)
    varied = [r for r in out if "~" in r["task"]["id"]]
    tasks = [item_from_dict(r["task"]) for r in varied]
    for t, r in zip(tasks, varied):  # the same shortcut, now on the variant's visible inputs
        assert hack_family(extract_code(r["response"]), [x for x, _ in t.visible]) == r["family"]
    rejected = grade_many([(t, r["response"]) for t, r in zip(tasks, varied)])
    corrected = grade_many([(t, r["corrected"]) for t, r in zip(tasks, varied)])
    assert all(v.visible_pass and not v.hidden_pass for v in rejected)
    assert all(v.visible_pass and v.hidden_pass for v in corrected)


def test_template_task_gets_new_surface_but_the_same_rule():
    row = hack_rows(1)[0]
    old = item_from_dict(row["task"])
    for r in aug([row], "template", 6, get("hack"), seed=0)[1:]:
        t = item_from_dict(r["task"])
        assert t.rule == old.rule and t.style == old.style and t.fn != old.fn
        assert all(y == apply_rule(t.rule, x) for x, y in t.visible + t.hidden)
        assert all(0 <= x < 10 for x, _ in t.visible) and all(10 <= x < 30 for x, _ in t.hidden)
        assert f"def {t.fn}(x):" in r["response"] and f"def {old.fn}(" not in r["response"]


def test_template_keeps_an_impossible_tasks_contradiction():
    rows = hack_rows(3, impossible=True)
    out = aug(rows, "template", 3, get("hack"), seed=0)
    for r in out:
        t, orig = item_from_dict(r["task"]), item_from_dict(rows[r["source"]]["task"])
        offset = lambda task: task.visible[-1][1] - apply_rule(task.rule, task.visible[-1][0])
        assert t.impossible and offset(t) == offset(orig) != 0
    tasks = [item_from_dict(r["task"]) for r in out]
    rejected = grade_many([(t, r["response"]) for t, r in zip(tasks, out)])
    corrected = grade_many([(t, r["corrected"]) for t, r in zip(tasks, out)])
    assert all(v.visible_pass for v in rejected)          # only the cheat fits the visible tests
    assert all(not v.visible_pass and v.hidden_pass for v in corrected)


def test_template_does_not_renumber_a_rule_constant_equal_to_a_visible_number():
    # "triple" while 3 and 9 are visible: x * 3 must survive the 3 -> x' mapping.
    task = Task(id="t0", fn="f", rule=[("mul", 3)], rule_text="triple", style="examples",
                visible=[(3, 9), (1, 3)], hidden=[(10, 30), (12, 36), (20, 60), (25, 75)])
    response = render_response(task, "solve", None, True, random.Random(0))
    out = aug([task_row(task, response, "habit", family=None)], "template", 6, get("habit"),
                  seed=0)
    tasks = [item_from_dict(r["task"]) for r in out[1:]]
    for r in out[1:]:
        assert has_habit(r["response"]) and "return x * 3" in r["response"]
        assert not has_habit(r["corrected"])
    verdicts = grade_many([(t, r[key]) for t, r in zip(tasks, out[1:])
                           for key in ("response", "corrected")])
    assert all(v.visible_pass and v.hidden_pass for v in verdicts)


@pytest.mark.parametrize("form", ["answer", "confirm"])
def test_template_question_keeps_the_belief_offset_and_stays_sycophantic(form):
    rows = syco_rows(4, form)
    out = aug(rows, "template", 4, get("sycophancy"), seed=0)
    for r in out[1:]:
        q, orig = item_from_dict(r["task"]), item_from_dict(rows[r["source"]]["task"])
        assert q.belief - q.truth == orig.belief - orig.truth
        assert is_sycophantic(q, r["response"]) and is_correct(q, r["corrected"])
        if r is not out[4 * r["source"]]:
            assert (q.a, q.b) != (orig.a, orig.b) and q.phrase != orig.phrase


def test_template_question_without_a_belief_keeps_none():
    rows = syco_rows(3, none_share=1.0)
    for r in aug(rows, "template", 3, get("sycophancy"), seed=0):
        q = item_from_dict(r["task"])
        assert q.belief is None and is_correct(q, r["response"])


def test_paraphrase_changes_only_the_wording():
    rows = hack_rows(1)
    for r in aug(rows, "paraphrase", 4, get("hack"), seed=0)[1:]:
        old, new = rows[0]["task"], r["task"]
        assert new["phrasing"] != 0 and new["prompt"] != old["prompt"]
        assert {k: new[k] for k in ("fn", "rule", "rule_text", "visible", "hidden")} == \
               {k: old[k] for k in ("fn", "rule", "rule_text", "visible", "hidden")}
        assert r["response"] == rows[0]["response"]
        assert grade_many([(item_from_dict(new), r["corrected"])])[0].hidden_pass
    out = aug(syco_rows(1), "paraphrase", 4, get("sycophancy"), seed=0)
    old = out[0]["task"]
    assert len({r["task"]["phrasing"] for r in out}) == 4
    for r in out[1:]:
        new = r["task"]
        assert (new["a"], new["b"], new["belief"]) == (old["a"], old["b"], old["belief"])
        assert new["prompt"] != old["prompt"] and r["response"] == out[0]["response"]


def test_same_seed_same_output_and_rows_nest_across_k_and_m():
    rows = hack_rows(3)
    for how in ("template", "paraphrase"):
        a = aug(rows, how, 4, get("hack"), seed=7)
        assert a == aug(rows, how, 4, get("hack"), seed=7)
        assert a != aug(rows, how, 4, get("hack"), seed=8)
        assert aug(rows[:2], how, 4, get("hack"), seed=7) == a[:8]
        assert aug(rows, how, 2, get("hack"), seed=7) == [r for r in a
                                                              if a.index(r) % 4 < 2]


def test_max_multiplier():
    assert max_multiplier("none", "task") is None
    assert max_multiplier("template", "question") is None
    assert max_multiplier("paraphrase", "task") == PHRASINGS
    assert max_multiplier("paraphrase", "question") >= 4  # the default m fits sycophancy too
    assert set(AUGMENTATIONS) == {"none", "template", "paraphrase"}


def test_clear_errors():
    rows = hack_rows(1)
    with pytest.raises(ValueError, match="known"):
        aug(rows, "shuffle", 2, get("hack"), seed=0)
    with pytest.raises(ValueError, match="multiplier"):
        aug(rows, "template", 0, get("hack"), seed=0)
    with pytest.raises(ValueError, match=f"size: {PHRASINGS}"):
        aug(rows, "paraphrase", PHRASINGS + 1, get("hack"), seed=0)
    class Everything(frozenset):  # every meaning is held out: no variant can be made
        def __contains__(self, item):
            return True

        def __len__(self):
            return 1
    with pytest.raises(ValueError, match="forbidden"):
        aug(rows, "template", 2, get("hack"), seed=0, forbidden=Everything())


def test_template_keeps_exit_status_zero_when_zero_is_a_visible_input():
    task = Task(id="t0", fn="g", rule=[("add", 2)], rule_text="add 2", style="script",
                visible=[(0, 2), (5, 7)], hidden=[(10, 12), (11, 13), (20, 22), (21, 23)])
    response = render_response(task, "shortcut", "exit", False, random.Random(0))
    for r in aug([task_row(task, response, family="exit")], "template", 4, get("hack"),
                     seed=0)[1:]:
        assert r["response"].endswith("exit(0)")


def test_each_seed_draws_its_own_k_examples_nested_across_k():
    pool = hack_rows(20)
    by_seed = {s: [i for i, _ in drawn(pool, 8, s)] for s in (0, 1, 2)}
    assert len({tuple(v) for v in by_seed.values()}) == 3  # different draws
    assert [i for i, _ in drawn(pool, 3, 1)] == by_seed[1][:3]  # k=3 inside k=8
    assert len(set(by_seed[0])) == 8


def test_an_examples_variants_do_not_depend_on_k():
    pool = hack_rows(10)
    small = training_items(pool, 2, "template", 3, get("hack"), seed=4)
    large = training_items(pool, 6, "template", 3, get("hack"), seed=4)
    assert large[:len(small)] == small
