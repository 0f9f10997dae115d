"""Benchmark: the render checks (k8sprov.rendering.checks.run_checks) over every object of a profile.

The stack of each profile is rendered once with the real Helm 3.17.3 of the test kit (the real chart
archives of tests/fixtures/real-charts, the shipped values, install order, API versions from the CRDs of
the releases before), outside the timings. Then, in this one process:

  warm       run_checks over the whole profile, validators compiled (target: ≤ 0.5 s per profile)
  baseline   the schema part alone with `jsonschema` (Draft 2020-12 validators of the same strict schemas,
             a `referencing.Registry` over the package's definitions, one validator per kind, kept warm)
  cold       a fresh Python process: import, load the version's definitions, compile while checking the
             first profile (counted separately: once per process)

Usage:  .venv/bin/python bench/checks.py [--reps 7] [--cold 3] [--kube 1.31] [--no-write]
Writes: a table on stdout, appended to bench/RESULTS-checks.md (machine, command, date).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.timing import interleaved  # noqa: E402
from k8sprov.rendering.model import ReleaseRender  # noqa: E402

RESULTS = REPO / "bench" / "RESULTS-checks.md"
PROFILES = ("basic", "staging", "production")
TARGET_S = 0.5


def render_profiles(kube: str) -> dict[str, list[ReleaseRender]]:
    from k8sprov.helm import resolve
    from tests.kit.fetch_helm import ensure_helm
    from tests.render.checks_kit import render_stack

    helm = resolve(str(ensure_helm()))
    return {profile: render_stack(helm, profile, kube) for profile in PROFILES}


def run_checks_once(renders: list[ReleaseRender], kube: str) -> int:
    from k8sprov.rendering.checks import run_checks
    from tests.render.checks_kit import context

    return len(run_checks(renders, context(kube)))


def jsonschema_baseline(kube: str) -> Callable[[list[ReleaseRender]], int]:
    """The schema check as the `jsonschema` library does it: one compiled validator per kind."""
    import jsonschema
    from referencing import Registry, Resource

    from k8sprov.rendering.checks.builtin import schema_root, schema_version

    major, minor = schema_version(kube)
    folder = schema_root() / f"v{major}.{minor}.0-local-strict"
    definitions = json.loads((folder / "_definitions.json").read_text(encoding="utf-8"))
    registry = Resource.from_contents(definitions) @ Registry()
    validators: dict[Path, Any] = {}

    def validate(renders: list[ReleaseRender]) -> int:
        errors = 0
        for render in renders:
            for obj in render.objects:
                api = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", obj.api_version)
                path = folder / f"{obj.kind.lower()}-{api}.json"
                if not path.exists():
                    continue
                validator = validators.get(path)
                if validator is None:
                    schema = json.loads(path.read_text(encoding="utf-8"))
                    validator = validators[path] = jsonschema.Draft202012Validator(schema, registry=registry)
                errors += sum(1 for _ in validator.iter_errors(obj.body))
        return errors

    return validate


def cold_child(pickle_path: str, kube: str) -> None:
    """In a fresh process: import, load and compile while checking the first profile."""
    start = time.perf_counter()
    from k8sprov.rendering.checks import CheckContext, NamespacePolicy, run_checks

    imported = time.perf_counter()
    renders = pickle.loads(Path(pickle_path).read_bytes())
    policy = {"monitoring": NamespacePolicy("restricted", "restricted"),
              "kyverno": NamespacePolicy("restricted", "restricted"),
              "argocd": NamespacePolicy("baseline", "restricted")}
    loaded = time.perf_counter()
    run_checks(renders, CheckContext(kube, policy))
    done = time.perf_counter()
    print(json.dumps({"import": imported - start, "check": done - loaded}))


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def spread(values: list[float]) -> str:
    return f"{ms(min(values))}–{ms(max(values))}"


@dataclass
class Measured:
    kube: str
    load: float
    render_s: float
    counts: dict[str, int]
    findings: dict[str, int]
    times: dict[str, list[float]]
    colds: list[dict[str, float]]

    def ours(self, profile: str) -> list[float]:
        return self.times[f"ours {profile}"]

    def baseline(self, profile: str) -> list[float]:
        return self.times[f"jsonschema {profile}"]


def measure(reps: int = 7, cold_runs: int = 3, kube: str = "1.31") -> Measured:
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    stacks = render_profiles(kube)
    render_s = time.perf_counter() - t0
    counts = {p: sum(len(r.objects) for r in stacks[p]) for p in PROFILES}

    with tempfile.TemporaryDirectory(prefix="k8sprov-bench-checks-") as tmp:
        first = Path(tmp) / "production.pickle"
        first.write_bytes(pickle.dumps(stacks["production"]))
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        colds = []
        for _ in range(cold_runs):
            out = subprocess.run([sys.executable, __file__, "--child-cold", str(first), kube], env=env,
                                 capture_output=True, text=True, check=True, cwd=REPO)
            colds.append(json.loads(out.stdout))

    findings = {p: run_checks_once(stacks[p], kube) for p in PROFILES}
    baseline = jsonschema_baseline(kube)
    cases: dict[str, Callable[[], object]] = {}
    for profile in PROFILES:
        cases[f"ours {profile}"] = lambda p=profile: run_checks_once(stacks[p], kube)
        cases[f"jsonschema {profile}"] = lambda p=profile: baseline(stacks[p])
    times = interleaved(cases, reps)
    return Measured(kube, load, render_s, counts, findings, times, colds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--cold", type=int, default=3)
    parser.add_argument("--kube", default="1.31")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--child-cold", nargs=2, metavar=("PICKLE", "KUBE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_cold:
        cold_child(*args.child_cold)
        return
    started = datetime.now(UTC)
    m = measure(args.reps, args.cold, args.kube)
    load, render_s, counts, findings, colds = m.load, m.render_s, m.counts, m.findings, m.colds

    command = "bench/checks.py" + ("" if not sys.argv[1:] else " " + shlex.join(sys.argv[1:]))
    lines = [
        f"## {started:%Y-%m-%d %H:%M} UTC",
        "",
        f"- machine: {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, load average {load:.1f} at start (shared machine)",
        f"- command: `.venv/bin/python {command}` (median and range of {args.reps} interleaved runs after "
        "one warm-up; cold: fresh processes)",
        f"- stacks: the real charts of each profile rendered by Helm 3.17.3 for Kubernetes {args.kube} "
        f"({render_s:.1f} s for the three, not in the timings): "
        + ", ".join(f"{p} {counts[p]} objects, {findings[p]} findings" for p in PROFILES),
        "",
        "| what | all five checks (ours) | schema check alone with `jsonschema` | ratio | target |",
        "|---|---|---|---:|---|",
    ]
    for profile in PROFILES:
        ours, theirs = m.ours(profile), m.baseline(profile)
        ratio = statistics.median(ours) / statistics.median(theirs)
        verdict = "met" if statistics.median(ours) <= TARGET_S else "MISSED"
        lines.append(f"| {profile}, warm, {counts[profile]} objects | {ms(statistics.median(ours))} "
                     f"({spread(ours)}) | {ms(statistics.median(theirs))} ({spread(theirs)}) | {ratio:.2f}× "
                     f"| ≤ 500 ms: {verdict} |")
    imports = [c["import"] for c in colds]
    checks = [c["check"] for c in colds]
    lines.append(f"| production, cold (fresh process) | {ms(statistics.median(checks))} ({spread(checks)}) "
                 f"+ `import k8sprov.rendering.checks` {ms(statistics.median(imports))} | — | — | measured |")
    lines.append("")
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        previous = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else \
            "# render checks benchmark results\n\nAppended by `bench/checks.py`; newest last.\n\n"
        RESULTS.write_text(previous + text + "\n", encoding="utf-8")
        print(f"wrote {RESULTS.relative_to(REPO)}", file=sys.stderr)


if __name__ == "__main__":
    main()
