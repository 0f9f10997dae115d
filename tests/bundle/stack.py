"""A fixture project for bundles: the null-resource stack plus a chart catalog, vendored chart archives,
their lock and values files — everything a bundle carries, small (tests) or real-size (bench)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from k8sprov.charts.lock import write_lock
from k8sprov.charts.model import LockEntry
from tests.charts import builders
from tests.kit.fetch_terraform import TerraformKit

FIXTURES = Path(__file__).parents[1] / "fixtures"
# chart -> (version per profile basic/staging, version for production)
CHARTS = {
    "prometheus-operator-crds": ("31.0.1", "30.0.1"),
    "kyverno": ("3.9.0", "3.8.2"),
    "kyverno-policies": ("3.9.0", "3.8.2"),
    "argo-cd": ("10.1.1", "9.7.1"),
}
SMALL = dict.fromkeys(CHARTS, 2_000)


def _versions_tf() -> str:
    lines = ["locals {", "  chart_catalog = {"]
    for order, name in enumerate(CHARTS, start=1):
        lines += [f'    "{name}" = {{', f'      repository = "https://charts.example.org/{name}"',
                  f'      chart      = "{name}"', f'      namespace  = "{name}"',
                  f"      order      = {order}", "    }"]
    lines += ["  }", "  chart_versions = {"]
    for profile in ("basic", "staging", "production"):
        lines.append(f"    {profile} = {{")
        for name, (newest, behind) in CHARTS.items():
            lines.append(f'      "{name}" = "{behind if profile == "production" else newest}"')
        lines.append("    }")
    lines += ["  }", "}", ""]
    return "\n".join(lines)


def make_project(dest: Path, payloads: dict[str, int] | None = None) -> Path:
    """Copy the null stack to `dest` and give it charts for every profile (payload bytes per chart)."""
    shutil.copytree(FIXTURES / "nullstack", dest)
    catalog = dest / "terraform" / "modules" / "provision_k8s" / "versions.tf"
    catalog.parent.mkdir(parents=True)
    catalog.write_text(_versions_tf())
    charts = dest / "charts"
    charts.mkdir()
    entries = []
    for name, versions in CHARTS.items():
        for version in sorted(set(versions)):
            data = builders.chart_tgz(name, version, (payloads or SMALL)[name])
            (charts / f"{name}-{version}.tgz").write_bytes(data)
            entries.append(LockEntry(name, version, f"https://charts.example.org/{name}",
                                     builders.sha256(data), len(data)))
        for profile in ("basic", "staging", "production"):
            values = dest / "infra" / "values" / name / f"{profile}.yaml"
            values.parent.mkdir(parents=True, exist_ok=True)
            values.write_text(f"# {name} for {profile}\nreplicaCount: 1\n")
    write_lock(charts, entries)
    return dest


def k8sprov(*args: str, kit: TerraformKit, home: Path, extra: dict[str, str] | None = None,
            prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    """The installed CLI in a child process, with the test kit's terraform and an empty HOME."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "K8SPROV_"))}
    env.update({"HOME": str(home), "NO_COLOR": "1", "COLUMNS": "100", **kit.env(), **(extra or {})})
    env = {k: v for k, v in env.items() if v != "" or k.lower() == "no_proxy"}  # "" in `extra` unsets
    return subprocess.run([*prefix, sys.executable, "-m", "k8sprov", *args], capture_output=True, text=True,
                          env=env, check=False, timeout=300)
