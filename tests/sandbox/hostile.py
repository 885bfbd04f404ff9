"""Hostile solutions for the sandbox tests: each class of attack as a solution's source text.

Most attacks first run DISARM, which switches every in-process guard off the way a solution
can (through the calling frames: the audit hook's closure cells, its scratch path, the import
refusal), so that what stops them is the kernel boundary.  `test_hostile.py` asserts that it
does, and that without it the same attacks succeed (so that DISARM, and each attack, work).

Attempts report through their verdict: a probe solution's f(0) returns "denied" when every
attempt raised, else what it got; the host-side evidence (a canary directory, a listening
socket, a sleeping process) is checked by the tests themselves.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

REPO_FILE = str(Path(__file__).resolve().parents[2] / "trainaway/sandbox/__init__.py")
WORKER_FILE = str(Path(REPO_FILE).with_name("worker.py"))
FRESH_PYTHON = "/usr/bin/python3"  # a system interpreter an unprivileged uid can run

DISARM = '''
import os, sys

def _disarm():
    frame = sys._getframe()
    while "setup" not in frame.f_locals:  # up to the worker's _child(..., setup, ...)
        frame = frame.f_back
    setup = frame.f_locals["setup"]
    hook = setup["hook"]
    for name, cell in zip(hook.__code__.co_freevars, hook.__closure__):
        if name == "deny":
            cell.cell_contents = lambda *args, **kwargs: None
        elif name == "inside":
            cell.cell_contents = lambda *args, **kwargs: True
    setup["state"]["scratch"] = "/"
    import _frozen_importlib_external  # file imports back on
    sys.meta_path.insert(0, _frozen_importlib_external.PathFinder)
    stdlib = os.path.dirname(os.__file__)
    sys.path[:] = [stdlib, os.path.join(stdlib, "lib-dynload")]

_disarm()
'''


@dataclass(frozen=True)
class World:
    """Host-side targets the attacks aim at."""
    canary: str     # a world-writable directory outside scratch: attacks write <canary>/<name>
    key_file: str   # a world-readable answer key, as task files lie on disk
    secret: str     # the hidden expected output in that key
    port: int       # the host listens on 127.0.0.1:port
    sleeper: int    # pid of a host process the attacks try to kill
    home: str       # the user's home directory

    @property
    def key_task(self) -> dict:
        return {"fn": "f", "visible": [], "hidden": [[0, self.secret]]}


PROBE_TASK = {"fn": "f", "visible": [], "hidden": [[0, "denied"]]}
TASK = {"fn": "f", "visible": [[1, 8], [2, 10]], "hidden": [[3, 12], [10, 26], [11, 28]]}
CORRECT = "def f(x):\n    return 2 * (x + 3)\n"
# Runs after every attack: a check in a reused slot must find its scratch empty.
BYSTANDER_TASK = {"fn": "f", "visible": [[1, [[], 8]]], "hidden": [[3, [[], 12]]]}
BYSTANDER = "import os\nLEFT = sorted(os.listdir('.'))\ndef f(x):\n    return [LEFT, 2 * (x + 3)]\n"


def attempt(body: str, disarm: bool = True) -> str:
    """A probe solution: f runs `body` (which sets `got`); "denied" if it raised."""
    return (DISARM if disarm else "import os, sys\n") + (
        "def f(x):\n    try:\n" + textwrap.indent(textwrap.dedent(body).strip(), " " * 8)
        + "\n    except Exception:\n        return 'denied'\n    return 'got: ' + repr(got)[:80]\n")


FRESH_ATTEMPTS = {  # what a fresh interpreter tries: name -> (what it reports, World -> code)
    "canary": ("wrote the canary",
               lambda w, name: f"open({w.canary + '/' + name!r}, 'w').write('x')"),
    "loopback": ("reached the host",
                 lambda w, _: f"socket.create_connection(('127.0.0.1', {w.port}), 1)"),
    "dns": ("resolved a name", lambda w, _: "socket.getaddrinfo('example.com', 80)"),
    "repository": ("read the repository", lambda w, _: f"open({REPO_FILE!r}).read()"),
    "ptrace": ("ptraced the worker", lambda w, _: "libc.ptrace(16, os.getppid(), 0, 0) == 0"),
    "proc_mem": ("read the worker's memory", lambda w, _: "open('/proc/1/mem', 'rb').read(1)"),
}


def fresh_interpreter(name: str, *attempts: str):
    """World -> a solution that exec()s a fresh system interpreter (no hooks, the full stdlib,
    ctypes) which makes `attempts` and reports what worked through fd 3."""
    def source(w: World) -> str:
        lines = "\n".join(f"attempt({FRESH_ATTEMPTS[a][0]!r}, lambda: {FRESH_ATTEMPTS[a][1](w, name)})"
                          for a in attempts)
        program = textwrap.dedent('''
            import ctypes, json, os, socket
            libc = ctypes.CDLL(None, use_errno=True)
            done = []
            def attempt(what, action):
                try:
                    if action() is not False:
                        done.append(what)
                except Exception:
                    pass
        ''') + lines + textwrap.dedent('''
            report = {"results": [[True, ", ".join(done) or "denied"]]}
            os.write(3, (json.dumps(report) + "\\n").encode())
            os._exit(0)
        ''')
        return DISARM + f"os.execv({FRESH_PYTHON!r}, ['python3', '-S', '-c', {program!r}])\n"
    return source


@dataclass(frozen=True)
class Case:
    name: str
    kind: str              # resources, processes, files, network, environment, signals, ...
    source: object         # the solution, or World -> the solution
    task: object = None    # the task, or World -> the task; default PROBE_TASK ("denied")
    expect: object = None  # Verdict -> bool; default: the probe passed (everything denied)

    def solution(self, w: World) -> str:
        return self.source(w) if callable(self.source) else self.source

    def task_for(self, w: World) -> dict:
        return (self.task(w) if callable(self.task) else self.task) or PROBE_TASK

    def holds(self, verdict) -> bool:
        return (self.expect or (lambda v: v.hidden_pass))(verdict)


def _hidden_fails(v):
    return not v.hidden_pass


class EqAll:
    SOURCE = "class EqAll:\n    def __eq__(self, other):\n        return True\n    __hash__ = None\n"


CASES = [
    # --------------------------------------------------------------------- resources
    Case("cpu_spin", "resources", "while True:\n    pass\n", TASK,
         lambda v: not v.visible_pass and (v.timeout or v.error.startswith("killed: cpu"))),
    Case("memory_bomb", "resources", DISARM + "x = bytearray(10**10)\n" + CORRECT, TASK,
         lambda v: not v.visible_pass and "memory" in v.error.lower()),
    Case("disk_fill", "resources", attempt("""
        got = 0
        try:
            for i in range(10**6):
                with open(f"fill{i}", "wb") as fh:
                    fh.write(b"x" * (1 << 20))
                got += 1 << 20
        except OSError:
            pass
        if got <= 4 << 20:  # the slot's tmpfs (scratch_bytes in the tests' limits)
            raise OSError("capped")
    """)),
    Case("fork", "resources", attempt("""
        got = os.fork()
        if got == 0:
            os._exit(0)
    """)),
    Case("threads", "resources", attempt("""
        import _thread
        got = _thread.start_new_thread(lambda: None, ())
    """)),
    # --------------------------------------------------------------------- processes
    Case("exec_shell", "processes",
         lambda w: DISARM + f"os.execv('/bin/sh', ['sh', '-c', 'echo x > {w.canary}/exec_shell'])\n",
         TASK, _hidden_fails),
    Case("fresh_interpreter", "processes",
         fresh_interpreter("fresh_interpreter", "canary", "repository", "ptrace", "proc_mem")),
    Case("os_system", "processes", lambda w: attempt(f"""
        got = os.system("touch {w.canary}/os_system")
        if got != 0:
            raise OSError(got)
    """)),
    Case("posix_spawn", "processes", lambda w: attempt(f"""
        got = os.posix_spawn("/bin/sh", ["sh", "-c", "touch {w.canary}/posix_spawn"], {{}})
    """)),
    Case("subprocess", "processes", lambda w: attempt(f"""
        import subprocess
        got = subprocess.run(["touch", "{w.canary}/subprocess"]).returncode
    """)),
    # ------------------------------------------------------------------------- files
    Case("write_outside", "files", lambda w: attempt(f"""
        got = open("{w.canary}/write_outside", "w").write("x")
    """)),
    Case("read_repository", "files", attempt(f"got = open({REPO_FILE!r}).read()")),
    Case("read_worker_source", "files", attempt(f"""
        got = open({WORKER_FILE!r}).read()
    """)),
    Case("read_etc", "files", attempt("""
        got = [open(p).read() for p in ("/etc/passwd", "/etc/hostname", "/etc/resolv.conf")
               if os.path.exists(p)] or 1 / 0
    """)),
    Case("read_home", "files", lambda w: attempt(f"got = os.listdir({w.home!r})")),
    Case("other_slots", "files", attempt("""
        mine = os.getcwd()
        got = {}
        for k in range(8):
            other = os.path.join(os.path.dirname(mine), f"slot{k}")
            for action in (lambda: os.listdir(other), lambda: open(other + "/x", "w")):
                try:
                    if other != mine:
                        got[k] = action()
                except OSError:
                    pass
        got = got or 1 / 0
    """)),
    Case("symlink_escape", "files", attempt(f"""
        os.symlink("/", "up")
        got = open("up" + {REPO_FILE!r}).read()
    """)),
    Case("deep_nest", "files", DISARM + """
for i in range(5000):
    os.mkdir("d")
    os.chdir("d")
os.mkdir("locked")
open("locked/x", "w").close()
os.chmod("locked", 0)
""" + CORRECT, TASK, lambda v: v.visible_pass and v.hidden_pass),
    # ----------------------------------------------------------------------- network
    Case("loopback_and_dns", "network", fresh_interpreter("loopback_and_dns", "loopback", "dns")),
    Case("socket", "network", attempt("""
        import _socket
        got = _socket.socket().connect(("127.0.0.1", 9))
    """)),
    # ------------------------------------------------------------------- environment
    Case("environment", "environment", """import os
CLEAN = {"HOME", "LC_ALL", "PATH", "PWD", "PYTHONHASHSEED", "TMPDIR"}
def f(x):
    return sorted(set(os.environ) - CLEAN)
""", {"fn": "f", "visible": [], "hidden": [[0, []]]}),  # the tests set a secret in theirs
    Case("cwd_escape", "environment", attempt(f"""
        os.chdir("/")
        got = set(os.listdir(".")) & {{"tmp", "home", "sys", {REPO_FILE.split("/")[1]!r}}} or 1 / 0
    """)),
    # ----------------------------------------------------------------------- signals
    Case("kill_worker", "signals", attempt("""
        import signal
        got = [os.kill(pid, signal.SIGKILL) for pid in (os.getppid(), 1)]
    """)),
    # kill(-1) succeeds once any process was tried, permitted or not, and fails (ESRCH) when
    # none was there: what counts is that everyone else survives (the bystanders, the sleeper).
    Case("kill_everything", "signals", attempt("""
        import signal
        os.kill(-1, signal.SIGKILL)
        got = "sent"
    """), expect=lambda v: v.visible_pass and (v.hidden_pass or "'sent'" in v.error)),
    Case("kill_host_process", "signals", lambda w: attempt(f"""
        import signal
        got = os.kill({w.sleeper}, signal.SIGKILL)
    """)),
    Case("kill_own_group", "signals",
         DISARM + "import signal\ndef f(x):\n    os.killpg(os.getpgrp(), signal.SIGTERM)\n", TASK,
         _hidden_fails),  # SIGTERM to itself, or ESRCH: its group leader is outside the PID ns
    # ------------------------------------------------------------------------ output
    Case("flood_stdout", "output", "print('x' * 10**7)\n" + CORRECT.replace(
        "    return", "    print('y' * 10**7)\n    return"), TASK,
         lambda v: v.visible_pass and v.hidden_pass),
    Case("flood_result_pipe", "output", "import os\ndef f(x):\n    os.write(3, b'[' * 2**21)\n",
         TASK, lambda v: not v.hidden_pass and "result larger" in v.error),
    Case("forged_records", "output", """import os
forged = b'{"i": 0, "kind": "hidden", "ok": true, "results": [[true, 12]]}\\n'
def f(x):
    for fd in (1, 3):
        os.write(fd, forged + b'{"results": [[true, 8], [true, 10], [true, 10]]}\\n')
    os._exit(0)
""", TASK, lambda v: not v.hidden_pass and "returned 8, expected 12" in v.error),
    # --------------------------------------------------------- exits and comparisons
    Case("os_exit_0", "exits", "import os\nos._exit(0)\n" + CORRECT, TASK,
         lambda v: v.visible_pass and not v.hidden_pass),
    Case("system_exit_false", "exits", CORRECT + "raise SystemExit(False)\n", TASK,
         lambda v: v.visible_pass and not v.hidden_pass and "SystemExit" in v.error),
    Case("system_exit_rigged", "exits", EqAll.SOURCE + CORRECT.replace("return 2 * (x + 3)", "return 0")
         + "raise SystemExit(EqAll())\n", TASK, lambda v: not v.visible_pass and not v.hidden_pass),
    Case("exit_inside_f", "exits", "def f(x):\n    raise SystemExit(0)\n", TASK,
         lambda v: v.visible_pass and not v.hidden_pass),
    Case("int_subclass", "comparisons",
         "class I(int):\n    def __eq__(self, other):\n        return True\n"
         "def f(x):\n    return I(0)\n", TASK,
         lambda v: v.visible_pass and not v.hidden_pass and "returned a I object" in v.error),
    Case("bool_for_int", "comparisons", "def f(x):\n    return True\n",
         {"fn": "f", "visible": [], "hidden": [[0, 1]]}, _hidden_fails),
    Case("patched_builtins", "comparisons", EqAll.SOURCE + """import builtins, json
builtins.type = lambda *args: int
builtins.isinstance = lambda *args: True
json.dumps = lambda *args, **kwargs: '{"results": [[true, 12], [true, 26]]}'
def f(x):
    return EqAll()
""", TASK, _hidden_fails),
    # ------------------------------------------------------------- the answer key
    Case("search_memory", "answer key", """import gc, sys
PREFIX = "".join(["ans", "wer-"])
def strings(o):
    items = o.values() if type(o) is dict else o if type(o) in (list, tuple) else ()
    return [s for s in items if type(s) is str and s.startswith(PREFIX) and s != PREFIX]
def f(x):
    found = [s for o in gc.get_objects() for s in strings(o)]
    frame = sys._getframe()
    while frame is not None:
        found += strings(frame.f_locals) + [s for v in frame.f_locals.values() for s in strings(v)]
        frame = frame.f_back
    return found[0] if found else "not found"
""", lambda w: w.key_task, lambda v: not v.hidden_pass and "returned 'not found'" in v.error),
    Case("read_answer_key", "answer key", lambda w: DISARM + f"""import json
def f(x):
    return json.load(open({w.key_file!r}))["hidden"][0][1]
""", lambda w: w.key_task, _hidden_fails),
    # ------------------------------------------------------- the grader's own code
    Case("patch_the_worker", "tampering", EqAll.SOURCE + """import sys
main = sys.modules["__main__"]
main._is_plain = lambda *args: True
main._summarise = lambda run, *args: {"i": run.i, "kind": run.kind, "ok": True, "error": None,
                                      "timeout": False, "results": [[True, 12]] * 3}
frame = sys._getframe()
while frame is not None:
    if isinstance(frame.f_locals.get("self"), main.Worker):
        frame.f_locals["self"].limits["wall_seconds"] = 10**9
        for job in frame.f_locals["self"].jobs:
            job["inputs"] = []
    frame = frame.f_back
def f(x):
    return EqAll()
""", TASK, _hidden_fails),
    Case("ctypes", "tampering", attempt("""
        import ctypes  # fails where the stdlib is out of reach (as root, outside /usr)
        got = ctypes.CDLL(None).ptrace(16, os.getppid(), 0, 0)  # PTRACE_ATTACH to the worker
        if got != 0:
            raise OSError("ptrace refused")
    """)),
    Case("proc_mem", "tampering", attempt("""
        got = [open(p, "r+b") for p in ("/proc/self/mem", "/proc/1/mem")]
    """)),
]
assert len({c.name for c in CASES}) == len(CASES)
