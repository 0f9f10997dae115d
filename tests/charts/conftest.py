"""A copy of the real chart world on loopback: three classic repositories shaped like the real ones (relative
URLs, absolute URLs on another host with a redirect, a `sha256:`-prefixed digest), an OCI registry with a
token challenge, and a project whose versions.tf names the real upstream repositories — reached through
`--mirror`, exactly as an air-gapped user would."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.charts import builders
from tests.charts.server import ChartServer

UPSTREAM = {
    "prometheus-community": "https://prometheus-community.github.io/helm-charts",
    "kyverno": "https://kyverno.github.io/kyverno/",
    "argo-helm": "https://argoproj.github.io/argo-helm",
}
CHARTS = {  # chart -> (repository key, pinned versions, payload bytes)
    "prometheus-operator-crds": ("prometheus-community", ["31.0.1", "30.0.1"], 150_000),
    "kyverno": ("kyverno", ["3.9.0", "3.8.2"], 40_000),
    "kyverno-policies": ("kyverno", ["3.9.0", "3.8.2"], 15_000),
    "argo-cd": ("argo-helm", ["10.1.1", "9.7.1"], 60_000),
}
PINS = {
    "basic": {
        "prometheus-operator-crds": "31.0.1",
        "kyverno": "3.9.0",
        "kyverno-policies": "3.9.0",
        "argo-cd": "10.1.1",
    },
    "staging": {
        "prometheus-operator-crds": "31.0.1",
        "kyverno": "3.9.0",
        "kyverno-policies": "3.9.0",
        "argo-cd": "10.1.1",
    },
    "production": {
        "prometheus-operator-crds": "30.0.1",
        "kyverno": "3.8.2",
        "kyverno-policies": "3.8.2",
        "argo-cd": "9.7.1",
    },
}
NEWEST = {
    "prometheus-operator-crds": "31.0.1",
    "kyverno": "3.9.0",
    "kyverno-policies": "3.9.0",
    "argo-cd": "10.1.1",
}


def versions_tf(catalog: dict[str, dict[str, Any]], pins: dict[str, dict[str, str]]) -> str:
    out = ["terraform {", '  required_version = ">= 1.5"', "}", "", "locals {", "  chart_catalog = {"]
    for name, entry in catalog.items():
        out.append(f'    "{name}" = {{')
        for key, value in entry.items():
            out.append(f"      {key} = {value if isinstance(value, int) else chr(34) + value + chr(34)}")
        out.append("    }")
    out += ["  }", "  chart_versions = {"]
    for profile, versions in pins.items():
        out.append(f"    {profile} = {{")
        out += [f'      "{k}" = "{v}"' for k, v in versions.items()]
        out.append("    }")
    out += ["  }", "}", ""]
    return "\n".join(out)


def real_catalog() -> dict[str, dict[str, Any]]:
    oci = {
        "prometheus-operator-crds": "oci://ghcr.io/prometheus-community/charts/prometheus-operator-crds",
        "kyverno": "oci://ghcr.io/kyverno/charts/kyverno",
        "kyverno-policies": "oci://ghcr.io/kyverno/charts/kyverno-policies",
        "argo-cd": "oci://ghcr.io/argoproj/argo-helm/argo-cd",
    }
    ns = {
        "prometheus-operator-crds": "monitoring",
        "kyverno": "kyverno",
        "kyverno-policies": "kyverno",
        "argo-cd": "argocd",
    }
    return {
        name: {
            "repository": UPSTREAM[repo],
            "oci": oci[name],
            "chart": name,
            "namespace": ns[name],
            "order": i + 1,
        }
        for i, (name, (repo, _, _)) in enumerate(CHARTS.items())
    }


def make_project(root: Path, catalog: dict[str, dict[str, Any]], pins: dict[str, dict[str, str]]) -> Path:
    (root / "terraform" / "modules" / "provision_k8s").mkdir(parents=True)
    (root / "terraform" / "modules" / "provision_k8s" / "versions.tf").write_text(versions_tf(catalog, pins))
    envs = root / "infra" / "envs"
    envs.mkdir(parents=True)
    for profile in pins:
        (envs / f"{profile}.tfvars").write_text(f'environment = "{profile}"\n')
    (envs / "prod-eu.tfvars").write_text('environment = "production"\n')
    return root


@dataclass
class World:
    repo: ChartServer  # 127.0.0.1: classic repositories, OCI registry, redirect targets
    gh: ChartServer  # "localhost": another host, like GitHub release downloads
    project: Path
    cli: Any
    archives: dict[tuple[str, str], bytes] = field(default_factory=dict)
    archive_paths: dict[tuple[str, str], str] = field(
        default_factory=dict
    )  # path on `repo` holding the bytes
    indexes: dict[str, dict[str, list[dict[str, object]]]] = field(default_factory=dict)
    generation: int = 0

    @property
    def charts_dir(self) -> Path:
        return self.project / "charts"

    def mirrors(self) -> list[str]:
        return [f"--mirror={UPSTREAM[k]}={self.repo.url}/{k}" for k in UPSTREAM]

    def run(self, *args: str, debug: bool = False) -> Any:
        pre = ("--debug",) if debug else ()
        return self.cli(*pre, "-C", str(self.project), "update-charts", *self.mirrors(), *args)

    def publish_indexes(self, generation: int = 0) -> None:
        """Serve the indexes; every publication gets a new ETag, as a real server's would."""
        self.generation = max(generation, self.generation + 1)
        generation = self.generation
        for key, entries in self.indexes.items():
            self.repo.add(
                f"/{key}/index.yaml",
                builders.index_yaml(entries),
                content_type="application/x-yaml",
                etag=f'"{key}-v{generation}"',
                last_modified="Thu, 20 Aug 2026 09:00:00 GMT",
            )

    def serve_archive(self, key: tuple[str, str], data: bytes, *, fix_digest: bool) -> None:
        """Serve other bytes for a pin; with `fix_digest` the index digest follows (only the archive check
        can catch it), without it the index keeps the genuine digest (the digest check must catch it)."""
        server, path = server_path(self, key)
        server.routes[path].body = data
        if fix_digest:
            name, version = key
            repo_key = CHARTS[name][0]
            for entry in self.indexes[repo_key][name]:
                if entry["version"] == version:
                    entry["digest"] = builders.sha256(data)
            self.publish_indexes(generation=2)

    def lock_entries(self) -> dict[tuple[str, str], dict[str, Any]]:
        import json

        lock = self.charts_dir / "charts.lock"
        if not lock.exists():
            return {}
        return {(e["name"], e["version"]): e for e in json.loads(lock.read_text())["charts"]}

    def leftovers(self) -> list[str]:
        return sorted(p.name for p in self.charts_dir.glob(".*")) if self.charts_dir.exists() else []


@pytest.fixture
def fast_http(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("K8SPROV_HTTP_BACKOFF", "0.01")
    monkeypatch.setenv("K8SPROV_HTTP_MAX_BACKOFF", "0.05")
    monkeypatch.setenv("K8SPROV_HTTP_TIMEOUT", "2")
    monkeypatch.setenv("K8SPROV_HTTP_RETRIES", "3")
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)  # the loopback servers are reached directly


@pytest.fixture
def world(tmp_path: Path, cli: Any, fast_http: None) -> Iterator[World]:
    repo = ChartServer("127.0.0.1").start()
    gh = ChartServer("127.0.0.1", url_host="localhost").start()
    rng = random.Random(4)
    w = World(repo=repo, gh=gh, project=make_project(tmp_path / "proj", real_catalog(), PINS), cli=cli)
    indexes: dict[str, dict[str, list[dict[str, object]]]] = {k: {} for k in UPSTREAM}
    for name, (repo_key, versions, payload) in CHARTS.items():
        entries = indexes[repo_key].setdefault(name, [])
        for version in versions:
            data = builders.chart_tgz(name, version, payload)
            digest = builders.sha256(data)
            w.archives[(name, version)] = data
            file = f"{name}-{version}.tgz"
            if repo_key == "kyverno":  # relative (kyverno) or absolute on the same host (kyverno-policies)
                path = f"/kyverno/{file}"
                url = file if name == "kyverno" else repo.url + path
                repo.add(path, data)
            elif repo_key == "prometheus-community":  # absolute URL on another host
                path = f"/prometheus-community/helm-charts/releases/download/{name}-{version}/{file}"
                url = gh.add(path, data)
            else:  # absolute on another host, which redirects to a third location (like GitHub releases)
                release = f"/argoproj/argo-helm/releases/download/{name}-{version}/{file}"
                path = f"/objects/{digest}"
                repo.add(path, data)
                gh.redirect(release, repo.url + path)
                url = gh.url + release
            w.archive_paths[(name, version)] = ("gh:" if repo_key == "prometheus-community" else "") + path
            prefix = "sha256:" if name == "kyverno-policies" else ""
            entries.append(builders.index_entry(name, version, url, digest, prefix=prefix))
            repo.add_oci_chart(f"charts/{name}", version, data)
        # A long history with pre-releases, newer pre-releases included: "newest stable" must skip them.
        major, minor, patch = (int(x) for x in versions[-1].split("."))
        for v in builders.filler_versions(rng, 60, (major, minor, patch)):
            entries.append(builders.index_entry(name, v, f"{name}-{v}.tgz", builders.sha256(v.encode())))
        top = versions[0].split(".")
        pre = f"{int(top[0])}.{int(top[1]) + 1}.0-rc.1"
        entries.insert(0, builders.index_entry(name, pre, f"{name}-{pre}.tgz", builders.sha256(pre.encode())))
    w.indexes = indexes
    w.publish_indexes()
    try:
        yield w
    finally:
        repo.stop()
        gh.stop()


def server_path(w: World, key: tuple[str, str]) -> tuple[ChartServer, str]:
    """The server and path that serve the archive's bytes (where faults are injected)."""
    path = w.archive_paths[key]
    if path.startswith("gh:"):
        return w.gh, path[3:]
    return w.repo, path
