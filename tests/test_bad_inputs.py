"""The bad-input table: every input a user can get wrong fails before any compute, as one
message naming the key or file:line (never a traceback), through the entry points a user runs:
`trainaway params` (what `make repro` and the `params` stage run first) and the stages."""
import json
import shutil
import sys

import pytest

from trainaway.cli import main as cli
from trainaway.core.entry import run

from trainaway.core.workspace import ROOT

WORLD = "data/misbehaviour/standard/world"


@pytest.fixture
def params_text(tmp_path):
    """params_text(text) -> a params.yaml holding exactly `text`."""
    def write(text: str):
        path = tmp_path / "params.yaml"
        path.write_text(text)
        return path
    return write


PARAMS = [  # (key, value, the message it gets[, other keys the case needs])
    ("sed", 1, "sed: Extra inputs are not permitted"),
    ("train.max_steps", True, "train.max_steps: Input should be a valid integer (got True)"),
    ("train.max_steps", "4", "train.max_steps: Input should be a valid integer (got '4')"),
    ("train.lr", "3e-3", "train.lr: Input should be a valid number"),
    ("seed", -1, "seed: Input should be greater than or equal to 0 (got -1)"),
    ("misbehaviour.seeds", [0, -1],
     "misbehaviour.seeds.1: Input should be greater than or equal to 0"),
    ("misbehaviour.probe.layers", [1, 9],
     "misbehaviour.probe.layers: probe layers [9] out of range"),
    ("misbehaviour.augment.multiplier", 500, "misbehaviour.augment.multiplier: 500 is more than "
     "'paraphrase' can make", {"misbehaviour.augmentations": ["paraphrase"]}),
    ("misbehaviour.plan_in_loss", "false",
     "misbehaviour.plan_in_loss: Input should be a valid boolean"),
    ("model.device", "gpu", "model.device: Input should be 'auto', 'cpu' or 'cuda'"),
    ("generation.temperature", -1.0,
     "generation.temperature: Input should be greater than or equal to 0"),
    ("misbehaviour.behaviours", ["hack", "sandbagging"], "unknown behaviour 'sandbagging'"),
    ("misbehaviour.ks", [1, 100000], "misbehaviour.ks: [100000] impossible"),
    ("misbehaviour.depths", ["abyss"], "unknown depth (a key of depth_levels) 'abyss'"),
]


@pytest.mark.parametrize("case", PARAMS, ids=[p[0] for p in PARAMS])
def test_a_bad_param_is_named_by_trainaway_params(params_file, capsys, case):
    key, value, message, *also = case
    path = params_file(**{key: value, **(also[0] if also else {})})
    assert cli(["params", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


FILES = [  # (params.yaml's text, the message it gets)
    ("", "expected a mapping of params (is the file empty?)"),
    ("- 1\n- 2\n", "expected a mapping of params (is the file empty?), got list"),
    ("seed: 0\nmodel: [\n", "params.yaml:3: not valid YAML"),
]


@pytest.mark.parametrize("text, message", FILES, ids=["empty", "a list", "bad YAML"])
def test_a_malformed_params_file_is_reported_as_such(params_text, capsys, text, message):
    assert cli(["params", str(params_text(text))]) == 2
    assert message in capsys.readouterr().err


def test_a_missing_params_file_is_reported_as_such(tmp_path, capsys):
    assert cli(["params", str(tmp_path / "params.yaml")]) == 2
    assert "params.yaml: params file not found" in capsys.readouterr().err


# ------------------------------------------------------------------ files, through the stages
@pytest.fixture
def project(tmp_path, monkeypatch, tiny_world):
    """A project directory (valid params, the tiny world) to run stages in."""
    shutil.copy(ROOT / "params.yaml", tmp_path / "params.yaml")
    shutil.copytree(tiny_world, tmp_path / WORLD)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def rewrite_first_row(path, change):
    rows = path.read_text().splitlines()
    rows[0] = json.dumps(change(json.loads(rows[0])))
    path.write_text("\n".join(rows) + "\n")


def stage_error(monkeypatch, module, *args) -> str:
    """What the stage prints when it stops (run() turns a DataError into one line)."""
    monkeypatch.setattr(sys, "argv", ["stage", "--depth", "standard", *args])
    with pytest.raises(SystemExit) as stop:
        run(module.main)
    return str(stop.value.code)


def without(field):
    return lambda row: {k: v for k, v in row.items() if k != field}


def test_a_held_out_task_without_hidden_tests_names_its_line(project, monkeypatch):
    from stages.misbehaviour import evaluate_base
    rewrite_first_row(project / WORLD / "heldout.jsonl", without("hidden"))
    message = stage_error(monkeypatch, evaluate_base)
    assert message.startswith(f"error: {WORLD}/heldout.jsonl:1: task item")
    assert "missing field(s) hidden" in message
    assert not (project / "evals").exists()  # before any compute


def test_an_empty_held_out_file_is_named_before_any_output(project, monkeypatch):
    from stages.misbehaviour import evaluate_base
    (project / WORLD / "heldout.jsonl").write_text("")
    message = stage_error(monkeypatch, evaluate_base)
    assert message == f"error: {WORLD}/heldout.jsonl: no rows (an empty file; rerun the stage " \
                      "that writes it)"
    assert not (project / "evals").exists()


def test_a_caught_example_whose_task_has_no_rule_names_its_line(project, monkeypatch):
    from stages.misbehaviour import sweep
    collected = project / "data/misbehaviour/standard/collected"
    collected.mkdir(parents=True)
    task = json.loads((project / WORLD / "collect.jsonl").read_text().splitlines()[0])
    task.pop("rule")
    (collected / "hack.jsonl").write_text(json.dumps(
        {"task": task, "response": "r", "corrected": "c"}) + "\n")
    message = stage_error(monkeypatch, sweep, "--behaviour", "hack", "--method", "sft")
    assert message.startswith("error: data/misbehaviour/standard/collected/hack.jsonl:1: task")
    assert "missing field(s) rule" in message


def test_a_collect_pool_line_that_is_not_json_names_its_line(project, monkeypatch):
    from stages.misbehaviour import collect
    pool = project / WORLD / "collect.jsonl"
    pool.write_text(pool.read_text().splitlines()[0] + "\n{oops\n")
    message = stage_error(monkeypatch, collect)
    assert message.startswith(f"error: {WORLD}/collect.jsonl:2: not valid JSON")


def test_a_deleted_model_is_named_not_taken_for_a_hub_id(project, monkeypatch):
    from stages.misbehaviour import collect
    message = stage_error(monkeypatch, collect)  # models/.../base was never built
    assert message.startswith("error: models/misbehaviour/standard/base: model directory "
                              "not found")
