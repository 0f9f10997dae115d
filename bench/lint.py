"""Benchmark: `k8sprov lint --all`, cold and warm, over chart archives the size of the real ones.

The project is a copy of this repository's terraform/ and infra/ (3 environments, 12 values files). Its
charts/ holds one archive per pinned version, built from the test charts of tests/lint/charts.py (the real
patterns) and padded to the real charts' size:

  argo-cd                  ~200 templates (+ redis-ha subchart), values.yaml ~4,000 lines
  kyverno                  ~150 templates, values.yaml ~2,000 lines, CRDs ~2 MB in a subchart
  kyverno-policies         ~40 policies
  prometheus-operator-crds 10 CRDs, ~3.5 MB of templates

cold = no `.k8sprov/cache/lint/` (every archive read and analysed); warm = the cache from the run before.
Each run is a fresh `.venv/bin/k8sprov` process, as a user or CI runs it.

Usage:  .venv/bin/python bench/lint.py [--warm 10] [--cold 3]
Writes: a table on stdout, appended to bench/RESULTS-lint.md (machine, command, date).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from k8sprov.charts.catalog import parse_catalog  # noqa: E402
from k8sprov.hcl import load_hcl  # noqa: E402
from tests.lint import charts  # noqa: E402

RESULTS = REPO / "bench" / "RESULTS-lint.md"
K8SPROV = REPO / ".venv" / "bin" / "k8sprov"


def _component_values(name: str) -> str:
    return f"""\
{name}:
  enabled: true
  replicas: 1
  resources: {{}}
  nodeSelector: {{}}
  affinity: {{}}
  pdb:
    enabled: false
    labels: {{}}
    minAvailable: ""
    maxUnavailable: ""
  env: []
  extraArgs: []
  podAnnotations: {{}}
  podLabels: {{}}
  service:
    type: ClusterIP
    port: 80
    annotations: {{}}
"""


_RNG = random.Random(1)
_WORDS = ["".join(_RNG.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(_RNG.randint(2, 11)))
          for _ in range(3000)]


def _prose(size: int, indent: str) -> str:
    """OpenAPI-description-like text: compresses about as well as the real CRDs' (~6x)."""
    rng = random.Random(size)
    out, total = [], 0
    while total < size:
        line = f"{indent}description: {' '.join(rng.choices(_WORDS, k=12))}\n"
        out.append(line)
        total += len(line)
    return "".join(out)


def _crd_text(name: str, size: int) -> str:
    head = charts.CRD_TEMPLATE.replace("NAME", name)
    return head + "spec:\n  versions:\n" + _prose(size, "            ")


def _unpack(archive: bytes) -> tuple[dict[str, str | bytes], list[dict[str, object]]]:
    """The files of a test chart (paths inside its folder) and its Chart.yaml dependencies."""
    import io
    import tarfile

    import yaml

    files: dict[str, str | bytes] = {}
    deps: list[dict[str, object]] = []
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        for member in tar:
            handle = tar.extractfile(member) if member.isfile() else None
            if handle is None:
                continue
            _, rel = member.name.split("/", 1)
            if rel == "Chart.yaml":
                deps = yaml.safe_load(handle.read()).get("dependencies") or []
            else:
                files[rel] = handle.read().decode()
    return files, deps


def argo_cd(version: str) -> bytes:
    extra = 190 - 21  # the test chart has 21 templates
    values = "".join(_component_values(f"extra{n}") for n in range(extra))
    values += _prose(40_000, "# ")
    files, deps = _unpack(charts.argo_cd(version, extra_templates=extra, extra_values=values))
    for name in ("applications", "applicationsets", "appprojects"):
        files[f"templates/crds/crd-{name}.yaml"] = _crd_text(name, 250_000)
    return charts.package("argo-cd", version, files, deps)


def kyverno(version: str) -> bytes:
    files, _ = _unpack(charts.kyverno(version))
    values = str(files["values.yaml"])
    for n in range(140):
        files[f"templates/policies/extra-{n}.yaml"] = charts.KYVERNO_PDB_MONITOR.replace(
            "CONTROLLER", f"extra{n}")
        values += charts.KYVERNO_CONTROLLER.replace("CONTROLLER", f"extra{n}")
    files["values.yaml"] = values + _prose(30_000, "# ")
    files["charts/crds/Chart.yaml"] = charts.chart_yaml("crds", "0.0.0")
    for n in range(20):
        files[f"charts/crds/templates/crd-{n}.yaml"] = _crd_text(f"policy{n}", 100_000)
    deps = [{"name": "openreports", "version": "0.1.0", "condition": "openreports.enabled"},
            {"name": "crds", "version": "0.0.0", "condition": "crds.install"}]
    return charts.package("kyverno", version, files, deps)


def kyverno_policies(version: str) -> bytes:
    files: dict[str, str | bytes] = {"values.yaml": charts.POLICIES_VALUES,
                                     "templates/_helpers.tpl": charts.POLICIES_HELPERS}
    for n in range(40):
        files[f"templates/policy-{n}.yaml"] = charts.POLICY.replace("NAME", f"policy-{n}")
    return charts.package("kyverno-policies", version, files)


def prometheus_operator_crds(version: str) -> bytes:
    sub_values = "annotations: {}\n" + "".join(f"{n}:\n  enabled: true\n" for n in charts.CRD_NAMES)
    files: dict[str, str | bytes] = {
        "values.yaml": "crds:\n  annotations: {}\n",
        "charts/crds/Chart.yaml": charts.chart_yaml("crds", "0.0.0"),
        "charts/crds/values.yaml": sub_values,
    }
    for name in charts.CRD_NAMES:
        files[f"charts/crds/templates/crd-{name}.yaml"] = _crd_text(name, 350_000)
    return charts.package("prometheus-operator-crds", version, files, [{"name": "crds", "version": "0.0.0"}])


BUILDERS = {"argo-cd": argo_cd, "kyverno": kyverno, "kyverno-policies": kyverno_policies,
            "prometheus-operator-crds": prometheus_operator_crds}


def build_project(root: Path) -> list[tuple[str, int, int, int]]:
    """The project under `root`; returns (archive, bytes, templates, values.yaml lines) per archive."""
    import io
    import tarfile

    shutil.copytree(REPO / "terraform", root / "terraform",
                    ignore=shutil.ignore_patterns(".terraform", "*.tfstate*", "terraform.tfstate.d"))
    shutil.copytree(REPO / "infra", root / "infra")
    (root / "charts").mkdir()
    catalog = parse_catalog(load_hcl(REPO / "terraform/modules/provision_k8s/versions.tf"), "versions.tf")
    sizes = []
    for pin in catalog.pins():
        data = BUILDERS[pin.name](pin.version)
        (root / "charts" / pin.archive_name).write_bytes(data)
        templates = lines = 0
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            for member in tar:
                if "/templates/" in member.name and member.isfile():
                    templates += 1
                if member.name == f"{pin.name}/values.yaml":
                    handle = tar.extractfile(member)
                    lines = handle.read().count(b"\n") if handle else 0
        sizes.append((pin.archive_name, len(data), templates, lines))
    return sizes


def timed(cmd: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, proc


@dataclass
class LintTimes:
    cold: list[float]
    warm: list[float]
    version: list[float]  # `k8sprov --version`: the start-up floor
    summary: str  # lint's last line: what it looked at
    sizes: list[tuple[str, int, int, int]]  # (archive, bytes, templates, values.yaml lines)


def measure(warm_runs: int, cold_runs: int) -> LintTimes:
    """Cold and warm `lint --all` times (fresh processes), `--version` as the floor, what was linted."""
    with tempfile.TemporaryDirectory(prefix="k8sprov-bench-lint-") as tmp:
        root = Path(tmp) / "project"
        sizes = build_project(root)
        cmd = [str(K8SPROV), "-C", str(root), "lint", "--all"]
        cache = root / ".k8sprov" / "cache" / "lint"
        cold: list[float] = []
        warm: list[float] = []
        for _ in range(cold_runs):
            shutil.rmtree(cache, ignore_errors=True)
            seconds, proc = timed(cmd)
            if proc.returncode != 0:
                raise RuntimeError(f"lint failed:\n{proc.stdout}{proc.stderr}")
            cold.append(seconds)
        for _ in range(warm_runs):
            seconds, proc = timed(cmd)
            if proc.returncode != 0:
                raise RuntimeError(f"lint failed:\n{proc.stdout}{proc.stderr}")
            warm.append(seconds)
        summary = proc.stdout.strip().splitlines()[-1]
        version = [timed([str(K8SPROV), "--version"])[0] for _ in range(5)]
    return LintTimes(cold, warm, version, summary, sizes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm", type=int, default=10)
    parser.add_argument("--cold", type=int, default=3)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    try:
        result = measure(args.warm, args.cold)
    except RuntimeError as err:
        sys.exit(str(err))
    cold, warm, version, summary, sizes = (result.cold, result.warm, result.version, result.summary,
                                           result.sizes)

    def ms(values: list[float]) -> str:
        return (f"{statistics.median(values) * 1000:.0f} ms "
                f"({min(values) * 1000:.0f}–{max(values) * 1000:.0f} ms)")

    rows = [
        f"| `k8sprov lint --all`, cold (no cache), {args.cold} runs | {ms(cold)} | — |",
        f"| `k8sprov lint --all`, warm, {args.warm} runs | {ms(warm)} | < 1000 ms: "
        f"{'met' if statistics.median(warm) < 1 else 'MISSED'} |",
        f"| `k8sprov --version` (start-up floor), 5 runs | {ms(version)} | — |",
    ]
    archives = "; ".join(f"{name} {size / 1e6:.2f} MB, {templates} templates, values.yaml {lines} lines"
                         for name, size, templates, lines in sizes)
    cpu = platform.processor() or platform.machine()
    text = "\n".join([
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"- machine: {platform.system()} {platform.machine()}, {cpu}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load average {load:.1f} at start",
        f"- command: `{shlex.join([Path(sys.executable).name, 'bench/lint.py', *sys.argv[1:]])}`"
        " (median, range; each run a new process)",
        f"- project: this repository's terraform/ and infra/ (3 environments, 12 values files); {summary}",
        f"- archives: {archives}",
        "",
        "| what | time | target |",
        "|---|---|---|",
        *rows,
        "",
    ])
    print(text)
    if not RESULTS.exists():
        RESULTS.write_text("# lint benchmark results\n\nAppended by `bench/lint.py`; newest last.\n\n")
    with RESULTS.open("a") as fh:
        fh.write(text + "\n")


if __name__ == "__main__":
    main()
