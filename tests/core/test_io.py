import pytest

from trainaway.core.io import DataError, read_jsonl, write_jsonl


def test_round_trip(tmp_path):
    rows = [{"a": 1}, {"b": [1, 2]}]
    write_jsonl(tmp_path / "x.jsonl", rows)
    assert read_jsonl(tmp_path / "x.jsonl") == rows


def test_malformed_line_names_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"a": 1}\n{"a": \n')
    with pytest.raises(DataError, match=r"bad.jsonl:2: not valid JSON"):
        read_jsonl(path)


def test_missing_field_names_file_and_line(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text('{"question": "q"}\n')
    with pytest.raises(DataError, match=r"p.jsonl:1: missing field\(s\) statement"):
        read_jsonl(path, required=("question", "statement"))


def test_non_object_line_is_rejected(tmp_path):
    path = tmp_path / "l.jsonl"
    path.write_text("[1, 2]\n")
    with pytest.raises(DataError, match="l.jsonl:1: expected a JSON object"):
        read_jsonl(path)


def test_a_rejected_row_names_file_and_line(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text('{"task": {}}\n{"other": 1}\n')
    with pytest.raises(DataError, match=r"t.jsonl:2: missing field 'task'"):
        read_jsonl(path, check=lambda row: row["task"])


def test_an_empty_file_is_an_error_where_rows_are_needed(tmp_path):
    path = tmp_path / "e.jsonl"
    path.write_text("\n")
    assert read_jsonl(path) == []
    with pytest.raises(DataError, match=r"e.jsonl: no rows"):
        read_jsonl(path, empty_ok=False)


def test_writes_replace_the_file_whole_and_leave_no_temporary(tmp_path):
    path = tmp_path / "out" / "x.jsonl"
    write_jsonl(path, [{"a": 1}])
    write_jsonl(path, [{"a": 2}])
    assert read_jsonl(path) == [{"a": 2}]
    assert [p.name for p in path.parent.iterdir()] == ["x.jsonl"]
