"""The stand-in providers' own "cluster": what exists outside Terraform's state, so drift can be tested.

With K8SPROV_STANDIN_CLUSTER=<folder> (RealStack sets it to `<project>/cluster`), the helm and kubernetes
stand-ins keep every object they create in `<folder>/<cluster>.json`, one file per cluster identity — the
provider configuration's `host`, else its kubeconfig context and files — so two environments on two
clusters never see each other's objects:

- create and update write the object (the resource's whole value, as apply returned it);
- read returns what the cluster holds, and nothing when the object is gone (Terraform then drops it from
  the state, as with the real providers);
- delete removes it.

Without the variable, read returns Terraform's own state (no cluster at all). Talos and null resources
have no cluster objects and always read back their state.

Tests edit the cluster behind Terraform's back:

    cluster = StandinCluster(stack.root / "cluster")
    cluster.edit("kubernetes_namespace_v1/monitoring",
                 lambda ns: ns["metadata"][0]["labels"].update({"team": "ops"}))
    cluster.upgrade_release("kyverno", "kyverno", version="3.8.2")   # helm upgrade by hand
    cluster.delete("kubernetes_namespace_v1/argocd")

Object keys: `helm_release/<namespace>/<name>`, `<kubernetes type>/<name>` (or `/<namespace>/<name>` for
namespaced objects). This file is test kit only: it is never part of the installed package.
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ENV_VAR = "K8SPROV_STANDIN_CLUSTER"
# Providers whose resources are objects in a cluster; the others (talos, null) have nothing to read.
CLUSTER_PROVIDERS = frozenset({"helm", "kubernetes"})


def identity(provider: str, config: dict[str, Any]) -> str | None:
    """Which cluster a provider configuration points at; None while a part of it is still unknown."""
    conn = config.get("kubernetes") if provider == "helm" else config
    if not isinstance(conn, dict):
        conn = {}
    host = conn.get("host")
    if isinstance(host, str) and host:
        return f"host={host}"
    context = conn.get("config_context")
    paths = conn.get("config_paths")
    path = conn.get("config_path")
    files = [p for p in (paths if isinstance(paths, list) else [path]) if isinstance(p, str)]
    values = [host, context, *files]
    if any(v is not None and not isinstance(v, str) for v in values):
        return None  # unknown at plan time (e.g. the host comes from Talos): no objects to read yet
    return f"context={context or '(current-context)'}@{':'.join(files)}"


def object_key(type_name: str, value: dict[str, Any] | None) -> str | None:
    """The object's name in the cluster, from a resource value (state, planned or applied)."""
    if not isinstance(value, dict):
        return None
    if type_name == "helm_release":
        name, namespace = value.get("name"), value.get("namespace") or "default"
        return f"helm_release/{namespace}/{name}" if isinstance(name, str) else None
    metadata = value.get("metadata")
    meta = metadata[0] if isinstance(metadata, list) and metadata else metadata
    if isinstance(meta, dict) and isinstance(meta.get("name"), str):
        namespace = meta.get("namespace")
        return f"{type_name}/{namespace + '/' if isinstance(namespace, str) else ''}{meta['name']}"
    return None


def _file_name(ident: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", ident.split("@", 1)[0].split("=", 1)[-1]).strip("-")[:40]
    return f"{slug or 'cluster'}-{hashlib.sha256(ident.encode()).hexdigest()[:10]}.json"


class ClusterFile:
    """One cluster's objects: a JSON file, read and written under an exclusive lock (the helm and the
    kubernetes stand-in are two processes, and several environments may share a cluster)."""

    def __init__(self, path: Path, ident: str) -> None:
        self.path, self.ident = path, ident

    @classmethod
    def for_provider(cls, folder: Path, provider: str, config: dict[str, Any]) -> ClusterFile | None:
        ident = identity(provider, config)
        return None if ident is None else cls(folder / _file_name(ident), ident)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, Any]]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.with_suffix(".lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                data = json.loads(self.path.read_text()) if self.path.is_file() else {}
            except ValueError:
                data = {}
            data.setdefault("identity", self.ident)
            data.setdefault("objects", {})
            before = json.dumps(data, sort_keys=True)
            yield data
            if json.dumps(data, sort_keys=True) != before:
                tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
                tmp.replace(self.path)

    def get(self, key: str) -> dict[str, Any] | None:
        with self._locked() as data:
            found = data["objects"].get(key)
            return copy.deepcopy(found) if isinstance(found, dict) else None

    def put(self, key: str, value: dict[str, Any]) -> None:
        with self._locked() as data:
            data["objects"][key] = value

    def remove(self, key: str) -> None:
        with self._locked() as data:
            data["objects"].pop(key, None)


class StandinCluster:
    """The test side: every cluster file in a folder, to look at and to change behind Terraform's back."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _files(self) -> list[ClusterFile]:
        out = []
        for path in sorted(self.folder.glob("*.json")):
            try:
                ident = json.loads(path.read_text()).get("identity", path.stem)
            except ValueError:
                continue
            out.append(ClusterFile(path, str(ident)))
        return out

    def _owner(self, key: str) -> ClusterFile:
        holders = [f for f in self._files() if f.get(key) is not None]
        if len(holders) != 1:
            where = ", ".join(f.ident for f in holders) or "no cluster"
            raise KeyError(f"{key}: held by {where} (expected exactly one); known: {sorted(self.objects())}")
        return holders[0]

    def objects(self) -> dict[str, dict[str, Any]]:
        """key -> object, over every cluster in the folder."""
        out: dict[str, dict[str, Any]] = {}
        for cluster in self._files():
            with cluster._locked() as data:
                out.update(copy.deepcopy(data["objects"]))
        return out

    def get(self, key: str) -> dict[str, Any]:
        found = self._owner(key).get(key)
        assert found is not None
        return found

    def edit(self, key: str, change: Callable[[dict[str, Any]], None] | dict[str, Any]) -> dict[str, Any]:
        """Change an object in place (a function of the object, or top-level keys to set); the new object."""
        cluster = self._owner(key)
        with cluster._locked() as data:
            obj = data["objects"][key]
            if callable(change):
                change(obj)
            else:
                obj.update(copy.deepcopy(change))
            return copy.deepcopy(obj)

    def delete(self, key: str) -> None:
        """The object is gone (kubectl delete, helm uninstall)."""
        self._owner(key).remove(key)

    def upgrade_release(self, namespace: str, name: str, *, version: str) -> dict[str, Any]:
        """`helm upgrade` by hand to another chart version: a new revision of the release."""
        def upgrade(release: dict[str, Any]) -> None:
            meta = release.get("metadata") or {}
            revision = int(meta.get("revision") or 0) + 1
            release["version"] = version
            release["metadata"] = {**meta, "version": version, "revision": revision,
                                   "last_deployed": int(meta.get("last_deployed") or 0) + 3600}

        return self.edit(f"helm_release/{namespace}/{name}", upgrade)
