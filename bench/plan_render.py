"""Benchmark: summarise and render a 10,000-change (and 50,000-change) plan, beside `terraform show`.

The plans are REAL: made by the Terraform binary of the test kit (tests/kit, Terraform 1.0.3 + hashicorp/null
2.1.2, offline) from a stack of null_resources with `count`, then read back with `terraform show -json`.

  creates  `plan -out` of N new null_resources (N changes, no state needed)
  mixed    N changes against a prior state: 60% replaced (triggers change), 20% destroyed (count
           shrinks), 20% created, plus 0.2·N unchanged. The prior state is written as a format-4 state
           file (applying 50,000 null_resources takes Terraform 1.0 far too long); terraform makes the
           plan from it (-refresh=false).

For each plan it measures (best of --repeat runs, Python time only, JSON already parsed):
  summarize, render_rich (default and --detail, to a StringIO console of width 100, NO_COLOR),
  to_json + json.dumps, to_markdown; and, for comparison, `terraform show PLANFILE` (the human text
  view) and `terraform show -json PLANFILE` (what `k8sprov show --plan` calls first), wall time.
Peak memory: tracemalloc peak of summarize + all renderers (a separate, untimed pass).

Usage:  .venv/bin/python bench/plan_render.py [--sizes 10000 50000] [--no-mixed] [--repeat 5]
Writes: a table on stdout, appended to bench/RESULTS-plan.md (machine, command, date).
Cache:  $K8SPROV_BENCH_CACHE, else ~/.cache/k8sprov-bench (generated stacks, plans, plan JSON)
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import shlex
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from k8sprov.planview import PlanHeader, render_rich, summarize, to_json, to_markdown  # noqa: E402
from tests.kit.fetch_terraform import TerraformKit, ensure_kit  # noqa: E402

RESULTS = REPO / "bench" / "RESULTS-plan.md"

CREATES_TF = """\
variable "n" {
  type = number
}

resource "null_resource" "r" {
  count    = var.n
  triggers = { index = tostring(count.index), group = "g${count.index % 100}" }
}
"""

MIXED_TF = """\
variable "replaced" {
  type = number
}
variable "kept" {
  type = number
}
variable "added" {
  type = number
}
variable "generation" {
  type = string
}

resource "null_resource" "replaced" {
  count    = var.replaced
  triggers = { index = tostring(count.index), generation = var.generation }
}

resource "null_resource" "shrunk" {
  count    = var.kept
  triggers = { index = tostring(count.index) }
}

resource "null_resource" "added" {
  count    = var.added
  triggers = { index = tostring(count.index) }
}
"""


def cache_dir() -> Path:
    root = os.environ.get("K8SPROV_BENCH_CACHE")
    return Path(root) if root else Path.home() / ".cache" / "k8sprov-bench"


class Terraform:
    def __init__(self, kit: TerraformKit) -> None:
        self.kit = kit
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
        self.env.update(kit.env())
        self.env.update({"TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1", "TF_INPUT": "0"})

    def run(self, cwd: Path, *args: str) -> str:
        proc = subprocess.run(
            [str(self.kit.terraform), *args],
            cwd=cwd,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise SystemExit(f"terraform {' '.join(args)} failed in {cwd}:\n{proc.stderr or proc.stdout}")
        return proc.stdout

    def timed(self, cwd: Path, *args: str, repeat: int) -> float:
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            self.run(cwd, *args)
            best = min(best, time.perf_counter() - start)
        return best


def _stack(tf: Terraform, name: str, source: str) -> Path:
    folder = cache_dir() / name
    folder.mkdir(parents=True, exist_ok=True)
    main = folder / "main.tf"
    if not main.is_file() or main.read_text() != source:
        main.write_text(source)
        for stale in folder.glob("*.tfplan*"):
            stale.unlink()
    if not (folder / ".terraform").is_dir():
        tf.run(folder, "init", "-no-color", "-input=false")
    return folder


def creates_plan(tf: Terraform, n: int) -> tuple[Path, Path]:
    folder = _stack(tf, f"creates-{n}", CREATES_TF)
    plan, as_json = folder / "plan.tfplan", folder / "plan.json"
    if not plan.is_file() or not as_json.is_file():
        print(f"  making a real {n:,}-create plan with terraform (once, cached) …", file=sys.stderr)
        tf.run(folder, "plan", "-no-color", "-input=false", f"-var=n={n}", "-out=plan.tfplan")
        as_json.write_text(tf.run(folder, "show", "-json", "plan.tfplan"))
    return plan, as_json


def _state(resources: dict[str, tuple[int, Callable[[int], dict[str, str]]]]) -> dict[str, Any]:
    """A Terraform state (format 4) holding `count` null_resource instances per resource name."""
    provider = 'provider["registry.terraform.io/hashicorp/null"]'
    serial = 0
    blocks = []
    for name, (count, triggers) in resources.items():
        instances = []
        for i in range(count):
            serial += 1
            instances.append(
                {
                    "index_key": i,
                    "schema_version": 0,
                    "sensitive_attributes": [],
                    "private": "bnVsbA==",
                    "attributes": {"id": str(7_000_000_000 + serial), "triggers": triggers(i)},
                }
            )
        blocks.append(
            {
                "mode": "managed",
                "type": "null_resource",
                "name": name,
                "provider": provider,
                "instances": instances,
            }
        )
    return {
        "version": 4,
        "terraform_version": "1.0.3",
        "serial": 1,
        "lineage": "00000000-0000-4000-8000-000000000bec",
        "outputs": {},
        "resources": blocks,
    }


def mixed_plan(tf: Terraform, n: int) -> tuple[Path, Path]:
    """N changes: 60% replaced (triggers change), 20% destroyed (count shrinks), 20% created, plus as many
    unchanged objects as destroyed ones. The prior state is written directly (applying tens of thousands
    of null_resources takes Terraform 1.0 far too long); the plan itself is made by terraform."""
    folder = _stack(tf, f"mixed-{n}", MIXED_TF)
    plan, as_json = folder / "plan.tfplan", folder / "plan.json"
    replaced, shrunk = n * 6 // 10, n * 2 // 10
    added = n - replaced - shrunk
    if not plan.is_file() or not as_json.is_file():
        print(f"  making a real {n:,}-change mixed plan with terraform (once, cached) …", file=sys.stderr)
        state = _state(
            {
                "replaced": (replaced, lambda i: {"index": str(i), "generation": "a"}),
                "shrunk": (2 * shrunk, lambda i: {"index": str(i)}),
            }
        )
        (folder / "terraform.tfstate").write_text(json.dumps(state))
        tf.run(
            folder,
            "plan",
            "-no-color",
            "-input=false",
            "-refresh=false",
            f"-var=replaced={replaced}",
            f"-var=kept={shrunk}",
            f"-var=added={added}",
            "-var=generation=b",
            "-out=plan.tfplan",
        )
        as_json.write_text(tf.run(folder, "show", "-json", "plan.tfplan"))
    return plan, as_json


def best_of(fn: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def measure(doc: dict[str, Any], repeat: int) -> dict[str, float]:
    from rich.console import Console

    header = PlanHeader(environment="bench", profile="bench", workspace="bench", plan_file="plan.tfplan")

    def console() -> Console:
        return Console(file=io.StringIO(), width=100, no_color=True, color_system=None, highlight=False)

    summary = summarize(doc)
    times = {
        "summarize": best_of(lambda: summarize(doc), repeat),
        "rich": best_of(lambda: render_rich(summary, header, console()), repeat),
        "rich --detail": best_of(lambda: render_rich(summary, header, console(), detail=True), repeat),
        "json": best_of(lambda: json.dumps(to_json(summary, header)), repeat),
        "markdown": best_of(lambda: to_markdown(summary, header), repeat),
    }
    times["summarize + rich"] = best_of(lambda: render_rich(summarize(doc), header, console()), repeat)
    tracemalloc.start()
    s = summarize(doc)
    render_rich(s, header, console(), detail=True)
    json.dumps(to_json(s, header))
    to_markdown(s, header)
    times["peak MiB"] = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    times["changes"] = float(len(summary.listed))
    return times


def machine() -> str:
    cpu = platform.processor() or "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{platform.system()} {platform.machine()}, {cpu}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load average {load:.1f} at start"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--no-mixed", action="store_true", help="only the creates plans")
    parser.add_argument(
        "--mixed-sizes", type=int, nargs="+", help="which of --sizes also get a mixed plan (default: all)"
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help=f"do not append to {RESULTS.name}")
    args = parser.parse_args()

    header_line = machine()
    tf = Terraform(ensure_kit())
    version = tf.run(REPO, "version").splitlines()[0]
    cases: list[tuple[str, Path, Path]] = []
    for n in args.sizes:
        cases.append((f"creates {n:,}", *creates_plan(tf, n)))
        if not args.no_mixed and n in (args.mixed_sizes or args.sizes):
            cases.append((f"mixed {n:,}", *mixed_plan(tf, n)))

    columns = [
        "plan",
        "changes",
        "JSON MB",
        "json.loads",
        "summarize",
        "rich",
        "rich --detail",
        "json",
        "markdown",
        "summarize + rich",
        "peak MiB",
        "terraform show",
        "show -json",
        "ratio",
    ]
    rows: list[list[str]] = []
    for name, plan_file, json_file in cases:
        raw = json_file.read_text()
        loads = best_of(lambda raw=raw: json.loads(raw), max(1, args.repeat // 2))
        doc = json.loads(raw)
        times = measure(doc, args.repeat)
        show = tf.timed(
            plan_file.parent, "show", "-no-color", plan_file.name, repeat=max(1, args.repeat // 2)
        )
        show_json = tf.timed(
            plan_file.parent, "show", "-json", plan_file.name, repeat=max(1, args.repeat // 2)
        )
        ratio = times["summarize + rich"] / show
        rows.append(
            [
                name,
                f"{int(times['changes']):,}",
                f"{len(raw) / 1e6:.1f}",
                f"{loads * 1000:.0f} ms",
                *(
                    f"{times[k] * 1000:.0f} ms"
                    for k in ("summarize", "rich", "rich --detail", "json", "markdown", "summarize + rich")
                ),
                f"{times['peak MiB']:.0f}",
                f"{show * 1000:.0f} ms",
                f"{show_json * 1000:.0f} ms",
                f"{ratio:.2f}×",
            ]
        )
        print(f"  {name}: done", file=sys.stderr)

    table = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    table += ["| " + " | ".join(row) + " |" for row in rows]
    command = "python bench/plan_render.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    report = "\n".join(
        [
            f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            "",
            f"- machine: {header_line}",
            f"- terraform: {version} (tests/kit), plans made by it from null_resource stacks with `count`",
            f"- command: `{command.strip()}` (best of {args.repeat}; Python times exclude json.loads)",
            "- ratio: (summarize + rich) ÷ `terraform show PLANFILE` on the same plan (lower is better)",
            "",
            *table,
            "",
        ]
    )
    print(report)
    if not args.no_write:
        new = not RESULTS.is_file()
        with RESULTS.open("a", encoding="utf-8") as fh:
            if new:
                fh.write(
                    "# Plan view benchmark results\n\nAppended by `bench/plan_render.py`; newest last.\n\n"
                )
            fh.write(report + "\n")
        print(f"appended to {RESULTS.relative_to(REPO)}", file=sys.stderr)


if __name__ == "__main__":
    main()
