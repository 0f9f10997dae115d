"""Benchmark B10: `k8sprov render --env basic` on the real charts, cold and warm, beside bare `helm template`.

The project is this repository's terraform/ and infra/ with the pinned real chart archives of
tests/fixtures/real-charts vendored (tests/render/projects.py); Helm is the test kit's real 3.17.3.

  cold      `k8sprov render --env basic` with no render cache (.k8sprov/cache/render removed before each run):
            four `helm template` runs (the CRD releases first, the others beside each other), reading
            ~12 MB of YAML, the checks, the report
  baseline  the four bare `helm template` runs one after another with exactly the same inputs (values
            file, --namespace, --include-crds, --kube-version, the --api-versions k8sprov passed), output
            to /dev/null
  warm      `k8sprov render --env basic`, nothing changed: the whole process

Each run is a fresh `.venv/bin/k8sprov` process. Used by bench/run.py (B10); runs alone too:
Usage:  .venv/bin/python bench/render.py [--reps 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.kit.fetch_helm import ensure_helm  # noqa: E402
from tests.render.projects import real_project  # noqa: E402

K8SPROV = str(Path(sys.executable).parent / "k8sprov")
COLD, BARE, WARM, VERSION = "render cold", "4 × helm template", "render warm", "k8sprov --version"


@dataclass
class Timings:
    times: dict[str, list[float]] = field(default_factory=dict)
    objects: dict[str, int] = field(default_factory=dict)
    helm_each: dict[str, float] = field(default_factory=dict)
    reading: dict[str, tuple[int, float]] = field(default_factory=dict)  # release -> (bytes, seconds)


def _env(helm: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "K8SPROV_"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a user's install has .pyc files
    return {**env, "K8SPROV_HELM": str(helm), "NO_COLOR": "1", "COLUMNS": "100"}


def _run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    proc = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{argv[:4]} exited {proc.returncode}: {proc.stderr.decode()[-2000:]}")
    return proc


def _timed(parse: Callable[..., object], text: str) -> float:
    start = time.perf_counter()
    parse(text, release="r", namespace="n")
    return time.perf_counter() - start


def measure(reps: int = 3) -> Timings:
    helm = ensure_helm()
    env = _env(helm)
    with tempfile.TemporaryDirectory(prefix="k8sprov-bench-render-") as tmp:
        root = real_project(Path(tmp) / "project")
        render = [K8SPROV, "-C", str(root), "render", "--env", "basic"]
        report = json.loads(_run([*render, "--json", "-"], env).stdout)  # warms .pyc, fills the cache
        out = Timings(objects={r["name"]: r["objects"] for r in report["releases"]})
        # The floor: reading Helm's output (what every check needs) with PyYAML's C loader, in-process.
        from k8sprov.rendering.manifest import parse_manifest

        manifests = Path(tmp) / "manifests"
        _run([*render, "-o", str(manifests)], env)
        for path in sorted(manifests.glob("*.yaml")):
            text = path.read_text()
            best = min(_timed(parse_manifest, text) for _ in range(2))
            out.reading[path.stem] = (len(text), best)
        bare_argv = []
        for release in report["releases"]:
            argv = [str(helm), "template", release["name"],
                    str(root / "charts" / f"{release['chart']}-{release['version']}.tgz"),
                    "--namespace", release["namespace"], "--include-crds",
                    "--kube-version", report["kube_version"],
                    "--values", str(root / "infra" / "values" / release["name"] / "basic.yaml")]
            for api in release["api_versions"]:
                argv += ["--api-versions", api]
            bare_argv.append((release["name"], argv))

        def cold() -> None:
            shutil.rmtree(root / ".k8sprov" / "cache" / "render", ignore_errors=True)
            _run(render, env)

        def bare() -> None:
            for name, argv in bare_argv:
                start = time.perf_counter()
                subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, check=True)
                out.helm_each.setdefault(name, time.perf_counter() - start)

        def warm() -> None:
            _run(render, env)

        def version() -> None:
            _run([K8SPROV, "--version"], env)

        cases = {COLD: cold, BARE: bare, WARM: warm, VERSION: version}
        out.times = {name: [] for name in cases}
        names = list(cases)
        for rep in range(reps):  # interleaved, a different case first each round
            for name in names[rep % len(names):] + names[:rep % len(names)]:
                if name == WARM:
                    warm()  # the cold case before it may have emptied the cache: refill it untimed
                start = time.perf_counter()
                cases[name]()
                out.times[name].append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    t = measure(args.reps)
    for name, values in t.times.items():
        print(f"{name:20} median {statistics.median(values) * 1000:8.0f} ms  "
              f"({min(values) * 1000:.0f}–{max(values) * 1000:.0f} ms)")
    cold, bare = statistics.median(t.times[COLD]), statistics.median(t.times[BARE])
    print(f"cold ÷ bare = {cold / bare:.2f}× (target ≤ 1.2×); objects {t.objects}")


if __name__ == "__main__":
    main()
