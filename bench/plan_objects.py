"""Benchmark: summarise one helm_release whose manifest holds 2,000 objects, large CRDs included.

The release is built the way the helm provider's manifest experiment writes it (`manifest`: one JSON
string keyed `[<ns>/]<kind.group>/<apiVersion>/<name>`), from object shapes taken from the test fixture
(tests/planview/objects_fixture.py: argo-cd Deployments, ConfigMaps, Secrets, kyverno ClusterRoles,
prometheus-operator CRDs). Scenarios, each a before/after pair of the same 2,000-object release:

  bump      a chart bump: every object's chart labels change, pod-template checksums change, 5% of
            the objects have changes of their own, 10 removed, 10 added, every CRD gains schema fields
  rewrite   worst case: every object has changes of its own (and the chart bump on top)
  same      nothing changed (the manifest strings are equal)

Measured (best of --repeat, Python only): `summarize(plan)` — which includes parsing both manifest
strings — and, for the bump, the renderers. The plan JSON itself is built once, untimed.

Usage:  .venv/bin/python bench/plan_objects.py [--objects 2000] [--crds 12] [--crd-fields 3000] [--repeat 5]
Writes: a table on stdout, appended to bench/RESULTS-objects.md (machine, command, date).
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import os
import platform
import shlex
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from k8sprov.planview import PlanHeader, render_rich, summarize, to_json, to_markdown  # noqa: E402
from tests.planview.objects_fixture import argo_objects, crd, kyverno_resources  # noqa: E402

RESULTS = REPO / "bench" / "RESULTS-objects.md"


def _templates(side: str) -> list[dict[str, Any]]:
    """One of each object shape from the fixture, for the given side of a chart bump."""
    shapes = [v for k, v in sorted(argo_objects(side).items()) if "dex" not in k and "horizontal" not in k]
    shapes += [
        json.loads(v) for k, v in sorted(kyverno_resources(side).items()) if "admission-controller" not in k
    ]
    return shapes


def _rename(obj: dict[str, Any], i: int) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    out["metadata"]["name"] = f"{obj['metadata']['name']}-{i:04d}"
    return out


def _key(obj: dict[str, Any]) -> str:
    group, _, _ = obj["apiVersion"].rpartition("/")
    kind = obj["kind"].lower() + (f".{group}" if group else "")
    ns = obj["metadata"].get("namespace")
    key = f"{kind}/{obj['apiVersion']}/{obj['metadata']['name']}"
    return f"{ns}/{key}" if ns else key


def release_pair(n: int, crds: int, crd_fields: int, scenario: str) -> tuple[dict[str, Any], dict[str, Any]]:
    old_shapes, new_shapes = _templates("old"), _templates("new")
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for c in range(crds):
        for side, target in (("old", before), ("new", after)):
            obj = crd(
                f"kind{c:02d}s", f"Kind{c:02d}", side if scenario != "same" else "old", extra_props=crd_fields
            )
            target[_key(obj)] = obj
    others = n - crds
    extra = 10 if scenario == "bump" else 0  # the bump removes the first 10 and adds 10 new ones
    for i in range(others + extra):
        shape = i % len(old_shapes)
        b = _rename(old_shapes[shape], i)
        if scenario == "same":
            a = copy.deepcopy(b)
        elif scenario == "rewrite" or i % 20 == 0:
            a = _rename(new_shapes[shape], i)  # own changes (replicas, image, data, rules …) + chart bump
        else:  # chart bump only: labels (and pod-template labels/checksums) of the new chart
            a = copy.deepcopy(b)
            new = new_shapes[shape]
            a["metadata"]["labels"] = copy.deepcopy(new["metadata"].get("labels"))
            template = new.get("spec", {}).get("template")
            if template is not None:
                a["spec"]["template"]["metadata"] = copy.deepcopy(template["metadata"])
        if i < others:
            before[_key(b)] = b
        if i >= extra:
            after[_key(a)] = a
    return before, after


def plan_for(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    def release(objects: dict[str, Any], version: str) -> dict[str, Any]:
        return {
            "name": "big",
            "namespace": "argocd",
            "chart": f"./../charts/big-{version}.tgz",
            "version": version,
            "values": [],
            "manifest": json.dumps(objects, separators=(",", ":"), sort_keys=True),
        }

    return {
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "variables": {"helm_manifest_experiment": {"value": True}},
        "resource_changes": [
            {
                "address": "helm_release.big",
                "mode": "managed",
                "type": "helm_release",
                "name": "big",
                "provider_name": "registry.terraform.io/hashicorp/helm",
                "change": {
                    "actions": ["update"],
                    "before": release(before, "1.0.0"),
                    "after": release(after, "1.1.0"),
                    "after_unknown": {},
                    "before_sensitive": {},
                    "after_sensitive": {},
                },
            }
        ],
    }


def best(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--objects", type=int, default=2000)
    parser.add_argument("--crds", type=int, default=12)
    parser.add_argument("--crd-fields", type=int, default=3000, help="extra schema properties per CRD")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help=f"do not append to {RESULTS.name}")
    args = parser.parse_args()
    from rich.console import Console

    rows = []
    for scenario in ("bump", "rewrite", "same"):
        before, after = release_pair(args.objects, args.crds, args.crd_fields, scenario)
        doc = plan_for(before, after)
        manifest_mb = len(doc["resource_changes"][0]["change"]["after"]["manifest"]) / 1e6
        crd_kb = len(json.dumps(next(v for k, v in after.items() if k.startswith("customresource")))) / 1e3
        summary = summarize(doc)
        objects = summary.changes[0].helm.objects  # type: ignore[union-attr]
        assert objects is not None and objects.status == "diff", objects
        t_sum = best(lambda doc=doc: summarize(doc), args.repeat)  # type: ignore[misc]
        row = {
            "scenario": scenario,
            "objects": len(after),
            "mb": manifest_mb,
            "crd_kb": crd_kb,
            "counts": objects.counts_text(),
            "summarize": t_sum,
        }
        if scenario == "bump":

            def rich(detail: bool, summary: Any = summary) -> None:
                console = Console(file=io.StringIO(), width=100, no_color=True, color_system=None)
                render_rich(summary, PlanHeader(), console, detail=detail)

            row["rich"] = best(lambda: rich(False), args.repeat)
            row["detail"] = best(lambda: rich(True), args.repeat)
            row["json"] = best(
                lambda summary=summary: json.dumps(to_json(summary, PlanHeader())), args.repeat
            )
            row["markdown"] = best(lambda summary=summary: to_markdown(summary, PlanHeader()), args.repeat)
        rows.append(row)

    def ms(value: Any) -> str:
        return f"{value * 1000:.0f} ms" if isinstance(value, float) else "–"

    lines = [
        "| scenario | objects | manifest MB (one side) | CRD KB each | objects changed | summarize | rich | "
        "rich --detail | json | markdown |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['scenario']} | {r['objects']:,} | {r['mb']:.1f} | {r['crd_kb']:.0f} | `{r['counts']}` | "
            f"{ms(r['summarize'])} | {ms(r.get('rich'))} | {ms(r.get('detail'))} | {ms(r.get('json'))} | "
            f"{ms(r.get('markdown'))} |"
        )
    table = "\n".join(lines)
    print(table)
    if args.no_write:
        return
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    command = "python bench/plan_objects.py " + shlex.join(sys.argv[1:])
    cpu = platform.processor() or platform.machine()
    text = (
        f"\n## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n\n"
        f"- machine: {platform.system()} {platform.machine()}, {cpu}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load average {load:.1f} at start\n"
        f"- command: `{command.strip()}` (best of {args.repeat}; "
        "summarize includes parsing both manifests)\n\n"
        f"{table}\n"
    )
    new = not RESULTS.is_file()
    with RESULTS.open("a", encoding="utf-8") as fh:
        if new:
            fh.write(
                "# Objects in Helm releases: benchmark results\n\nAppended by `bench/plan_objects.py`; "
                "newest last.\n"
            )
        fh.write(text)
    print(f"appended to {RESULTS.relative_to(REPO)}", file=sys.stderr)


if __name__ == "__main__":
    main()
