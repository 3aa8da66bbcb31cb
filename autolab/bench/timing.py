"""Interleaved timing: every candidate runs in every round, in a rotating order, in one process.

Timings on a shared 2-core machine drift by up to 2x between processes and over minutes, so a comparison
is only fair inside one process and one time window: each round times every candidate once (after one
untimed call, which lets caches and thread pools settle after the switch), and the result is the median
over rounds. A short pause between candidates lets the previous library's spinning worker threads go to
sleep before the next one starts (OpenMP and OpenBLAS pools busy-wait for a while after each call).

``best`` (the fastest round) is reported next to the median: on a machine that other jobs share, noise
only ever adds time, and a 2-thread kernel whose second thread is descheduled waits a whole timeslice,
so the best round is the better estimate of what the code can do when it has the cores.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def _calibrate(fn: Callable[[], object], target: float) -> int:
    t = time.perf_counter()
    fn()
    once = max(time.perf_counter() - t, 1e-7)
    return max(1, min(1000, int(target / once)))


def interleaved(
    candidates: dict[str, Callable[[], object]],
    rounds: int = 5,
    target: float = 0.03,
    pause: float = 0.05,
    stat=statistics.median,
) -> dict[str, float]:
    """Seconds per call of each candidate over ``rounds`` interleaved rounds (``stat``: median)."""
    samples = interleaved_samples(candidates, rounds, target, pause)
    return {n: stat(v) for n, v in samples.items()}


def interleaved_samples(
    candidates: dict[str, Callable[[], object]], rounds: int = 5, target: float = 0.03, pause: float = 0.05
) -> dict[str, list[float]]:
    """Seconds per call of each candidate in each of ``rounds`` interleaved rounds."""
    names = list(candidates)
    reps = {n: _calibrate(candidates[n], target) for n in names}
    samples: dict[str, list[float]] = {n: [] for n in names}
    for r in range(rounds):
        for n in names[r % len(names) :] + names[: r % len(names)]:
            fn = candidates[n]
            fn()
            t = time.perf_counter()
            for _ in range(reps[n]):
                fn()
            samples[n].append((time.perf_counter() - t) / reps[n])
            time.sleep(pause)
    return samples
