"""Scratch projects for the render tests: the repository's stack with the real charts vendored, and the
null-resource stack with one small chart (for Helm failures and secrets, quick to render)."""

from __future__ import annotations

import hashlib
import io
import shutil
import stat
import tarfile
from pathlib import Path

from k8sprov.charts.catalog import parse_catalog
from k8sprov.charts.lock import write_lock
from k8sprov.charts.model import LockEntry
from k8sprov.hcl import load_hcl
from tests.conftest import REAL_CHARTS

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"


def vendor(charts: Path, archives: dict[str, bytes]) -> None:
    """Archives into charts/ with a charts.lock, as update-charts leaves them."""
    charts.mkdir(parents=True, exist_ok=True)
    entries = []
    for name, data in archives.items():
        (charts / name).write_bytes(data)
        chart, _, version = name.removesuffix(".tgz").rpartition("-")
        digest = hashlib.sha256(data).hexdigest()
        entries.append(LockEntry(chart, version, "https://charts.example.org", digest, len(data)))
    write_lock(charts, entries)


def real_project(dest: Path) -> Path:
    """This repository's terraform/ and infra/, the pinned charts vendored from tests/fixtures/real-charts."""
    shutil.copytree(REPO / "terraform", dest / "terraform",
                    ignore=shutil.ignore_patterns(".terraform", "*.tfstate*", "terraform.tfstate.d"))
    shutil.copytree(REPO / "infra", dest / "infra")
    catalog = parse_catalog(load_hcl(dest / "terraform/modules/provision_k8s/versions.tf"), "versions.tf")
    wanted = {pin.archive_name for pin in catalog.pins()}
    vendor(dest / "charts", {p.name: p.read_bytes() for p in REAL_CHARTS.glob("*/*.tgz") if p.name in wanted})
    return dest


def chart_tgz(name: str, version: str, templates: dict[str, str]) -> bytes:
    """A chart archive as `helm package` lays it out: everything under <name>/."""
    files = {"Chart.yaml": f"apiVersion: v2\nname: {name}\nversion: {version}\n",
             "values.yaml": 'tag: ""\ntoken: ""\nforbid: false\n',
             **{f"templates/{k}": v for k, v in templates.items()}}
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for path, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{name}/{path}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


# A small chart: a Secret holding .Values.token, a ConfigMap that needs .Values.tag (`required`), and a
# guard whose `fail` message quotes the token.
SMALL_TEMPLATES = {
    "guard.yaml": '{{- if .Values.forbid }}{{ fail (printf "token %s is not allowed here" .Values.token) }}'
                  "{{- end }}\n",
    "secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app-token\n"
                   "stringData:\n  token: {{ .Values.token | default \"none\" | quote }}\n",
    "configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n"
                      "  tag: {{ required \"tag is required\" .Values.tag | quote }}\n",
}


def small_project(dest: Path, values: str = "tag: v1\n") -> Path:
    """The null-resource stack (Terraform 1.0.3 plans it for real) with one chart `app` in namespace
    `apps`, the same values file for every profile."""
    shutil.copytree(FIXTURES / "nullstack", dest)
    catalog = dest / "terraform" / "modules" / "provision_k8s" / "versions.tf"
    catalog.parent.mkdir(parents=True)
    catalog.write_text('locals {\n  chart_catalog = {\n    "app" = {\n'
                       '      repository = "https://charts.example.org"\n      chart      = "app"\n'
                       '      namespace  = "apps"\n      order      = 1\n    }\n  }\n'
                       '  chart_versions = {\n' + "".join(f'    {p} = {{ "app" = "0.1.0" }}\n'
                                                        for p in ("basic", "staging", "production"))
                       + "  }\n}\n")
    vendor(dest / "charts", {"app-0.1.0.tgz": chart_tgz("app", "0.1.0", SMALL_TEMPLATES)})
    for profile in ("basic", "staging", "production"):
        path = dest / "infra" / "values" / "app" / f"{profile}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(values)
    return dest


def counting_wrapper(target: Path, folder: Path, name: str) -> tuple[Path, Path]:
    """An executable that logs its arguments (one line per start) to a file, then runs `target`."""
    log = folder / f"{name}.log"
    script = folder / name
    script.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\nexec "{target}" "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, log


def fake_binary(folder: Path, name: str, version_line: str) -> Path:
    script = folder / name
    script.write_text(f"#!/bin/sh\necho {version_line}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script
