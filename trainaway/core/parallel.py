"""Many small runs at once: one process per CPU core, one torch thread each.

A sweep trains and evaluates dozens of tiny models; none of them keeps two cores busy (their
matrix products are too small to split well), so two runs side by side, one thread each, do
nearly twice the work of one run with two threads. Every run uses one thread whatever the
number of workers, so the results do not depend on it: `workers` is a speed knob only.
"""
from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from typing import Callable, Iterable, Iterator


def one_thread() -> None:
    import torch
    torch.set_num_threads(1)


def die_with_parent() -> None:
    """A killed stage takes its workers with it: an orphan finishing its run would write into
    the directory a rerun has just reset (Linux: PR_SET_PDEATHSIG; elsewhere nothing)."""
    import ctypes
    import signal
    import sys
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG


def _worker_start() -> None:
    die_with_parent()
    one_thread()


def run_all(fn: Callable, jobs: Iterable, workers: int) -> Iterator:
    """fn(job) for every job, results as they finish (in job order with one worker)."""
    jobs = list(jobs)
    if workers <= 1 or len(jobs) <= 1:
        one_thread()
        yield from map(fn, jobs)
        return
    with ProcessPoolExecutor(min(workers, len(jobs)), mp_context=get_context("spawn"),
                             initializer=_worker_start) as pool:
        for future in as_completed([pool.submit(fn, job) for job in jobs]):
            yield future.result()
