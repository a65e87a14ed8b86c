"""Timing shared by the benchmark scripts (imported from their own folder).

A shared machine changes speed under a benchmark: other jobs, and on a virtual machine other guests and the host's
clock, can move a core's speed by a third within minutes. Two defences, both from the same rounds of runs:

- `best_times`: the callables run in turn, round after round, and the fastest run of each is kept (the least
  disturbed one); a change of load hits all alike.
- `paired_ratios`: the ratio of two callables' times within each round (run one right after the other, so at
  nearly the same machine speed), and the median over the rounds. A ratio to a ceiling (e.g. dbnfer's step over
  the same step's matrix products alone) is best read this way: the fastest run of each may come from different
  moments of the machine.
"""

import time

import numpy as np


def round_times(runs, repeats):
    """{name: [wall-clock seconds of each round]}: the callables of `runs` called in turn, `repeats` rounds."""
    times = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return times


def best_times(runs, repeats):
    """{name: fastest wall-clock seconds} of the callables in `runs`, called in turn `repeats` times."""
    return {name: min(seconds) for name, seconds in round_times(runs, repeats).items()}


def paired_ratios(times, name, reference):
    """Median, min and max over the rounds of times[name][i] / times[reference][i] (`round_times` output)."""
    ratios = np.asarray(times[name]) / np.asarray(times[reference])
    return float(np.median(ratios)), float(ratios.min()), float(ratios.max())
