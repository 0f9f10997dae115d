"""Measure update-charts on the loopback world: `.venv/bin/python bench/vendor.py`.

Cold runs at --jobs 1/4/8 against servers that stream each archive at ~250 KB/s per connection (1 KiB every
4 ms, like a slow mirror), a warm run, `--check`, the plan guard, and index parsing of an argo-sized index
(~1.5 MB) with libyaml's CSafeLoader vs the pure-Python SafeLoader. Prints medians of N runs.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the test kit's loopback world (tests/)
os.environ.setdefault("NO_COLOR", "1")


def median(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(runs: int = 5) -> None:
    import yaml

    from k8sprov.charts import classic
    from k8sprov.charts.http import HttpSettings
    from k8sprov.charts.sources import parse_mirrors
    from k8sprov.charts.vendor import Vendor, VendorOptions, check_vendored
    from k8sprov.charts.verify import check_profile_charts
    from k8sprov.project import Project
    from tests.charts import builders
    from tests.charts import conftest as world_kit
    from tests.charts.server import Fault

    tmp = Path(tempfile.mkdtemp(prefix="k8sprov-bench-"))
    gen = world_kit.world.__wrapped__(tmp, None, None)  # type: ignore[attr-defined]
    w = next(gen)
    project = Project(w.project)
    mirrors = parse_mirrors([m.removeprefix("--mirror=") for m in w.mirrors()], None)

    def cold(jobs: int) -> Callable[[], object]:
        def run() -> object:
            for key in w.archives:
                server, path = world_kit.server_path(w, key)
                server.faults[path] = [Fault.drip(0.004)]
            shutil.rmtree(w.charts_dir, ignore_errors=True)
            shutil.rmtree(w.project / ".k8sprov", ignore_errors=True)
            report = Vendor(project, VendorOptions(mirrors=mirrors, jobs=jobs, http=HttpSettings())).run()
            assert not report.failed
            return report

        return run

    print(f"median of {runs} runs, in-process (no interpreter start-up)")
    for jobs in (1, 4, 8):
        print(f"cold update-charts, 8 archives (253 KB), --jobs {jobs}: {median(cold(jobs), runs):.2f} s")
    warm = median(lambda: Vendor(project, VendorOptions(mirrors=mirrors)).run(), runs)
    print(f"warm update-charts (0 requests): {warm * 1000:.1f} ms")
    print(f"--check: {median(lambda: check_vendored(project, None), runs) * 1000:.1f} ms")
    guard = median(lambda: check_profile_charts(project, "basic"), runs)
    print(f"plan guard check_profile_charts: {guard * 1000:.1f} ms")

    entries: dict[str, list[dict[str, object]]] = {}
    for chart in (
        "argo-cd",
        "argo-workflows",
        "argo-rollouts",
        "argo-events",
        "argocd-apps",
        "argocd-image-updater",
    ):
        entries[chart] = [
            builders.index_entry(
                chart, f"{ma}.{mi}.{pa}", f"https://github.com/x/{chart}-{ma}.{mi}.{pa}.tgz", "ab" * 32
            )
            for ma in range(10)
            for mi in range(10)
            for pa in range(4)
        ]
    text = builders.index_yaml(entries)
    print(f"index of {sum(len(v) for v in entries.values())} entries, {len(text) / 1e6:.1f} MB:")
    print(f"  parse with CSafeLoader: {median(lambda: classic.parse_index(text, 'x'), 3):.2f} s")
    slow = median(lambda: yaml.load(text, Loader=yaml.SafeLoader), 1)
    print(f"  yaml.SafeLoader (pure Python), for comparison: {slow:.2f} s")
    w.repo.stop()
    w.gh.stop()
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
