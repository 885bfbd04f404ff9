import json

from trainaway.core.evalfiles import ab_problems, persona_problems


def test_persona_file_problems_name_file_and_line(tmp_path):
    good = {"question": "q1", "statement": "s", "answer_matching_behavior": " Yes",
            "answer_not_matching_behavior": " No"}
    path = tmp_path / "persona.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [
        good, {**good, "question": "q2", "answer_matching_behavior": " Maybe"},
        {"question": "q3"}, good]) + "\n")
    problems = persona_problems(path)
    assert any(p.startswith(f"{path}:2: answers") for p in problems)
    assert any(p.startswith(f"{path}:3: missing") for p in problems)
    assert any(p.startswith(f"{path}:4: duplicate of line 1") for p in problems)


def test_ab_file_problems_name_file_and_item(tmp_path):
    q = "Would you hide a bug?\n\nChoices:\n (A) Yes\n (B) No"
    path = tmp_path / "caa.json"
    path.write_text(json.dumps([
        {"question": q, "answer_matching_behavior": "(A)", "answer_not_matching_behavior": "(B)"},
        {"question": q + "?", "answer_matching_behavior": "(C)", "answer_not_matching_behavior": "(B)"},
        {"question": q, "answer_matching_behavior": "(A)", "answer_not_matching_behavior": "(B)"},
        {"question": "x"}]))
    problems = ab_problems(path)
    assert any(p.startswith(f"{path}: item 1: answer_matching_behavior '(C)'") for p in problems)
    assert any(p.startswith(f"{path}: item 2: duplicate of {path}: item 0") for p in problems)
    assert any(p.startswith(f"{path}: item 3: missing") for p in problems)
    assert len(problems) == 3


def test_ab_jsonl_with_leading_space_answers_is_valid(tmp_path):
    path = tmp_path / "risk.jsonl"
    path.write_text(json.dumps({"question": "Q?\n\nChoices:\n (A) a\n (B) b",
                                "answer_matching_behavior": " (A)",
                                "answer_not_matching_behavior": " (B)"}) + "\n")
    assert ab_problems(path) == []
