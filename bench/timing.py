"""Timing helpers shared by the bench scripts: interleaved wall-clock runs and their median + range."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def interleaved(cases: dict[str, Callable[[], object]], reps: int, warmup: int = 1) -> dict[str, list[float]]:
    """Wall times of each case, round-robin with a rotating start so no case always runs first."""
    names = list(cases)
    for _ in range(warmup):  # untimed, so imports and caches are warm for every case
        for name in names:
            cases[name]()
    times: dict[str, list[float]] = {name: [] for name in names}
    for rep in range(reps):
        order = names[rep % len(names) :] + names[: rep % len(names)]
        for name in order:
            start = time.perf_counter()
            cases[name]()
            times[name].append(time.perf_counter() - start)
    return times


def median_range(values: list[float]) -> str:
    """`123 ms (110–140 ms)`: the median and the range, in milliseconds."""
    return f"{statistics.median(values) * 1000:.0f} ms ({min(values) * 1000:.0f}–{max(values) * 1000:.0f} ms)"
