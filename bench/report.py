"""Benchmark: `k8sprov report` over 200 plan summaries, against just json-loading the same files.

The summaries are what `k8sprov plan --env E --json FILE` writes, made by k8sprov's own summary code from
the plans in the test data, round-robin: the four Helm releases bumped with their objects
(tests/planview/fixtures/objects-plan.json, a 20 KB summary), the real stack's first plan
(tests/realstack/snapshots/basic.json, a summary already) and OpenTofu's corpus plans (deletes,
replacements, nested modules). 200 files, ~2.6 MB.

  R1  `k8sprov report DIR --markdown --json --html`, whole process  vs  a Python process json-loading them
      (and `k8sprov --version` in the same loop: the start-up floor)
  R2  read + all three renderers, in process                        vs  json.load of every file, in process
  R3  peak memory for 50 and 200 summaries: tracemalloc in process (report vs keeping every loaded file)
      and ru_maxrss of the whole `k8sprov report` process

Cases are interleaved (round-robin, rotating start), one untimed warm-up each, median of the timed runs.
PYTHONDONTWRITEBYTECODE is unset so the installed package runs from its .pyc files, as a user's does.

Usage:  .venv/bin/python bench/report.py [--reps 10] [--no-write]
Writes: a table on stdout; appended to bench/RESULTS-report.md, and the newest run replaces the section
        "Merged report" of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.timing import interleaved, median_range  # noqa: E402
from k8sprov.planview import PlanHeader, summarize, to_json  # noqa: E402
from k8sprov.report import read_summaries, to_html, to_markdown  # noqa: E402
from k8sprov.report import to_json as report_json  # noqa: E402

RESULTS = REPO / "bench" / "RESULTS-report.md"
MAIN_RESULTS = REPO / "bench" / "RESULTS.md"
SECTION = "## Merged report (bench/report.py)"
K8SPROV = str(Path(sys.executable).parent / "k8sprov")
PLANS = [REPO / "tests" / "planview" / "fixtures" / "objects-plan.json",
         *sorted((REPO / "tests" / "planview" / "corpus").glob("*.json"))]
READY = REPO / "tests" / "realstack" / "snapshots" / "basic.json"


def make_summaries(folder: Path, count: int) -> int:
    """`count` summary files in `folder`; returns their total size in bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = [to_json(summarize(json.loads(plan.read_text())), PlanHeader()) for plan in PLANS]
    texts.append(json.loads(READY.read_text()))
    total = 0
    for i in range(count):
        doc = texts[(i * 2) % len(texts)] if i % 2 else texts[0]  # half are the 20 KB Helm summary
        data = dict(doc, environment=f"env-{i:03d}", profile=("basic", "staging", "production")[i % 3])
        text = json.dumps(data, indent=2) + "\n"
        (folder / f"env-{i:03d}.json").write_text(text)
        total += len(text)
    return total


def in_process(folder: Path) -> None:
    report = read_summaries([folder])
    to_markdown(report)
    json.dumps(report_json(report))
    to_html(report)


def load_all(folder: Path) -> list[object]:
    out = []
    for path in sorted(folder.glob("*.json")):
        with path.open("rb") as f:
            out.append(json.load(f))
    return out


def peak_mib(fn: Callable[[], object]) -> float:
    gc.collect()
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def read_memory(folder: Path) -> tuple[float, float]:
    """(peak while reading, held by the report after reading), MiB, tracemalloc: their difference is the
    working memory of reading, which streaming keeps at about one parsed file whatever the count."""
    gc.collect()
    tracemalloc.start()
    report = read_summaries([folder])
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del report
    return peak / 2**20, held / 2**20


def maxrss_mib(folder: Path, out: Path) -> float:
    code = ("import resource, sys\nfrom k8sprov.cli import main\n"
            f"sys.argv = ['k8sprov', 'report', {str(folder)!r}, '--markdown', {str(out / 'r.md')!r},"
            f" '--json', {str(out / 'r.json')!r}, '--html', {str(out / 'r.html')!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(proc.stderr.strip().splitlines()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    load = os.getloadavg()[0]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="k8sprov-bench-report-") as tmp:
        root = Path(tmp)
        size200 = make_summaries(root / "s200", 200)
        make_summaries(root / "s50", 50)
        out = root / "out"
        out.mkdir()
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "k8sprov")], check=False)
        report_cmd = [K8SPROV, "report", str(root / "s200"), "--markdown", str(out / "r.md"), "--json",
                      str(out / "r.json"), "--html", str(out / "r.html")]
        load_code = ("import json, pathlib, sys\n"
                     "for p in sorted(pathlib.Path(sys.argv[1]).glob('*.json')):\n"
                     "    json.loads(p.read_bytes())")
        load_cmd = [sys.executable, "-c", load_code, str(root / "s200")]
        whole = interleaved({
            "report": lambda: subprocess.run(report_cmd, check=True, capture_output=True),
            "load": lambda: subprocess.run(load_cmd, check=True, capture_output=True),
            "start": lambda: subprocess.run([K8SPROV, "--version"], check=True, capture_output=True),
        }, args.reps)
        inner = interleaved({"report": lambda: in_process(root / "s200"),
                             "load": lambda: load_all(root / "s200")}, args.reps)
        peaks = {n: peak_mib(lambda n=n: in_process(root / f"s{n}")) for n in (50, 200)}
        reads = {n: read_memory(root / f"s{n}") for n in (50, 200)}
        keep = {n: peak_mib(lambda n=n: load_all(root / f"s{n}")) for n in (50, 200)}
        rss = {n: maxrss_mib(root / f"s{n}", out) for n in (50, 200)}
        md_size = (out / "r.md").stat().st_size
        html_size = (out / "r.html").stat().st_size
    work = {n: reads[n][0] - reads[n][1] for n in reads}
    held_per_env = (reads[200][1] - reads[50][1]) / 150 * 1024
    keep_per_env = (keep[200] - keep[50]) / 150 * 1024
    ratio_whole = statistics.median(whole["report"]) / statistics.median(whole["load"])
    ratio_inner = statistics.median(inner["report"]) / statistics.median(inner["load"])
    target = "met" if statistics.median(whole["report"]) < 1.0 else "MISSED"
    rows = [
        "| id | what | k8sprov (median, range) | baseline (median, range) | ratio | target | result |",
        "|---|---|---|---|---:|---|---|",
        f"| R1 | `k8sprov report DIR --markdown --json --html`, 200 summaries, whole process | "
        f"{median_range(whole['report'])} | {median_range(whole['load'])} "
        "a Python process json-loading the 200 files | "
        f"{ratio_whole:.2f}× | < 1 s | {target} |",
        f"| R1 | start-up floor: `k8sprov --version` | {median_range(whole['start'])} "
        "| — | — | — | measured |",
        f"| R2 | read + Markdown + JSON + HTML, in process | {median_range(inner['report'])} "
        f"| {median_range(inner['load'])} "
        f"json.load of the 200 files | {ratio_inner:.2f}× | measured | measured |",
        f"| R3 | working memory of reading (tracemalloc peak − what the report holds), 50 → 200 summaries | "
        f"{work[50]:.2f} → {work[200]:.2f} MiB | {keep[50]:.1f} → {keep[200]:.1f} MiB keeping every parsed "
        f"file | — | flat | {'met' if work[200] < 1.2 * work[50] + 0.25 else 'MISSED'} |",
        f"| R3 | what the report holds per environment (counts, short lists) | {held_per_env:.1f} KB | "
        f"{keep_per_env:.1f} KB per parsed file | {held_per_env / keep_per_env:.2f}× | measured | measured |",
        f"| R3 | peak memory of read + all three outputs, tracemalloc, 50 → 200 summaries | "
        f"{peaks[50]:.1f} → {peaks[200]:.1f} MiB | — | — | measured (the outputs grow with the count) | "
        "measured |",
        f"| R3 | peak RSS of the whole process (ru_maxrss), 50 → 200 summaries | "
        f"{rss[50]:.0f} → {rss[200]:.0f} MiB | — | — | flat | "
        f"{'met' if rss[200] < 1.2 * rss[50] else 'MISSED'} |",
    ]
    command = "bench/report.py" + (f" --reps {args.reps}" if args.reps != 10 else "")
    facts = [
        f"- command: `{command}`; {args.reps} interleaved runs per case after one warm-up; the run took "
        f"{time.perf_counter() - started:.0f} s",
        f"- machine: {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, load average {load:.1f} at start (shared machine: hence ratios)",
        f"- input: 200 summaries, {size200 / 1e6:.1f} MB (half the 20 KB Helm summary of objects-plan.json, "
        "the rest the real stack's first plan and the corpus plans); outputs: Markdown "
        f"{md_size / 1000:.0f} KB (under GitHub's 65,536 characters), HTML {html_size / 1000:.0f} KB",
        "- memory: the report reads one file at a time and keeps counts and short lists per environment, so "
        "its peak is about one parsed file plus the outputs; keeping every parsed file grows with the count",
    ]
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    block = "\n".join([f"Date: {date}.", "", *facts, "", *rows]) + "\n"
    print(block)
    if args.no_write:
        return
    if not RESULTS.exists():
        RESULTS.write_text("# report benchmark results\n\nAppended by `bench/report.py`; newest last.\n\n")
    with RESULTS.open("a", encoding="utf-8") as fh:
        fh.write(f"## {date}\n\n{block}\n")
    text = MAIN_RESULTS.read_text(encoding="utf-8")
    section = f"{SECTION}\n\nWritten by `bench/report.py` (all runs: RESULTS-report.md). {block}"
    if SECTION in text:
        head, rest = text.split(SECTION, 1)
        tail = rest.split("\n## ", 1)[1] if "\n## " in rest else ""
        text = head + section + ("\n## " + tail if tail else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    MAIN_RESULTS.write_text(text, encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(REPO)} and the '{SECTION}' section of "
          f"{MAIN_RESULTS.relative_to(REPO)}", file=sys.stderr)


if __name__ == "__main__":
    main()
