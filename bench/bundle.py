"""Bundle benchmark: `k8sprov bundle`, `bundle verify` and `bundle unpack` for one profile's real-size charts.

The project is the null-resource fixture stack initialised by the test kit (Terraform 1.0.3 + hashicorp/null
2.1.2, offline) plus the four charts of profile `basic`, generated at about the compressed size of the real
releases (real archives cannot be fetched here): argo-cd ~180 KB, kyverno ~90 KB, kyverno-policies ~30 KB,
prometheus-operator-crds ~400 KB. The production profile's charts are vendored too and must stay out.
Baselines in the same loop: GNU `tar -czf` over the same files (packing without any checks) and `sha256sum`
of the bundle file (reading it once). End-to-end numbers are subprocesses of this venv's `k8sprov`.

Usage:   .venv/bin/python bench/bundle.py [--reps N] [--no-write]
Writes:  a table on stdout and appends to bench/RESULTS-bundle.md. Nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.bundle.stack import CHARTS, make_project  # noqa: E402
from tests.charts import builders  # noqa: E402
from tests.kit.fetch_terraform import ensure_kit  # noqa: E402

RESULTS = REPO / "bench" / "RESULTS-bundle.md"
K8SPROV = str(Path(sys.executable).parent / "k8sprov")
TARGET_KB = {"argo-cd": 180, "kyverno": 90, "kyverno-policies": 30, "prometheus-operator-crds": 400}


def calibrated_payloads() -> dict[str, int]:
    """Template bytes per chart so that each generated archive lands near its real compressed size."""
    payloads = {}
    for name, (version, _) in CHARTS.items():
        payload = TARGET_KB[name] * 1024 * 2
        for _ in range(3):  # the generator's output is close to linear in the payload
            size = len(builders.chart_tgz(name, version, payload))
            payload = int(payload * TARGET_KB[name] * 1024 / size)
        payloads[name] = payload
    return payloads


def run(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{shlex.join(argv)} failed ({proc.returncode}): {proc.stderr.strip()[-400:]}")
    return elapsed


@dataclass
class BundleTimes:
    times: dict[str, list[float]]  # case -> seconds per run
    file_size: int
    unpacked: int
    chart_bytes: int
    provider_bytes: int
    charts: dict[str, int]  # archive -> bytes
    members: int
    tar_size: int


BUNDLE, TAR, VERIFY, SHA256SUM, UNPACK = (
    "k8sprov bundle --env a", "tar -czf (same files, no checks)", "k8sprov bundle verify",
    "sha256sum bundle file", "k8sprov bundle unpack")


def measure(reps: int) -> BundleTimes:
    """bundle, verify and unpack of one environment beside tar and sha256sum, interleaved."""
    kit = ensure_kit()
    work = Path(tempfile.mkdtemp(prefix="k8sprov-bench-bundle-"))
    try:
        home = work / "home"
        home.mkdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "K8SPROV_"))}
        env.update({"HOME": str(home), "NO_COLOR": "1", **kit.env()})
        project = make_project(work / "proj", calibrated_payloads())
        run([K8SPROV, "-C", str(project), "init", "--env", "a"], env)
        out = work / "a.tar.gz"
        bundle = [K8SPROV, "-C", str(project), "bundle", "--env", "a", "-o", str(out)]
        run(bundle, env)  # warm-up, and the file the readers below measure
        with tarfile.open(out, "r:gz") as tar:
            manifest = json.loads(tar.extractfile("bundle.json").read())  # type: ignore[union-attr]
        members = [m["path"] for m in manifest["members"]]
        tar_out = work / "plain.tar.gz"
        plain = ["tar", "-czf", str(tar_out), "-C", str(project), "--dereference", *members]
        # tar reads providers/ from the data dir, where init linked the package
        (project / "providers").symlink_to(project / ".k8sprov" / "envs" / "a" / "tfdata" / "providers")
        cases = {
            BUNDLE: lambda: run(bundle, env),
            TAR: lambda: run(plain, env),
            VERIFY: lambda: run([K8SPROV, "bundle", "verify", str(out)], env),
            SHA256SUM: lambda: run(["sha256sum", str(out)], env),
            UNPACK: lambda: unpack(env, out, work),
        }
        times: dict[str, list[float]] = {name: [] for name in cases}
        for rep in range(reps):
            order = list(cases)
            order = order[rep % len(order):] + order[: rep % len(order)]
            for name in order:
                times[name].append(cases[name]())
        (project / "providers").unlink()
        sizes = {m["path"]: m["size"] for m in manifest["members"]}
        return BundleTimes(
            times=times, file_size=out.stat().st_size, unpacked=sum(sizes.values()),
            chart_bytes=sum(s for p, s in sizes.items() if p.startswith("charts/") and p.endswith(".tgz")),
            provider_bytes=sum(s for p, s in sizes.items() if p.startswith("providers/")),
            charts={p.removeprefix("charts/"): s for p, s in sizes.items() if p.endswith(".tgz")},
            members=len(members), tar_size=tar_out.stat().st_size)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    m = measure(args.reps)
    report(args, m.times, m.file_size, m.unpacked, m.chart_bytes, m.provider_bytes, m.charts, m.members,
           m.tar_size)


def unpack(env: dict[str, str], out: Path, work: Path) -> float:
    dest = work / "site"
    shutil.rmtree(dest, ignore_errors=True)
    return run([K8SPROV, "bundle", "unpack", str(out), str(dest)], env)


def report(args: argparse.Namespace, times: dict[str, list[float]], file_size: int, unpacked: int,
           chart_bytes: int, provider_bytes: int, charts: dict[str, int], members: int,
           tar_size: int) -> None:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"## {now}",
        "",
        f"- machine: {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, Python"
        f" {platform.python_version()}, load average {os.getloadavg()[0]:.1f} at start",
        "- project: null-resource fixture stack, Terraform 1.0.3 + hashicorp/null 2.1.2 (tests/kit), profile"
        " basic, charts generated at about the real compressed sizes",
        f"- command: `.venv/bin/python bench/bundle.py --reps {args.reps}` (median of {args.reps},"
        " subprocesses, cases interleaved)",
        f"- bundle: {members} members, {file_size / 1e6:.2f} MB file, {unpacked / 1e6:.2f} MB unpacked"
        f" (provider {provider_bytes / 1e6:.2f} MB, charts {chart_bytes / 1e3:.0f} KB:"
        f" {', '.join(f'{k} {v / 1e3:.0f} KB' for k, v in sorted(charts.items()))});"
        f" plain `tar -czf` of the same files {tar_size / 1e6:.2f} MB",
        "",
        "| case | median | min | max |",
        "|---|---|---|---|",
    ]
    for name, values in times.items():
        lines.append(f"| {name} | {statistics.median(values) * 1000:.0f} ms | {min(values) * 1000:.0f} ms"
                     f" | {max(values) * 1000:.0f} ms |")
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_write:
        if not RESULTS.exists():
            RESULTS.write_text("# Bundle benchmark results\n\nAppended by `bench/bundle.py`;"
                               " newest last.\n\n")
        with RESULTS.open("a") as fh:
            fh.write(text + "\n")


if __name__ == "__main__":
    main()
