"""The kernel boundary around the grading worker: namespaces and a filesystem view.

The worker starts inside its own network, mount, PID and IPC namespaces, made by bubblewrap
(`bwrap`) where it works, else by util-linux `unshare` (+ `mount`, `pivot_root`, `setpriv`),
else by nothing (the in-process guards and rlimits then stand alone, and `select` warns).
bubblewrap comes first by measurement (about 20 ms per batch against 100 ms for the shell
script `unshare` runs) and because it is one program made for this, not a script.

The filesystem view is an allowlist on a read-only tmpfs root: /usr and the /bin, /lib...
links, /etc/ld.so.cache, the interpreter's prefix, /dev/null, and /scratch, which holds one
size-capped tmpfs per slot, the only writable places.  The repository, the world files, the
task files, the user's home and every other path do not exist in it; where one of them lies
under a bound directory (say a checkout under /usr/src) a read-only tmpfs is laid over it.
As root, the directory above an interpreter prefix outside /usr (e.g. /root for pyenv) is
0700, so that the children (unprivileged uids) cannot read the standard library, hence cannot
load e.g. ctypes; the worker keeps WORKER_CAPS only, under no_new_privs, on nosuid mounts.

Without root the same view is built inside a user namespace (`bwrap --unshare-user`,
`unshare --user --map-root-user`): the worker and its children then share one uid and have no
capabilities.  Every candidate is probed once per process (`probe`): the probe runs in the
view and checks that it is PID 1, that the host's loopback is unreachable, that / is read-only
and that neither the repository, nor the home directory, nor the cwd shows through.
"""
from __future__ import annotations

import functools
import os
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

ENV = "TRAINAWAY_SANDBOX_BOUNDARY"
MODES = ("auto", "require", "bwrap", "unshare", "none")
SCRATCH = "/scratch"  # the worker's cwd inside the view; its slots are /scratch/slotN
REPO = Path(__file__).resolve().parents[2]
# Where the tools are looked for besides $PATH (pivot_root lives in sbin), and the script's PATH.
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# What the worker keeps as root (uid switching, scratch ownership, killing its children);
# everything else, CAP_SYS_ADMIN included, is dropped before it starts.
WORKER_CAPS = ("setuid", "setgid", "chown", "fowner", "dac_override", "kill")
# argv: a port the host listens on at 127.0.0.1, then paths that must not show through.
PROBE = """
import errno, os, socket, sys
assert os.getpid() == 1, "not PID 1 of a new PID namespace"
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
    raise AssertionError("the host's loopback is reachable")
except OSError:
    pass
try:
    open("/probe", "w")
except OSError as e:
    assert e.errno == errno.EROFS, f"/: {e}"
for path in sys.argv[2:]:  # nothing of these may show but the way to the interpreter
    inside = sys.base_prefix[len(path.rstrip("/")) + 1:]
    way = {inside.split("/")[0]} if sys.base_prefix.startswith(path.rstrip("/") + "/") else set()
    if path != "/" and os.path.isdir(path):
        assert set(os.listdir(path)) <= way, f"{path} is visible"
    else:
        assert path == "/" or not os.path.exists(path), f"{path} is visible"
open("slot0/probe", "w").write("ok")
print("ok")
"""


class BoundaryUnavailable(RuntimeError):
    """The kernel boundary was required (by mode) but this host cannot provide it."""


@dataclass(frozen=True)
class Boundary:
    name: str         # "bwrap", "bwrap-userns", "unshare", "unshare-userns" or "none"
    drop_uids: bool   # children run as per-slot unprivileged uids (root, no user namespace)
    detail: str       # one line: what holds, or why no kernel boundary does

    @property
    def kernel(self) -> bool:
        return self.name != "none"

    @property
    def userns(self) -> bool:
        return self.name.endswith("-userns")

    def command(self, argv: list[str], mountpoint: str, slots: int, slot_bytes: int) -> list[str]:
        """`argv` (an interpreter command) wrapped to run inside this boundary's view.

        `mountpoint` is an empty host directory (`unshare` builds the view on it)."""
        if not self.kernel:
            return argv
        ops = _view(argv[0], private=self.drop_uids, slots=slots, slot_bytes=slot_bytes)
        render = _bwrap if self.name.startswith("bwrap") else _unshare
        return render(ops, argv, mountpoint, self.userns)


# ------------------------------------------------------------------------ the view
def _under(path: str, top: str) -> bool:
    return path == top or path.startswith(top.rstrip("/") + "/")


def _view(python: str, private: bool, slots: int, slot_bytes: int) -> list[tuple]:
    """The filesystem view as mount operations, in order: (op, path[, arg])."""
    ops: list[tuple] = [("ro", "/usr")]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            ops.append(("symlink", top, os.readlink(top)))
        elif os.path.isdir(top):
            ops.append(("ro", top))
    if os.path.isfile("/etc/ld.so.cache"):  # libraries outside the default paths (ld.so.conf)
        ops.append(("ro", "/etc/ld.so.cache"))
    bound = [op[1] for op in ops if op[0] == "ro"]
    home = os.path.expanduser("~")
    hidden = sorted({p for p in map(os.path.realpath, (str(REPO), os.getcwd(), home))
                     if any(_under(p, b) and p != b for b in bound)})
    ops += [("tmpfs", h, 1 << 20, 0o755) for h in hidden]
    made = set()
    for prefix in sorted({sys.base_prefix, sys.base_exec_prefix, os.path.dirname(python)}):
        if any(_under(prefix, b) for b in bound) and not any(_under(prefix, h) for h in hidden):
            continue  # already visible
        top = "/" + prefix.strip("/").split("/")[0]
        if private and top not in made and not any(_under(top, b) for b in bound + hidden):
            ops.append(("dir", top, 0o700))  # the children cannot reach the stdlib
            made.add(top)
        ops.append(("ro", prefix))
        bound.append(prefix)
    ops += [("dev", "/dev/null"), ("dir", SCRATCH, 0o711)]
    ops += [("tmpfs", f"{SCRATCH}/slot{k}", slot_bytes, 0o700) for k in range(slots)]
    ops += [("remount-ro", p) for p in ["/"] + hidden]
    return ops


def _bwrap(ops, argv, _mountpoint, userns) -> list[str]:
    cmd = [_which("bwrap"), "--unshare-net", "--unshare-pid", "--unshare-ipc", "--die-with-parent",
           "--new-session", "--as-pid-1", "--chdir", SCRATCH]
    if userns:  # no capabilities (root would keep all of them in its user namespace)
        cmd += ["--unshare-user", "--cap-drop", "ALL"]
    else:
        cmd += ["--cap-drop", "ALL"]
        cmd += [w for cap in WORKER_CAPS for w in ("--cap-add", f"CAP_{cap.upper()}")]
    for op in ops:
        kind, path = op[0], op[1]
        if kind == "ro":
            cmd += ["--ro-bind", path, path]
        elif kind == "symlink":
            cmd += ["--symlink", op[2], path]
        elif kind == "tmpfs":
            cmd += ["--size", str(op[2]), "--perms", f"{op[3]:04o}", "--tmpfs", path]
        elif kind == "dir":
            cmd += ["--perms", f"{op[2]:04o}", "--dir", path]
        elif kind == "dev":
            cmd += ["--dev-bind", path, path]
        elif kind == "remount-ro":
            cmd += ["--remount-ro", path]
    return cmd + ["--"] + argv


def _unshare(ops, argv, mountpoint, userns) -> list[str]:
    """unshare(1) runs a shell script (as root of the new namespaces) that builds the view on
    `mountpoint`, pivots into it and execs `argv` through setpriv (no_new_privs, capabilities
    cut down to WORKER_CAPS, or to none in a user namespace)."""
    q = shlex.quote
    root = q(mountpoint)
    lines = ["set -eu", f"PATH={SYSTEM_PATH}",
             f"mount -t tmpfs -o size=1m,mode=0755 trainaway-view {root}"]
    late = []
    for op in ops:
        kind, path = op[0], op[1]
        at = root + q(path)
        if kind in ("ro", "dev"):
            make = [f"mkdir -p {at}"] if os.path.isdir(path) else [f'mkdir -p "$(dirname {at})"',
                                                                   f": > {at}"]
            flags = "-o ro,nosuid,nodev " if kind == "ro" else ""
            lines += [*make, f"mount --bind {flags}{q(path)} {at}"]
        elif kind == "symlink":
            lines.append(f"ln -s {q(op[2])} {at}")
        elif kind == "tmpfs":
            lines += [f"mkdir -p {at}",
                      f"mount -t tmpfs -o size={op[2]},mode={op[3]:04o},nosuid,nodev none {at}"]
        elif kind == "dir":
            lines += [f'mkdir -p "$(dirname {at})"', f"mkdir -m {op[2]:04o} {at}"]
        elif kind == "remount-ro":
            late.append(f"mount -o remount,bind,ro {q(path)}")
    caps = "-all" if userns else "-all," + ",".join("+" + c for c in WORKER_CAPS)
    lines += [f"mkdir {root}/.old {root}/proc",
              f"mount -t proc proc {root}/proc",  # mount/umount read /proc/self/mountinfo
              f"cd {root}", "pivot_root . .old", "umount -l /.old", "rmdir /.old",
              *late, "umount /proc", f"cd {SCRATCH}", "unset OLDPWD",
              f'exec setpriv --no-new-privs --inh-caps=-all --bounding-set={caps} -- "$@"']
    flags = ["--user", "--map-root-user"] if userns else []
    return [_which("unshare"), *flags, "--mount", "--net", "--pid", "--ipc", "--fork", "--kill-child",
            "--propagation", "private", "sh", "-c", "\n".join(lines), "sh", *argv]


# ---------------------------------------------------------------------- selection
def python() -> str:
    """The interpreter the worker runs on: the base installation, not a venv (which may live
    in the repository): the worker needs the standard library only."""
    return os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)


def _which(tool: str) -> str | None:
    return shutil.which(tool, path=os.environ.get("PATH", "") + os.pathsep + SYSTEM_PATH)


def candidates() -> list[Boundary]:
    """Every kernel boundary this host could offer, best first (not yet probed)."""
    root = os.geteuid() == 0
    out = []
    for tool, needs in (("bwrap", ("bwrap",)), ("unshare", ("unshare", "setpriv", "pivot_root"))):
        if not all(_which(t) for t in needs):
            continue
        if root:  # a container's root may lack CAP_SYS_ADMIN yet be allowed a user namespace
            out.append(Boundary(tool, True, f"{tool}: network, mount, PID and IPC namespaces; "
                                             "only scratch writable; one uid per slot"))
        out.append(Boundary(f"{tool}-userns", False,
                            f"{tool} in a user namespace: network, mount, PID and IPC "
                            "namespaces; only scratch writable; one shared uid, no capabilities"))
    return out


@functools.lru_cache(maxsize=None)
def probe(b: Boundary) -> str | None:
    """None if `b` works on this host (checked by running PROBE inside it), else why not."""
    with tempfile.TemporaryDirectory(prefix="trainaway-probe-") as host, socket.socket() as ear:
        ear.bind(("127.0.0.1", 0))
        ear.listen()
        argv = [python(), "-S", "-s", "-B", "-c", PROBE, str(ear.getsockname()[1]), str(REPO),
                os.path.expanduser("~"), os.getcwd()]
        try:
            proc = subprocess.run(b.command(argv, host, slots=1, slot_bytes=1 << 20),
                                  cwd=host, env={"PATH": os.defpath, "LC_ALL": "C.UTF-8"},
                                  capture_output=True, text=True, timeout=20)
        except (OSError, subprocess.TimeoutExpired) as e:
            return f"{b.name}: {e}"
    if proc.returncode == 0 and proc.stdout.strip() == "ok":
        return None
    last = (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
    return f"{b.name}: {last[:200]}"


def _none(why: str) -> Boundary:
    uid = "unprivileged uids per slot" if os.geteuid() == 0 else "the caller's own uid"
    return Boundary("none", os.geteuid() == 0,
                    f"no kernel boundary ({why}): in-process guards, rlimits and {uid} only")


@functools.lru_cache(maxsize=None)
def select(mode: str) -> Boundary:
    """The boundary `mode` asks for (one of MODES), probed once per process.

    "auto" takes the best that works and falls back to no kernel boundary with one warning;
    "require" raises BoundaryUnavailable instead; "bwrap"/"unshare" take only that tool
    (raising if it does not work); "none" runs the in-process guards alone."""
    if mode not in MODES:
        raise ValueError(f"sandbox boundary {mode!r}: expected one of {', '.join(MODES)}")
    if mode == "none":
        return _none(f"{ENV}=none" if os.environ.get(ENV) == "none" else "boundary 'none' asked for")
    tried = [b for b in candidates() if mode in ("auto", "require") or b.name.split("-")[0] == mode]
    failures = []
    for b in tried:
        why = probe(b)
        if why is None:
            return b
        failures.append(why)
    why = "; ".join(failures) or (f"{mode} is not installed" if mode not in ("auto", "require")
                                  else "neither bwrap nor unshare+setpriv is installed")
    if mode != "auto":
        raise BoundaryUnavailable(f"sandbox boundary {mode!r} is unavailable: {why}. Install "
                                  f"bubblewrap (apt-get install bubblewrap), or run as root, "
                                  f"or allow user namespaces; or set {ENV}=auto to fall back")
    fallback = _none(why)
    warnings.warn(f"sandbox: {fallback.detail}", RuntimeWarning, stacklevel=3)
    return fallback
