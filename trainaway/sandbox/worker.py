"""Sandbox worker: runs untrusted Python in forked, limited children.  Standard library only.

Started by `trainaway.sandbox.grade_many` as `python -s -S -B -c <this file's text>` (so
that the file itself need not be reachable: inside the kernel boundary it is not), with a
clean environment, in its scratch root: /scratch inside the boundary's view (see
namespaces.py), a fresh temporary directory without one.  Protocol:

* stdin (read to EOF): one JSON object ``{"limits": {...}, "drop": bool, "slots": int,
  "jobs": [{"script": str, "solution": str, "fn": str, "inputs": [...]}]}``; ``drop``: give
  each slot its own unprivileged uid (running as real root); ``slots``: children at once.
  ``script`` is the naive visible-test script, ``inputs`` the hidden inputs.  The hidden
  *expected* outputs never reach this process, so untrusted code cannot read them.
* stdout: one JSON line per finished check, in completion order:
  ``{"i": job, "kind": "visible"|"hidden", "ok": bool, "error": str|None, "timeout": bool,
  "results": [...]}`` (``results`` for hidden checks only).

For every check the worker forks a child that drops privileges, applies rlimits, installs an
audit hook and runs the code; the worker keeps up to ``parallel`` children in flight and
SIGKILLs any child that outlives its wall-clock deadline.  Security notes: in this package's
__init__.py.
"""
import os  # frozen, like sys: neither can be shadowed by a file
import sys

# `-c` puts the cwd (the scratch root) first on sys.path: nothing may be imported from there.
if sys.path and sys.path[0] == "":
    del sys.path[0]

import _signal  # noqa: E402  (imports after the sys.path fix on purpose)
import builtins
import gc
import json
import math
import resource
import select
import shutil
import signal
import stat
import time
from collections import deque

try:  # `exit()`/`quit()` normally come from site.py, which -S skips; solutions use them to hack.
    import _sitebuiltins
    builtins.exit = _sitebuiltins.Quitter("exit", "Ctrl-D (i.e. EOF)")
    builtins.quit = _sitebuiltins.Quitter("quit", "Ctrl-D (i.e. EOF)")
except ImportError:  # pragma: no cover - every CPython has it
    pass

# The modules a solution may import.  They are imported here, once, before any fork: children
# run as an unprivileged uid that may not be able to read the interpreter's files at all (e.g.
# pyenv under /root), and file-based imports are switched off in the child (see _child), so the
# set is the same on every host.  Importing anything else fails with "blocked: import NAME".
# Deliberately absent: subprocess, socket, ctypes, multiprocessing, threading (whose at-fork
# hook alone would add ~0.3 ms to every fork).
PRELOAD = """abc array base64 binascii bisect calendar cmath collections collections.abc contextlib
copy dataclasses datetime decimal enum fnmatch fractions functools heapq io itertools json
keyword math numbers operator os pathlib pprint random re shutil signal statistics string
struct sys tempfile textwrap time traceback types typing unicodedata warnings weakref zlib""".split()
for _name in PRELOAD:
    try:
        __import__(_name)
    except ImportError:  # pragma: no cover - a stripped-down Python; solutions just can't use it
        pass
del _name

RESULT_FD = 3           # in the child: the only fd besides 0-2 (which point at /dev/null)
SETUP_FAILED = 70       # child exit status when the sandbox itself could not be set up
MAX_ERROR = 300         # error strings are truncated to this many characters

# Audit events that are refused outright, and prefixes of event families refused as a whole.
ALWAYS_BLOCKED = frozenset({
    "os.fork", "os.forkpty", "os.posix_spawn", "os.exec", "os.spawn", "os.system", "os.startfile",
    "subprocess.Popen", "pty.spawn", "os.kill", "os.killpg", "os.link", "os.symlink",
    "resource.setrlimit", "resource.prlimit",
})
BLOCKED_PREFIXES = ("socket.", "ctypes.", "winreg.", "_winapi.", "msvcrt.")
# Filesystem-changing events: event -> ((path argument index, its dir_fd argument index), ...).
# Every such path must resolve inside the child's scratch directory.
FS_EVENTS = {
    "os.remove": ((0, 1),), "os.rmdir": ((0, 1),), "os.mkdir": ((0, 2),),
    "os.chmod": ((0, 2),), "os.chown": ((0, 3),), "os.rename": ((0, 2), (1, 3)),
    "os.utime": ((0, 3),), "os.truncate": ((0, None),), "os.chdir": ((0, None),),
    "os.chflags": ((0, None),), "os.setxattr": ((0, None),), "os.removexattr": ((0, None),),
    "shutil.rmtree": ((0, 1),), "shutil.copyfile": ((1, None),), "shutil.copymode": ((1, None),),
    "shutil.copystat": ((1, None),), "shutil.copytree": ((1, None),),
    "shutil.move": ((0, None), (1, None)), "shutil.chown": ((0, None),),
    "shutil.make_archive": ((0, None),), "shutil.unpack_archive": ((1, None),),
}
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC


# --------------------------------------------------------------------------- the child side
def _write_all(fd, data):
    try:
        while data:
            data = data[os.write(fd, data):]
    except OSError:
        pass  # the solution closed or broke our pipe: it only loses its own grade


def _send(record):
    _write_all(RESULT_FD, (json.dumps(record) + "\n").encode())


def _make_guards(max_files):
    """(audit hook, import finder, state) for the children; built once, before any fork.

    The hook refuses process creation, signals, network, ctypes and writes outside the scratch
    directory (``state["scratch"]``, set by each child); the finder refuses every import that is
    not already loaded (see PRELOAD).

    Every helper is bound now, before untrusted code runs, so that rebinding module attributes
    later does not silently change what the hook calls.  (A determined solution can still patch
    stdlib internals; the OS-level limits are the real boundary, this is defence in depth.)
    """
    getcwd, readlink, stat_, fsdecode = os.getcwd, os.readlink, os.stat, os.fsdecode
    join, realpath, s_isdir, sep = os.path.join, os.path.realpath, stat.S_ISDIR, os.sep
    send, str_, bytes_, int_, type_ = _send, str, bytes, int, type
    state = {"blocked": None, "writes": 0, "scratch": None}

    def deny(what, error=PermissionError):
        if state["blocked"] is None:
            state["blocked"] = what
            send({"blocked": what})  # reported even if the solution swallows the exception
        raise error(f"sandbox: {what} is blocked")

    def resolve(path, dir_fd=None):
        """Absolute, symlink-free form of `path`, or None when it cannot be judged safely."""
        if type_(path) is bytes_:
            path = fsdecode(path)
        if type_(path) is not str_ or "\0" in path:
            return None
        try:
            base = getcwd() if dir_fd is None or dir_fd == -1 else readlink(f"/proc/self/fd/{dir_fd}")
            return realpath(join(base, path))
        except (OSError, TypeError, ValueError):
            return None

    def inside(path, dir_fd=None):
        full, scratch = resolve(path, dir_fd), state["scratch"]
        return full is not None and (full == scratch or full.startswith(scratch + sep))

    def check_open(event, args):
        path, mode, flags = (tuple(args) + (None, None, None))[:3]
        writing = type_(flags) is not int_ or bool(flags & WRITE_FLAGS)
        if type_(mode) is str_:
            writing = writing or any(c in mode for c in "wax+")
        if type_(path) is int_:
            return  # re-opening an inherited fd: only /dev/null and our own pipe are open
        low_level = mode is None  # os.open: it may carry a dir_fd that the event does not show
        if writing:
            if not inside(path) or (low_level and ".." in str_(path)):
                deny(event)
            state["writes"] += 1
            if state["writes"] > max_files:
                deny(f"{event} (more than {max_files} files written)")
        elif low_level and not inside(path):
            # Reading is allowed, but a directory fd outside scratch would let a later
            # os.open(..., dir_fd=fd) write where the event cannot show it.
            full = resolve(path)
            try:
                is_dir = full is None or s_isdir(stat_(full).st_mode)
            except OSError:
                is_dir = False
            if is_dir:
                deny(f"{event} (directory outside scratch)")

    def hook(event, args):
        if event in ALWAYS_BLOCKED or event.startswith(BLOCKED_PREFIXES):
            deny(event)
        elif event == "open":
            check_open(event, args)
        elif event in FS_EVENTS:
            for p, d in FS_EVENTS[event]:
                path = args[p] if p < len(args) else None
                dir_fd = args[d] if d is not None and d < len(args) else None
                if path is None:
                    continue  # e.g. unpack_archive into the current directory
                if event == "os.truncate" and type_(path) is int_:
                    continue  # ftruncate needs an fd opened for writing, i.e. inside scratch
                if dir_fd is not None and type_(dir_fd) is not int_:
                    deny(event)
                if not inside(path, dir_fd):
                    deny(event)
        elif event.startswith("shutil."):  # a shutil operation this table does not know
            deny(event)

    class RefuseImports:
        """Last meta-path finder: nothing is loaded from files inside the sandbox."""
        @staticmethod
        def find_spec(name, path=None, target=None):
            deny(f"import {name}", ModuleNotFoundError)

    return hook, RefuseImports, state


def _describe(exc, source=""):
    """Short 'Type: message' for an exception raised by untrusted code (may itself misbehave)."""
    try:
        name = type(exc).__name__
        if isinstance(exc, MemoryError):
            return "killed: memory (MemoryError)"
        try:
            msg = str(exc)
        except BaseException:
            msg = ""
        if not msg and source:  # a bare `assert` failing: show which test line it was
            tb, line = exc.__traceback__, None
            while tb is not None:
                if tb.tb_frame.f_code.co_filename == "<solution>":
                    line = tb.tb_lineno
                tb = tb.tb_next
            lines = source.splitlines()
            if line is not None and 0 < line <= len(lines):
                msg = lines[line - 1].strip()
        return (f"{name}: {msg}" if msg else name)[:MAX_ERROR]
    except BaseException:
        return "exception"


def _is_plain(value, depth=0):
    """True for JSON-like data built only from exact builtin types (no subclasses, no __eq__)."""
    t = type(value)
    if t in (int, str, bool, float, type(None)):
        return True
    if depth > 20:
        return False
    if t is list:
        return all(_is_plain(v, depth + 1) for v in value)
    if t is dict:
        return all(type(k) is str and _is_plain(v, depth + 1) for k, v in value.items())
    return False


def _run_visible(job):
    """The naive runner: exec the script; exit status 0 iff it ends normally or exits with 0."""
    script = job["script"]
    try:
        exec(compile(script, "<solution>", "exec"), {"__name__": "__main__", "__builtins__": builtins})
    except SystemExit as e:
        code = e.code
        if code is None or (type(code) in (int, bool) and code == 0):
            os._exit(0)
        _send({"error": f"SystemExit: {code!r}"[:MAX_ERROR]})
        os._exit(1)
    except BaseException as e:
        _send({"error": _describe(e, script)})
        os._exit(1)
    os._exit(0)


def _run_hidden(job):
    """The strict grader's child half: define the function, call it, send back plain results."""
    fn, inputs = job["fn"], job["inputs"]
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    try:
        exec(compile(job["solution"], "<solution>", "exec"), namespace)
    except SystemExit as e:
        _send({"error": f"SystemExit during exec: {e.code!r}"[:MAX_ERROR]})
        os._exit(1)
    except BaseException as e:
        _send({"error": _describe(e)})
        os._exit(1)
    func = namespace.get(fn)
    if not callable(func):
        _send({"error": f"no function {fn!r} defined"})
        os._exit(1)
    results = []
    for x in inputs:
        try:
            value = func(x)
        except BaseException as e:  # SystemExit from the function is a failure here too
            _send({"error": f"{_describe(e)} (hidden input {x!r})"[:MAX_ERROR]})
            os._exit(1)
        try:
            # Only exact builtin data crosses the pipe; anything else is reported by type name,
            # so an object with a rigged __eq__ can never be mistaken for the right answer.
            results.append([True, value] if _is_plain(value) else [False, type(value).__name__[:80]])
        except BaseException:
            results.append([False, "unknown"])
    try:
        if all(type(v) is int and ok for ok, v in results):  # the common case, without json's cost
            payload = '{"results": [' + ", ".join(f"[true, {int.__repr__(v)}]" for _, v in results) + "]}\n"
        else:
            payload = json.dumps({"results": results}) + "\n"
    except BaseException as e:  # e.g. an int too large to print
        _send({"error": f"unserialisable result: {_describe(e)}"})
        os._exit(1)
    _write_all(RESULT_FD, payload.encode())
    os._exit(0)


def _child(kind, job, scratch, uid, gid, setup, wfd):
    """Runs in the forked child; never returns.  `setup` holds what the worker prepared once."""
    try:
        # Descriptors: 0-2 -> /dev/null (the worker's stdout carries the protocol, and a
        # solution printing megabytes must not block), the result pipe at fd 3, nothing else.
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.dup2(wfd, RESULT_FD)
        os.closerange(RESULT_FD + 1, setup["max_fd"])
        # Undo the worker's signal plumbing.  (_signal: the `signal` wrappers' enum conversions
        # cost a measurable share of a child's life.)
        _signal.set_wakeup_fd(-1)
        for sig in (_signal.SIGCHLD, _signal.SIGTERM):
            _signal.signal(sig, _signal.SIG_DFL)
        os.chdir(scratch)  # HOME and TMPDIR are "." in the worker's environment
        # Drop root: RLIMIT_NPROC is ignored for root, and file permissions then protect the host.
        if setup["drop"]:
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
            if os.getuid() != uid or os.geteuid() != uid:
                os._exit(SETUP_FAILED)
        for res, value in setup["rlimits"]:
            resource.setrlimit(res, value)
        # Should the worker die, nobody would enforce the wall clock; a pending SIGALRM still does.
        _signal.alarm(setup["alarm"])
        setup["state"]["scratch"] = scratch
        # Imports: only what is already loaded (PRELOAD), built in or frozen; no file lookups.
        sys.meta_path[:] = setup["meta_path"]
        sys.path[:] = []
        sys.addaudithook(setup["hook"])
    except BaseException as e:
        try:
            _send({"error": f"sandbox setup failed: {e!r}"[:MAX_ERROR]})
        finally:
            os._exit(SETUP_FAILED)
    try:
        (_run_visible if kind == "visible" else _run_hidden)(job)
    finally:
        os._exit(SETUP_FAILED)  # not reached: both runners end in os._exit


def _prepare(limits, drop):
    """Everything the children need that can be computed once, before forking."""
    hook, refuse_imports, state = _make_guards(limits["max_files_written"])
    cpu = int(limits["cpu_seconds"])
    both = lambda v: (int(v), int(v))
    return {
        "hook": hook, "state": state,
        "meta_path": [f for f in sys.meta_path if getattr(f, "__name__", "") != "PathFinder"]
                     + [refuse_imports],
        "drop": drop,
        "alarm": int(math.ceil(limits["wall_seconds"])) + 2,
        "max_fd": max(resource.getrlimit(resource.RLIMIT_NOFILE)[0], 1024),
        "rlimits": [(resource.RLIMIT_CPU, (cpu, cpu + 1)),  # SIGXCPU first, SIGKILL a second later
                    (resource.RLIMIT_AS, both(limits["memory_bytes"])),
                    (resource.RLIMIT_FSIZE, both(limits["file_size_bytes"])),
                    (resource.RLIMIT_NPROC, both(limits["max_processes"])),
                    (resource.RLIMIT_NOFILE, both(limits["max_open_files"])),
                    (resource.RLIMIT_CORE, (0, 0))],
    }


# -------------------------------------------------------------------------- the worker side
DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW


def _empty(path):
    """Remove everything under `path`, also what a solution made unreadable (chmod 000) or
    nested deeper than recursion (shutil.rmtree) or PATH_MAX would reach: a depth-first walk
    that holds one directory fd and climbs back through "..".  What cannot be removed stays
    (only this slot's next check could see it)."""
    os.chmod(path, 0o700)
    fd = os.open(path, DIR_FLAGS)
    stack = []  # per level: [subdirectories still to visit, the one being visited]
    try:
        while True:
            subdirs = []
            for entry in list(os.scandir(fd)):
                try:
                    if entry.is_dir(follow_symlinks=False):
                        subdirs.append(entry.name)
                    else:
                        os.unlink(entry.name, dir_fd=fd)
                except OSError:
                    pass
            stack.append([subdirs, None])
            while True:  # descend into the next subdirectory, or climb up and remove this one
                level = stack[-1]
                if level[0]:
                    name = level[0].pop()
                    try:
                        os.chmod(name, 0o700, dir_fd=fd)
                        sub = os.open(name, DIR_FLAGS, dir_fd=fd)
                    except OSError:
                        continue
                    os.close(fd)
                    fd, level[1] = sub, name
                    break
                stack.pop()
                if not stack:
                    return
                up = os.open("..", DIR_FLAGS, dir_fd=fd)
                os.close(fd)
                fd = up
                try:
                    os.rmdir(stack[-1][1], dir_fd=fd)
                except OSError:
                    pass
    finally:
        os.close(fd)


class Run:
    """One child in flight."""
    __slots__ = ("i", "kind", "pid", "fd", "buf", "deadline", "timed_out", "too_big", "slot")

    def __init__(self, i, kind, pid, fd, deadline, slot):
        self.i, self.kind, self.pid, self.fd, self.deadline, self.slot = i, kind, pid, fd, deadline, slot
        self.buf, self.timed_out, self.too_big = bytearray(), False, False


def _summarise(run, status, cpu, limits):
    """Turn a finished child (exit status, what it wrote) into the check's JSON record."""
    blocked, result, error = None, None, None
    for line in bytes(run.buf).split(b"\n"):
        if not line:
            continue
        try:
            rec = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if type(rec) is not dict:
            continue
        if blocked is None and type(rec.get("blocked")) is str:
            blocked = rec["blocked"][:100]
        if type(rec.get("error")) is str and error is None:
            error = rec["error"][:MAX_ERROR]
        if type(rec.get("results")) is list:
            result = rec["results"]
    exited = os.WIFEXITED(status)
    code = os.WEXITSTATUS(status) if exited else None
    sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    clean = not run.timed_out and not run.too_big
    if run.kind == "visible":
        ok = clean and exited and code == 0  # the naive runner looks at the exit status only
    else:
        ok = clean and result is not None
    rec = {"i": run.i, "kind": run.kind, "ok": ok, "error": None, "timeout": run.timed_out}
    if run.kind == "hidden":
        rec["results"] = result if ok else None
    if not ok:  # the most informative reason first
        if blocked is not None:
            reason = f"blocked: {blocked}"
        elif run.timed_out:
            reason = f"timeout: wall clock limit {limits['wall_seconds']:g} s"
        elif run.too_big:
            reason = f"killed: result larger than {limits['max_result_bytes']} bytes"
        elif sig is not None and (sig == signal.SIGXCPU or cpu >= limits["cpu_seconds"]):
            reason = f"killed: cpu (limit {limits['cpu_seconds']} s)"
        elif sig is not None:
            try:
                reason = f"killed: {signal.Signals(sig).name}"
            except ValueError:
                reason = f"killed: signal {sig}"
        elif error is not None:
            reason = error
        elif code == SETUP_FAILED:
            reason = "sandbox setup failed"
        else:
            reason = f"exited with status {code} without a result"
        rec["error"] = reason
    return rec


def _emit(rec):
    data = (json.dumps(rec) + "\n").encode()
    while data:
        data = data[os.write(1, data):]


class Worker:
    """Runs every check of every job, up to `parallel` children at a time."""

    def __init__(self, jobs, limits, drop, slots):
        self.jobs, self.limits, self.drop = jobs, limits, drop
        self.uids = [int(u) for u in limits["uids"]] or [65534]
        self.gid = int(limits["gid"])
        self.root = os.path.realpath(os.getcwd())  # symlink-free, as the audit hook compares paths
        self.setup = _prepare(limits, drop)
        self.checks = deque((i, kind) for i in range(len(jobs)) for kind in ("visible", "hidden"))
        self.running = {}  # pid -> Run
        self.free_slots = list(range(max(1, int(slots))))[::-1]
        for slot in self.free_slots:
            self.fresh_scratch(slot)

    def fresh_scratch(self, slot):
        """Leave `slot` an empty scratch directory, 0700 and owned by the slot's uid.

        Directories are reused across checks (removing one costs milliseconds on some disks)
        and only emptied when the last solution left anything behind or changed them.  Inside
        the kernel boundary each one is a tmpfs mount point, which cannot be removed."""
        path, uid = self.scratch(slot), self.uid(slot)
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            st = None
        if (st is not None and stat.S_ISDIR(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o700
                and (not self.drop or (st.st_uid, st.st_gid) == (uid, self.gid))
                and not os.listdir(path)):
            return
        if st is not None and not stat.S_ISDIR(st.st_mode):
            os.unlink(path)  # a solution replaced its directory (e.g. by a symlink)
            st = None
        if st is None:
            os.mkdir(path, 0o700)
        else:
            _empty(path)
        os.chmod(path, 0o700)
        if self.drop:
            os.chown(path, uid, self.gid)

    def scratch(self, slot):
        return f"{self.root}/slot{slot}"

    def uid(self, slot):
        return self.uids[slot % len(self.uids)]  # without root there are no uids to share out

    def start(self, i, kind, slot):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(r)
                _child(kind, self.jobs[i], self.scratch(slot), self.uid(slot), self.gid, self.setup, w)
            finally:
                os._exit(SETUP_FAILED)
        os.close(w)
        os.set_blocking(r, False)
        self.running[pid] = Run(i, kind, pid, r, time.monotonic() + self.limits["wall_seconds"], slot)

    def drain(self, run):
        """Read what is available; close the fd at EOF.  Kill a child that sends too much."""
        while run.fd is not None:
            try:
                chunk = os.read(run.fd, 65536)
            except BlockingIOError:
                return
            except OSError:
                chunk = b""
            if not chunk:
                os.close(run.fd)
                run.fd = None
                return
            if run.too_big:
                continue  # already killed; just empty the pipe
            run.buf += chunk
            if len(run.buf) > self.limits["max_result_bytes"]:
                run.too_big = True
                self.kill(run)

    @staticmethod
    def kill(run):
        try:
            os.kill(run.pid, signal.SIGKILL)
        except OSError:
            pass

    def reap(self):
        """Collect every child that has exited, report its check, and free its slot."""
        while self.running:
            try:
                pid, status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            run = self.running.pop(pid, None)
            if run is None:
                continue
            self.drain(run)  # the pipe may still hold what the child wrote just before exiting
            if run.fd is not None:  # someone else still holds the write end: don't wait for it
                os.close(run.fd)
                run.fd = None
            _emit(_summarise(run, status, usage.ru_utime + usage.ru_stime, self.limits))
            self.fresh_scratch(run.slot)
            self.free_slots.append(run.slot)

    def run(self):
        # SIGCHLD wakes select() through a self-pipe, so a child that exits is reaped at once.
        wake_r, wake_w = os.pipe()
        os.set_blocking(wake_r, False)
        os.set_blocking(wake_w, False)
        signal.set_wakeup_fd(wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # the parent gave up: clean up below
        try:
            self.loop(wake_r)
        finally:  # whatever ends the worker (the parent going away included), no child outlives it
            for run in self.running.values():
                self.kill(run)

    def loop(self, wake_r):
        """Keep the slots busy; kill children past their deadline; reap and report the rest."""
        while self.checks or self.running:
            while self.checks and self.free_slots:
                self.start(*self.checks.popleft(), self.free_slots.pop())
            now = time.monotonic()
            for run in self.running.values():
                if not run.timed_out and now >= run.deadline:
                    run.timed_out = True
                    self.kill(run)
            pending = [r.deadline for r in self.running.values() if not r.timed_out]
            timeout = max(0.0, min(pending) - now) if pending else 0.05
            fds = [wake_r] + [r.fd for r in self.running.values() if r.fd is not None]
            readable, _, _ = select.select(fds, [], [], timeout)
            if wake_r in readable:
                try:
                    while os.read(wake_r, 4096):
                        pass
                except BlockingIOError:
                    pass
            for run in list(self.running.values()):
                if run.fd is not None and run.fd in readable:
                    self.drain(run)
            self.reap()


def main():
    payload = json.loads(sys.stdin.buffer.read())  # sys.stdin stays open: children inherit it
    worker = Worker(payload["jobs"], payload["limits"], bool(payload["drop"]), payload["slots"])
    # Move everything allocated so far out of the collector's reach: a collection in a child then
    # does not walk (and copy-on-write fault) the worker's whole heap.
    gc.freeze()
    worker.run()


if __name__ == "__main__":
    main()
