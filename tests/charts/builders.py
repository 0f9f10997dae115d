"""Chart archives built with real tar + gzip, and index.yaml files shaped like the real repositories'."""

from __future__ import annotations

import functools
import gzip
import hashlib
import io
import random
import tarfile
from collections.abc import Iterable
from dataclasses import dataclass

import yaml

MTIME = 1_767_225_600  # fixed, so archives (and their digests) are reproducible


@dataclass
class Member:
    name: str
    data: bytes = b""
    kind: bytes = tarfile.REGTYPE
    linkname: str = ""


def chart_yaml(name: str, version: str, app_version: str = "v1.0.0") -> bytes:
    return yaml.safe_dump(
        {
            "apiVersion": "v2",
            "name": name,
            "version": version,
            "appVersion": app_version,
            "type": "application",
            "description": f"A Helm chart for {name}",
            "home": f"https://example.org/{name}",
            "maintainers": [{"name": "k8sprov-tests"}],
        },
        sort_keys=False,
    ).encode()


def chart_members(name: str, version: str, payload: int = 20_000, seed: int = 0) -> list[Member]:
    """What a real chart holds: Chart.yaml, values.yaml, templates, a README; `payload` bytes of templates."""
    rng = random.Random(f"{name}-{version}-{seed}")
    lines = [f"  key{i}: {rng.getrandbits(64):016x}" for i in range(max(1, payload // 28))]
    template = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n"
        + "\n".join(lines)
        + "\n"
    ).encode()
    return [
        Member(f"{name}/Chart.yaml", chart_yaml(name, version)),
        Member(f"{name}/values.yaml", b'replicaCount: 1\nimage:\n  tag: ""\n'),
        Member(f"{name}/templates/", kind=tarfile.DIRTYPE),
        Member(f"{name}/templates/configmap.yaml", template),
        Member(f"{name}/templates/_helpers.tpl", b'{{- define "chart.name" -}}{{ .Chart.Name }}{{- end }}\n'),
        Member(f"{name}/README.md", f"# {name}\n".encode()),
    ]


def tgz(members: Iterable[Member]) -> bytes:
    """A gzip'd tar of `members`, made by the standard library's tar writer and gzip compressor."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for m in members:
            info = tarfile.TarInfo(m.name)
            info.mtime = MTIME
            info.type = m.kind
            info.mode = 0o755 if m.kind == tarfile.DIRTYPE else 0o644
            if m.kind in (tarfile.SYMTYPE, tarfile.LNKTYPE):
                info.linkname = m.linkname
                tar.addfile(info)
            elif m.kind == tarfile.DIRTYPE:
                tar.addfile(info)
            else:
                info.size = len(m.data)
                tar.addfile(info, io.BytesIO(m.data))
    return gzip.compress(raw.getvalue(), mtime=MTIME)


@functools.lru_cache(maxsize=64)
def chart_tgz(name: str, version: str, payload: int = 20_000) -> bytes:
    return tgz(chart_members(name, version, payload))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def index_entry(
    name: str, version: str, url: str, digest: str | None, *, prefix: str = ""
) -> dict[str, object]:
    """One entry as `helm repo index` (chart-releaser) writes it."""
    entry: dict[str, object] = {
        "annotations": {  # as the real kyverno and argo indexes carry them: block strings of nested YAML
            "artifacthub.io/changes": "- kind: added\n  description: something new\n",
            "artifacthub.io/prerelease": "true" if "-" in version else "false",
        },
        "dependencies": [{"condition": "crds.install", "name": "crds", "repository": "", "version": version}],
        "kubeVersion": ">=1.25.0-0",
        "apiVersion": "v2",
        "appVersion": f"v{version}",
        "created": "2026-08-01T10:00:00.000000000Z",
        "description": f"A Helm chart for {name}",
        "home": f"https://example.org/{name}",
        "icon": f"https://example.org/{name}.png",
        "keywords": [name, "kubernetes"],
        "maintainers": [{"name": "maintainer", "email": "maintainer@example.org"}],
        "name": name,
        "sources": [f"https://github.com/example/{name}"],
        "type": "application",
        "urls": [url],
        "version": version,
    }
    if digest is not None:
        entry["digest"] = prefix + digest
    return entry


def filler_versions(rng: random.Random, count: int, top: tuple[int, int, int]) -> list[str]:
    """Older releases and pre-releases, as a long-lived repository accumulates them."""
    versions = []
    major, minor, patch = top
    for _ in range(count):
        if patch > 0:
            patch -= 1
        elif minor > 0:
            minor, patch = minor - 1, rng.randint(0, 9)
        elif major > 0:
            major, minor, patch = major - 1, rng.randint(0, 9), rng.randint(0, 9)
        else:
            break
        versions.append(f"{major}.{minor}.{patch}")
        if rng.random() < 0.1:
            versions.append(f"{major}.{minor}.{patch + 1}-rc.{rng.randint(1, 3)}")
    return versions


def index_yaml(entries: dict[str, list[dict[str, object]]]) -> bytes:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    doc = {"apiVersion": "v1", "entries": entries, "generated": "2026-08-20T09:00:00Z"}
    return yaml.dump(doc, Dumper=dumper, sort_keys=True).encode()
