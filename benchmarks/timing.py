"""Timing shared by the benchmark scripts (imported from their own folder)."""

import time

import numpy as np


def best_times(runs, repeats):
    """{name: fastest wall-clock seconds} of the callables in `runs`, called in turn `repeats`
    times. Alternating them makes a load change on a shared machine hit all alike, and the
    minimum is the least disturbed run."""
    best = dict.fromkeys(runs, np.inf)
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - start)
    return best
