"""Run callables on at most N daemon threads, and stop cleanly on Ctrl-C.

Daemon threads (not concurrent.futures) because a worker blocked in a read must not keep the process alive
after Ctrl-C: the main thread sets `cancel`, gives workers a short grace to clean up their temp files, and
re-raises KeyboardInterrupt. Results keep the order of the tasks; a task's exception is its result.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")

GRACE_SECONDS = 3.0


def run_bounded(
    tasks: Sequence[Callable[[], T]], jobs: int, cancel: threading.Event
) -> list[T | BaseException]:
    results: list[T | BaseException] = [RuntimeError("not run")] * len(tasks)
    if not tasks:
        return results
    work: queue.SimpleQueue[int] = queue.SimpleQueue()
    for i in range(len(tasks)):
        work.put(i)
    remaining = [len(tasks)]
    guard = threading.Lock()
    finished = threading.Event()

    def worker() -> None:
        while not cancel.is_set():
            try:
                i = work.get_nowait()
            except queue.Empty:
                return
            try:
                results[i] = tasks[i]()
            except BaseException as err:  # reported to the caller as the task's result
                results[i] = err
            with guard:
                remaining[0] -= 1
                if remaining[0] == 0:
                    finished.set()

    threads = [
        threading.Thread(target=worker, name=f"k8sprov-charts-{n}", daemon=True)
        for n in range(max(1, min(jobs, len(tasks))))
    ]
    for thread in threads:
        thread.start()
    try:
        while not finished.wait(0.1):
            if not any(t.is_alive() for t in threads):
                break
    except KeyboardInterrupt:
        cancel.set()
        for thread in threads:
            thread.join(GRACE_SECONDS / len(threads))
        raise
    return results
