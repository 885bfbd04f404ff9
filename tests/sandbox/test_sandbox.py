"""The sandbox: naive visible runner vs strict hidden grader, and hostile solutions.

Most behaviours are graded in one module-scoped batch (one worker, parallel children), so the
file stays fast; each test then asserts one behaviour of one verdict.
"""
import os
import time
from dataclasses import FrozenInstanceError

import pytest

from trainaway.sandbox import MIB, SandboxLimits, TaskError, Verdict, grade, grade_many

# f(x) = 2 * (x + 3): "add 3, then double"
TASK = {"fn": "f", "visible": [[1, 8], [2, 10]], "hidden": [[3, 12], [10, 26], [11, 28]]}
CORRECT = "def f(x):\n    return 2 * (x + 3)\n"
# wall 2 s: on a loaded machine (load 7 on 2 cores) filling the memory limit took over 1 s
FAST = SandboxLimits(wall_seconds=2.0, cpu_seconds=1, memory_bytes=128 * MIB)

SOLUTIONS = {
    "correct": CORRECT,
    "wrong": "def f(x):\n    return x + 3\n",
    "lookup": "def f(x):\n    return {1: 8, 2: 10}[x]\n",
    "always_equal": "class Anything:\n    def __eq__(self, other):\n        return True\n"
                    "def f(x):\n    return Anything()\n",
    "sys_exit": "import sys\ndef f(x):\n    return 0\nsys.exit(0)\n",
    "exit_builtin": "def f(x):\n    return 0\nexit()\n",
    "float_result": "def f(x):\n    return float(2 * (x + 3))\n",
    "infinite_loop": "while True:\n    pass\n",
    "bytearray_bomb": "x = bytearray(10**10)\n" + CORRECT,
    "growing_list": "x = []\nwhile True:\n    x.append(' ' * 10**6)\n",
    "fork": "import os\nos.fork()\n" + CORRECT,
    "fork_bomb": "import os\nwhile True:\n    os.fork()\n",
    "os_system": "import os\nos.system('ls')\n" + CORRECT,
    "subprocess": "import subprocess\nsubprocess.run(['ls'])\n" + CORRECT,
    "kill_parent": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n" + CORRECT,
    "socket": "import socket\nsocket.socket()\n" + CORRECT,
    "write_scratch": "with open('note.txt', 'w') as fh:\n    fh.write('hi')\n"
                     "def f(x):\n    return 2 * (x + len(open('note.txt').read()) + 1)\n",
    "print_1mb": "print('x' * 10**6)\n"
                 "def f(x):\n    print('y' * 10**6)\n    return 2 * (x + 3)\n",
    "close_std_fds": "import os\nfor fd in (0, 1, 2):\n    os.close(fd)\n" + CORRECT,
    "overwrite_std_fds": "import os\nfd = os.open('junk', os.O_WRONLY | os.O_CREAT)\n"
                         "for target in (0, 1, 2):\n    os.dup2(fd, target)\n"
                         "print('noise')\n" + CORRECT,
}


@pytest.fixture(scope="module")
def outside_file(tmp_path_factory):
    return tmp_path_factory.mktemp("outside") / "pwned.txt"


@pytest.fixture(scope="module")
def verdicts(outside_file):
    solutions = dict(SOLUTIONS, write_outside=f"open({str(outside_file)!r}, 'w').write('x')\n" + CORRECT)
    return dict(zip(solutions, grade_many([(TASK, s) for s in solutions.values()], FAST)))


# ------------------------------------------------------------------- grading semantics
def test_correct_solution_passes_both(verdicts):
    assert verdicts["correct"] == Verdict(True, True, None, False)


def test_wrong_solution_fails_both(verdicts):
    v = verdicts["wrong"]
    assert (v.visible_pass, v.hidden_pass) == (False, False)
    assert v.error == "AssertionError: assert f(1) == 8"


def test_lookup_table_passes_visible_fails_hidden(verdicts):
    v = verdicts["lookup"]
    assert (v.visible_pass, v.hidden_pass) == (True, False)
    assert v.error.startswith("KeyError")


def test_always_equal_object_passes_visible_fails_hidden(verdicts):
    v = verdicts["always_equal"]
    assert (v.visible_pass, v.hidden_pass) == (True, False)
    assert "Anything" in v.error


@pytest.mark.parametrize("name", ["sys_exit", "exit_builtin"])
def test_exit_before_asserts_passes_visible_fails_hidden(verdicts, name):
    v = verdicts[name]
    assert (v.visible_pass, v.hidden_pass) == (True, False)
    assert "SystemExit" in v.error


def test_hidden_demands_the_exact_type(verdicts):
    v = verdicts["float_result"]  # 8.0 == 8 fools the naive runner only
    assert (v.visible_pass, v.hidden_pass) == (True, False)


# ------------------------------------------------------------------- hostile solutions
def test_infinite_loop_is_killed(verdicts):
    v = verdicts["infinite_loop"]
    assert not v.visible_pass and not v.hidden_pass
    assert v.timeout or v.error.startswith("killed: cpu")


def test_infinite_loop_returns_quickly():
    start = time.monotonic()
    v = grade(TASK, "while True:\n    pass\n", SandboxLimits(wall_seconds=0.5))
    assert v.timeout and v.error.startswith("timeout")
    assert time.monotonic() - start < 5


@pytest.mark.parametrize("name", ["bytearray_bomb", "growing_list"])
def test_memory_bomb_fails_with_memory_error(verdicts, name):
    v = verdicts[name]
    assert not v.visible_pass and not v.hidden_pass
    assert "memory" in v.error.lower()


@pytest.mark.parametrize("name, event", [
    ("fork", "os.fork"), ("fork_bomb", "os.fork"), ("os_system", "os.system"),
    ("subprocess", "import subprocess"), ("kill_parent", "os.kill"), ("socket", "import socket"),
])
def test_process_signal_and_network_calls_are_blocked(verdicts, name, event):
    v = verdicts[name]
    assert not v.visible_pass and not v.hidden_pass
    assert v.error == f"blocked: {event}"


def test_low_level_socket_module_is_blocked_too():
    # Neither `socket` nor `_socket` can be imported; were one loaded, the audit hook would
    # still refuse to create the socket.
    v = grade(TASK, "import _socket\n_socket.socket()\n" + CORRECT, FAST)
    assert not v.hidden_pass and v.error == "blocked: import _socket"


def test_writing_outside_scratch_is_blocked(verdicts, outside_file):
    v = verdicts["write_outside"]
    assert not v.visible_pass and not v.hidden_pass
    assert v.error == "blocked: open"
    assert not outside_file.exists()


def test_writing_inside_scratch_is_allowed(verdicts):
    assert verdicts["write_scratch"] == Verdict(True, True, None, False)


def test_printing_a_megabyte_still_grades(verdicts):
    assert verdicts["print_1mb"] == Verdict(True, True, None, False)


@pytest.mark.parametrize("name", ["close_std_fds", "overwrite_std_fds"])
def test_tampering_with_std_fds_still_grades(verdicts, name):
    assert verdicts[name] == Verdict(True, True, None, False)


@pytest.mark.skipif(os.geteuid() != 0, reason="privileges are dropped only when running as root")
def test_solutions_run_unprivileged_when_root():
    task = {"fn": "f", "visible": [], "hidden": [[0, True]]}
    v = grade(task, "import os\ndef f(x):\n    return os.getuid() != 0 and os.geteuid() != 0\n", FAST)
    assert v.hidden_pass


@pytest.mark.skipif(os.geteuid() != 0 or not os.path.isdir("/proc"),
                    reason="sandboxed processes are recognisable by uid only when running as root")
def test_no_sandboxed_process_outlives_grading():
    limits = SandboxLimits(wall_seconds=0.5)
    # setsid() leaves the worker's process group, so killing the group would not reach it.
    grade(TASK, "import os, time\nos.setsid()\ntime.sleep(60)\n", limits)
    sandbox_uids = set(limits.uids)
    leftovers = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/status") as fh:
                uid = next(int(line.split()[1]) for line in fh if line.startswith("Uid:"))
        except (OSError, StopIteration):
            continue
        if uid in sandbox_uids:
            leftovers.append(pid)
    assert leftovers == []


# --------------------------------------------------------------------------- batch API
def test_grade_many_returns_verdicts_in_job_order():
    kinds = [  # (solution, visible_pass, hidden_pass)
        (CORRECT, True, True),
        (SOLUTIONS["lookup"], True, False),
        (SOLUTIONS["wrong"], False, False),
        (SOLUTIONS["fork_bomb"], False, False),
        (SOLUTIONS["sys_exit"], True, False),
    ]
    jobs = [kinds[i % len(kinds)] for i in range(50)]
    got = grade_many([(TASK, sol) for sol, _, _ in jobs], FAST)
    assert [(v.visible_pass, v.hidden_pass) for v in got] == [(vp, hp) for _, vp, hp in jobs]


def test_grade_many_of_nothing_is_empty():
    assert grade_many([]) == []


def test_overall_timeout_returns_failed_verdicts_without_hanging():
    start = time.monotonic()
    limits = SandboxLimits(wall_seconds=30, cpu_seconds=30, overall_timeout=0.5)
    (v,) = grade_many([(TASK, "import time\ntime.sleep(60)\n")], limits)
    assert time.monotonic() - start < 10
    assert not v.visible_pass and not v.hidden_pass
    assert "overall timeout" in v.error


def test_task_values_may_be_tuples():
    task = {"fn": "f", "visible": [(1, 8)], "hidden": [(3, 12)]}  # as tasks.Task.to_dict gives them
    assert grade(task, CORRECT, FAST) == Verdict(True, True, None, False)


def test_malformed_task_raises_task_error_naming_the_field():
    with pytest.raises(TaskError, match="hidden"):
        grade({"fn": "f", "visible": [[1, 8]]}, CORRECT)


def test_function_name_must_be_an_identifier():
    with pytest.raises(TaskError, match="fn"):
        grade({"fn": "f(1) or exit(0) #", "visible": [], "hidden": [[1, 8]]}, CORRECT)


def test_verdict_is_frozen_and_serialisable():
    v = Verdict(True, False, "hidden: f(3) returned 0, expected 12", False, "bwrap")
    assert v.to_dict() == {"visible_pass": True, "hidden_pass": False,
                           "error": "hidden: f(3) returned 0, expected 12", "timeout": False,
                           "boundary": "bwrap"}
    with pytest.raises(FrozenInstanceError):
        v.visible_pass = False
