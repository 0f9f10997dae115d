"""Benchmark B11: `k8sprov affected` and `k8sprov ci matrix` over a fleet of 200 environment files.

The project is a git repository holding a copy of this repository's terraform/ and infra/ plus 200 env files
(`cluster-000` … `cluster-199`, profiles basic, staging and production in turn) and a charts.lock, committed
on `main`; a branch changes files of one kind, and each case runs as a fresh `.venv/bin/k8sprov` process,
as CI runs it:

  values     infra/values/kyverno/staging.yaml changed (67 environments of one profile)
  envs       5 env files changed, 1 added, uncommitted
  pins       a pin in versions.tf (both versions parsed with python-hcl2: the cost of comparing parsed pins)

The baseline is what the command cannot do without: `git diff --name-only main` in the same repository.
The cases are interleaved (round-robin, rotating start) after one untimed warm-up each; medians are kept.
Bytecode is written (PYTHONDONTWRITEBYTECODE unset) and warmed, as in a user's install.

Usage:  .venv/bin/python bench/affected.py [--reps 10] [--no-write]
Writes: a table on stdout, and the B11 section of bench/RESULTS.md (machine, command, date).
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.timing import interleaved, median_range  # noqa: E402

RESULTS = REPO / "bench" / "RESULTS.md"
K8SPROV = str(Path(sys.executable).parent / "k8sprov")
ENVS = 200
TARGET = 0.5  # seconds, for `affected` and `ci matrix` over 200 env files
BEGIN, END = "<!-- B11 begin: written by bench/affected.py -->", "<!-- B11 end -->"


@dataclass
class Timings:
    times: dict[str, list[float]] = field(default_factory=dict)
    affected_counts: dict[str, int] = field(default_factory=dict)
    changed_files: dict[str, int] = field(default_factory=dict)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "K8SPROV_"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update({"NO_COLOR": "1", "COLUMNS": "100", "GIT_CONFIG_NOSYSTEM": "1",
                "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
                "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid"})
    return env


def _run(argv: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{shlex.join(argv)} exited {proc.returncode}: {proc.stderr.decode()[-2000:]}")
    return proc


def make_fleet(root: Path, env: dict[str, str]) -> Path:
    """The project with ENVS env files and a lock, committed on main; returns the repository."""
    from tests.ci.gitrepo import lock_text

    project = root / "fleet"
    ignore = shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", "terraform.tfstate*", "*.tfplan")
    shutil.copytree(REPO / "terraform", project / "terraform", ignore=ignore)
    shutil.copytree(REPO / "infra", project / "infra", ignore=ignore)
    (project / "charts").mkdir()
    (project / "charts" / "charts.lock").write_text(lock_text(project / "terraform"))
    (project / ".gitignore").write_text(".k8sprov/\n")
    profiles = ("basic", "staging", "production")
    for i in range(ENVS):
        profile = profiles[i % 3]
        (project / "infra" / "envs" / f"cluster-{i:03d}.tfvars").write_text(
            f'# cluster {i}\nenvironment      = "{profile}"\nenvironment_name = "cluster-{i:03d}"\n\n'
            f'kubeconfig = {{\n  context = "cluster-{i:03d}"\n}}\n')
    _run(["git", "-c", "init.defaultBranch=main", "init", "-q"], project, env)
    _run(["git", "add", "-A"], project, env)
    _run(["git", "commit", "-qm", "fleet"], project, env)
    return project


def _change(project: Path, kind: str, env: dict[str, str]) -> None:
    """Put the working tree in the state of one case (from a clean main)."""
    _run(["git", "checkout", "-q", "-f", "main"], project, env)
    _run(["git", "clean", "-qfd", "infra", "terraform", "charts"], project, env)
    if kind == "values":
        path = project / "infra" / "values" / "kyverno" / "staging.yaml"
        path.write_text(path.read_text() + "# tuned\n")
    elif kind == "envs":
        for i in range(5):
            path = project / "infra" / "envs" / f"cluster-{i * 7:03d}.tfvars"
            path.write_text(path.read_text() + "# edited\n")
        (project / "infra" / "envs" / "cluster-new.tfvars").write_text('environment = "staging"\n')
    elif kind == "pins":
        path = project / "terraform" / "modules" / "provision_k8s" / "versions.tf"
        text = path.read_text()
        at = text.index("    staging = {")
        path.write_text(text[:at] + text[at:].replace('"argo-cd" = "10.1.1"', '"argo-cd" = "10.1.2"', 1))


def measure(reps: int = 10) -> Timings:
    env = _env()
    out = Timings()
    with tempfile.TemporaryDirectory(prefix="k8sprov-bench-affected-") as tmp:
        project = make_fleet(Path(tmp), env)
        git_diff = ["git", "diff", "--name-only", "main"]
        for kind in ("values", "envs", "pins"):
            _change(project, kind, env)
            affected = [K8SPROV, "affected", "--since", "main", "--json"]
            import json

            data = json.loads(_run(affected, project, env).stdout)  # also the warm-up of bytecode
            out.affected_counts[kind] = len(data["environments"])
            out.changed_files[kind] = len(data["not_affecting"]) + len(
                {r.split(" ")[0].split(":")[0] for e in data["environments"] for r in e["reasons"]})
            matrix = [K8SPROV, "ci", "matrix", "--since", "main"]
            cases: dict[str, Callable[[], object]] = {
                f"{kind}: affected": lambda argv=affected: _run(argv, project, env),
                f"{kind}: ci matrix": lambda argv=matrix: _run(argv, project, env),
                f"{kind}: git diff": lambda: _run(git_diff, project, env),
            }
            if kind == "values":
                cases["k8sprov --version"] = lambda: _run([K8SPROV, "--version"], project, env)
            out.times.update(interleaved(cases, reps))
    return out


def table(t: Timings) -> str:
    med = {name: statistics.median(values) for name, values in t.times.items()}
    lines = ["| case | command | k8sprov (median, range) | `git diff --name-only main` | ratio |"
             " over start-up | target | result |",
             "|---|---|---|---|---:|---:|---|---|"]
    start_up = med["k8sprov --version"]
    what = {"values": f"a values file of one profile ({t.affected_counts['values']} of {ENVS} environments)",
            "envs": f"5 env files edited, 1 added, uncommitted ({t.affected_counts['envs']} environments)",
            "pins": f"one staging pin in versions.tf ({t.affected_counts['pins']} environments)"}
    for kind in ("values", "envs", "pins"):
        base = med[f"{kind}: git diff"]
        for command in ("affected", "ci matrix"):
            ours = med[f"{kind}: {command}"]
            target = f"< {TARGET * 1000:.0f} ms" if kind != "pins" else "measured (parses versions.tf twice)"
            verdict = ("met" if ours < TARGET else "MISSED") if kind != "pins" else "measured"
            lines.append(f"| {what[kind]} | `{command}` | {median_range(t.times[f'{kind}: {command}'])} | "
                         f"{median_range(t.times[f'{kind}: git diff'])} | {ours / base:.1f}× | "
                         f"{(ours - start_up) * 1000:+.0f} ms | {target} | {verdict} |")
    return "\n".join(lines)


def section(t: Timings, command: str, started: datetime, seconds: float, reps: int) -> str:
    load = os.getloadavg()
    start_up = statistics.median(t.times["k8sprov --version"]) * 1000
    return "\n".join([
        BEGIN,
        "## B11: `affected` and `ci matrix` over 200 environment files",
        "",
        f"Written by `bench/affected.py`. Date: {started:%Y-%m-%d %H:%M} UTC; the run took {seconds:.0f} s.",
        "",
        f"- command: `{command}`",
        f"- {os.cpu_count()} cores; load average at start {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}",
        f"- method: a git repository with this project's terraform/ and infra/ and {ENVS} env files; each"
        f" case a fresh `.venv/bin/k8sprov` process; interleaved with the baseline, one warm-up, median of"
        f" {reps}",
        f"- over start-up: the median minus `k8sprov --version` (Python and Typer start-up, {start_up:.0f} ms"
        " in the same run)",
        "",
        table(t),
        "",
        "- The ratio to `git diff` is large because git answers in a few milliseconds: the time is k8sprov's"
        " start-up, three more git calls (the ref, the merge base, untracked files) and reading 200 profiles"
        " (one regular expression per env file; python-hcl2 only where that is not one clear line).",
        "- A pin change parses versions.tf at both commits with python-hcl2 (loading lark and its grammar"
        " dominates; it is not needed for env, values, lock or other terraform changes).",
        END,
    ]) + "\n"


def write_section(text: str) -> None:
    """Replace the B11 section of bench/RESULTS.md (or add it at the end): bench/run.py owns the rest."""
    current = RESULTS.read_text(encoding="utf-8") if RESULTS.is_file() else ""
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END) + r"\n?", re.S)
    if pattern.search(current):
        new = pattern.sub(lambda _m: text, current)
    else:
        new = current.rstrip() + "\n\n" + text
    RESULTS.write_text(new, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=10, help="timed runs per case")
    parser.add_argument("--no-write", action="store_true", help="do not write bench/RESULTS.md")
    args = parser.parse_args()
    started, t0 = datetime.now(UTC), time.perf_counter()
    timings = measure(args.reps)
    command = "bench/affected.py" + ("" if not sys.argv[1:] else " " + shlex.join(sys.argv[1:]))
    text = section(timings, command, started, time.perf_counter() - t0, args.reps)
    print(text)
    if not args.no_write:
        write_section(text)
        print(f"wrote the B11 section of {RESULTS.relative_to(REPO)}", file=sys.stderr)


if __name__ == "__main__":
    main()
