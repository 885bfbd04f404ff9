"""Hostile solutions (tests/sandbox/hostile.py) against the kernel boundary.

Each class of attack is graded inside every kernel boundary this host offers (one batch per
boundary, bystanders in between), asserting its verdict and the absence of its side effect on
the host; then, without a kernel boundary, the attacks that only the kernel stops are shown to
succeed, which proves that they (and DISARM) really attack.
"""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import uuid

import pytest

from tests.sandbox.hostile import (BYSTANDER, BYSTANDER_TASK, CASES, FRESH_PYTHON, REPO_FILE,
                                   World)
from trainaway.sandbox import (BOUNDARY_ENV, MIB, BoundaryUnavailable, SandboxLimits, boundary,
                               grade_many)

LIMITS = dict(wall_seconds=2.0, cpu_seconds=1, memory_bytes=256 * MIB, scratch_bytes=4 * MIB)
CANARY_CASES = {"exec_shell", "fresh_interpreter", "os_system", "posix_spawn", "subprocess",
                "write_outside"}
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="per-slot uids need root")


def require(mode):
    """Skip where `mode` is unavailable; fail instead where the environment requires the
    kernel boundary (as .ci/run does), so that a broken boundary cannot pass as a skip."""
    if os.geteuid() != 0:
        pytest.skip("the root boundaries need root")
    try:
        boundary(mode)
    except BoundaryUnavailable as e:
        (pytest.fail if os.environ.get(BOUNDARY_ENV) == "require" else pytest.skip)(str(e))


@pytest.fixture(scope="module")
def world():
    """A canary directory (world-writable, as /tmp is), an answer key, a listening socket and
    a sleeping process, all on the host; removed afterwards."""
    base = tempfile.mkdtemp(prefix="trainaway-hostile-")
    os.chmod(base, 0o755)
    canary = os.path.join(base, "canary")
    os.mkdir(canary)
    os.chmod(canary, 0o777)
    secret = f"answer-{uuid.uuid4().hex}"
    key_file = os.path.join(base, "answer_key.json")
    ear = socket.socket()
    ear.bind(("127.0.0.1", 0))
    ear.listen()
    ear.setblocking(False)
    sleeper = subprocess.Popen(["sleep", "300"])
    w = World(canary, key_file, secret, ear.getsockname()[1], sleeper.pid, os.path.expanduser("~"))
    with open(key_file, "w") as fh:
        json.dump(w.key_task, fh)
    os.chmod(key_file, 0o644)
    yield w, ear, sleeper
    sleeper.kill()
    sleeper.wait()
    ear.close()
    shutil.rmtree(base)


def connections(ear) -> int:
    """How many connections reached the host's listening socket (accepting them all)."""
    n = 0
    while True:
        try:
            ear.accept()[0].close()
        except BlockingIOError:
            return n
        n += 1


def grade_all(w, cases, mode):
    """Grade `cases` in one batch, a bystander after each, with a secret in our environment."""
    jobs = []
    for case in cases:
        jobs += [(case.task_for(w), case.solution(w)), (BYSTANDER_TASK, BYSTANDER)]
    os.environ["TRAINAWAY_TEST_SECRET"] = w.secret
    try:
        verdicts = grade_many(jobs, SandboxLimits(boundary=mode, **LIMITS))
    finally:
        del os.environ["TRAINAWAY_TEST_SECRET"]
    return dict(zip([c.name for c in cases], verdicts[::2])), verdicts[1::2]


@pytest.fixture(scope="module", params=["bwrap", "unshare"])
def graded(request, world):
    require(request.param)
    w, ear, sleeper = world
    verdicts, bystanders = grade_all(w, CASES, request.param)
    yield verdicts, bystanders, request.param, {
        "canary": sorted(os.listdir(w.canary)), "connections": connections(ear),
        "sleeper_alive": sleeper.poll() is None}
    for name in os.listdir(w.canary):
        os.remove(os.path.join(w.canary, name))


@needs_root
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_solution_fails_only_its_own_grade(graded, case):
    verdicts, _, mode, host = graded
    v = verdicts[case.name]
    assert v.boundary == mode
    assert case.holds(v), f"{case.kind}/{case.name}: {v}"
    assert case.name not in host["canary"], f"{case.name} wrote outside its scratch"


@needs_root
def test_bystanders_in_the_same_batch_are_graded_normally(graded):
    """Every other grade survives: same verdict as alone, scratch empty when it starts."""
    _, bystanders, _, _ = graded
    assert [(v.visible_pass, v.hidden_pass, v.error) for v in bystanders] == \
        [(True, True, None)] * len(bystanders)


@needs_root
def test_nothing_reached_the_host(graded):
    _, _, _, host = graded
    assert host == {"canary": [], "connections": 0, "sleeper_alive": True}


def test_there_are_at_least_twenty_classes_of_attack():
    assert len({c.name for c in CASES}) >= 20
    assert {c.kind for c in CASES} >= {"resources", "processes", "files", "network",
                                       "environment", "signals", "output", "exits",
                                       "comparisons", "answer key", "tampering"}


# ------------------------------------------------- without the kernel boundary they succeed
TEETH = ["exec_shell", "fresh_interpreter", "loopback_and_dns", "write_outside", "read_repository",
         "cwd_escape",
         "symlink_escape", "read_answer_key"]


@needs_root
@pytest.mark.skipif(not os.path.exists(FRESH_PYTHON), reason=f"needs {FRESH_PYTHON}")
def test_without_the_kernel_boundary_the_same_attacks_succeed(world):
    """In-process guards alone: DISARM switches them off and the attacks reach the host."""
    w, ear, _ = world
    verdicts, bystanders = grade_all(w, [c for c in CASES if c.name in TEETH], "none")
    reached = connections(ear)
    written = sorted(os.listdir(w.canary))
    for name in written:
        os.remove(os.path.join(w.canary, name))
    assert written == ["exec_shell", "fresh_interpreter", "write_outside"]
    assert reached == 2  # the visible and the hidden check both connected
    assert all(v.boundary == "none" for v in verdicts.values())
    assert "reached the host" in verdicts["loopback_and_dns"].error
    assert "read the repository" in verdicts["fresh_interpreter"].error
    for name in ("read_repository", "cwd_escape", "symlink_escape"):
        assert "returned 'got: " in verdicts[name].error.replace('"', "'"), name
    assert verdicts["read_answer_key"].hidden_pass  # it read the key: a hidden pass
    assert all(v.hidden_pass for v in bystanders)


# ----------------------------------------------------------- without root: a user namespace
USERNS_SCRIPT = """
import json, sys
sys.path.insert(0, sys.argv[1])
from tests.sandbox.hostile import CASES, World
from trainaway.sandbox import MIB, SandboxLimits, grade_many
w = World(*json.loads(sys.argv[2]))
names = json.loads(sys.argv[3])
cases = [c for c in CASES if c.name in names]
limits = SandboxLimits(wall_seconds=2.0, cpu_seconds=1, memory_bytes=256 * MIB, boundary="require")
out = grade_many([(c.task_for(w), c.solution(w)) for c in cases], limits)
print(json.dumps({c.name: [v.boundary, c.holds(v), v.error] for c, v in zip(cases, out)}))
"""
USERNS_CASES = ["fork", "threads", "write_outside", "read_repository", "read_answer_key",
                "loopback_and_dns", "cwd_escape", "symlink_escape", "kill_host_process"]


@needs_root  # to become an unprivileged user
@pytest.mark.skipif(not (os.path.exists(FRESH_PYTHON) and shutil.which("setpriv")),
                    reason=f"needs {FRESH_PYTHON} and setpriv")
def test_an_unprivileged_user_gets_the_boundary_in_a_user_namespace(world):
    w, ear, sleeper = world
    repo = os.path.dirname(os.path.dirname(os.path.dirname(REPO_FILE)))
    argv = ["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", FRESH_PYTHON,
            "-c", USERNS_SCRIPT, repo, json.dumps(list(w.__dict__.values())),
            json.dumps(USERNS_CASES)]
    env = {"PATH": os.defpath, "HOME": "/nonexistent", "LC_ALL": "C.UTF-8"}
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd="/", env=env)
    if "BoundaryUnavailable" in proc.stderr or "Permission denied" in proc.stderr:
        pytest.skip(f"no user namespace (or checkout unreadable) for uid 65534: "
                    f"{proc.stderr.strip().splitlines()[-1]}")
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert {name: (b.endswith("-userns"), ok) for name, (b, ok, _) in got.items()} == \
        {name: (True, True) for name in USERNS_CASES}, got
    assert os.listdir(w.canary) == [] and sleeper.poll() is None and connections(ear) == 0
