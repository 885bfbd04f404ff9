import pytest

from trainaway.core.config import ParamsError
from trainaway.core.entry import arguments, run
from trainaway.core.io import DataError


def test_a_stage_gets_its_required_options():
    assert arguments("doc", ["--depth", "d", "--method", "sft"], "depth", "method").method == "sft"
    with pytest.raises(SystemExit):
        arguments("doc", ["--depth", "d"], "depth", "method")


@pytest.mark.parametrize("error", [ParamsError("params.yaml: invalid params\n  train.lr: ..."),
                                   DataError("data/x.jsonl:3: not valid JSON")])
def test_fixable_errors_are_one_message_not_a_traceback(error, capsys):
    def main():
        raise error
    with pytest.raises(SystemExit) as stop:
        run(main)
    assert stop.value.code == f"error: {error}"
