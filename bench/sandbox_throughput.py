"""Sandbox grading throughput: solutions/s batched (one `grade_many`) vs one at a time
(`grade` per solution), with and without the kernel boundary, side by side in one run.

    python bench/sandbox_throughput.py                      # 2000 batched, 100 one at a time
    python bench/sandbox_throughput.py --n 5000 --rounds 5

Other jobs may share the cores, so the boundaries take turns within each round and the
medians are compared: read the ratios, not the absolute wall figures.  The load average
before and after is printed with them, and so is the CPU time each solution cost (this
process, the worker and its children), which other jobs hardly change: 2 / CPU seconds per
solution is what two free cores would grade.  The workload mimics collect: per task f(x) = a * (x + b),
3 visible and 5 hidden tests; 60% correct answers, 20% lookup tables, 20% wrong.
"""
import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from trainaway.sandbox import (BoundaryUnavailable, SandboxLimits, boundary, grade,  # noqa: E402
                               grade_many)

MODES = ("none", "bwrap", "unshare")


def workload(n: int) -> list[tuple[dict, str]]:
    jobs = []
    for i in range(n):
        a, b = 2 + i % 5, i % 7
        visible = [[x, a * (x + b)] for x in (1, 2, 3)]
        task = {"fn": "f", "visible": visible, "hidden": [[x, a * (x + b)] for x in range(10, 15)]}
        kind = i % 5
        if kind < 3:
            solution = f"def f(x):\n    return {a} * (x + {b})\n"
        elif kind == 3:
            solution = f"def f(x):\n    return {dict(visible)!r}[x]\n"
        else:
            solution = f"def f(x):\n    return {a} * x + {b}\n"
        jobs.append((task, solution))
    return jobs


def cpu_seconds() -> float:
    """CPU time of this process and of every child reaped so far (the worker reaps its own)."""
    return sum(u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF),
                                                 resource.getrusage(resource.RUSAGE_CHILDREN)))


def measure_one(fn, n: int) -> tuple[float, float]:
    """(solutions per wall second, CPU milliseconds per solution) of fn grading n solutions."""
    start, cpu = time.perf_counter(), cpu_seconds()
    fn()
    return n / (time.perf_counter() - start), 1000 * (cpu_seconds() - cpu) / n


def measure(n: int = 2000, n_single: int = 100, rounds: int = 3, log=print) -> dict:
    """Per available boundary: medians of (batched solutions/s, one-at-a-time solutions/s,
    batched CPU ms/solution, one-at-a-time CPU ms/solution); and whether verdicts agree."""
    modes = []
    for mode in MODES:
        try:
            log(f"{mode:8s} {boundary(mode).detail}")
            modes.append(mode)
        except BoundaryUnavailable as e:
            log(f"{mode:8s} skipped: {e}")
    jobs, singles = workload(n), workload(n_single)
    log(f"\n{os.cpu_count()} CPUs, parallel={SandboxLimits().parallel}; load average before: "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    batched = {m: [] for m in modes}
    single = {m: [] for m in modes}
    verdicts = {}
    for _ in range(rounds):
        for m in modes:  # the boundaries take turns, so that they share whatever load there is
            limits = SandboxLimits(boundary=m)
            batched[m].append(measure_one(lambda: verdicts.__setitem__(m, grade_many(jobs, limits)), n))
            single[m].append(measure_one(lambda: [grade(t, s, limits) for t, s in singles], n_single))
    log(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    def median(runs, i):
        return statistics.median(r[i] for r in runs)
    return {"modes": {m: (median(batched[m], 0), median(single[m], 0), median(batched[m], 1),
                          median(single[m], 1)) for m in modes},
            "same_verdicts": all(verdicts[m] == verdicts[modes[0]] for m in modes)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=2000, help="solutions per batched run")
    ap.add_argument("--single", type=int, default=100, help="solutions graded one at a time")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    result = measure(args.n, args.single, args.rounds)
    modes = result["modes"]
    print(f"verdicts identical across boundaries: {'yes' if result['same_verdicts'] else 'NO'}\n")
    base = next(iter(modes.values()))[0]
    print(f"{'':10s} {'-- wall, solutions/s --':^42s} {'-- CPU ms/solution --':^24s} "
          f"{'2 free cores':>13s}")
    print(f"{'boundary':10s} {'batched':>8s} {'one at a time':>14s} {'batched/one':>11s} "
          f"{'vs none':>7s} {'batched':>11s} {'one at a time':>14s} {'batched sol/s':>13s}")
    for m, (b, s, cb, cs) in modes.items():
        print(f"{m:10s} {b:8.0f} {s:14.1f} {b / s:10.1f}x {b / base:7.2f} {cb:11.2f} {cs:14.1f} "
              f"{2000 / cb:13.0f}")
    print(f"\n(medians of {args.rounds} rounds; {args.n} solutions batched, "
          f"{args.single} one at a time)")


if __name__ == "__main__":
    main()
