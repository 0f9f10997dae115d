"""The CustomResourceDefinitions a stack installs, in install order, and custom resources checked against
the `openAPIV3Schema` of the version they use (structural-schema semantics, unknown fields as errors)."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from k8sprov.rendering.checks.compiler import SchemaCompiler, Validator
from k8sprov.rendering.model import RenderedObject

CRD_GROUP = "apiextensions.k8s.io"
# `# Source: chart/crds/x.yaml` or `chart/charts/sub/crds/x.yaml`; not `chart/charts/crds/templates/x.yaml`.
_CRDS_FOLDER = re.compile(r"(^|/)crds/[^/]+$")


@dataclass(frozen=True)
class CrdVersion:
    name: str
    served: bool
    schema: Mapping[str, Any] | None


@dataclass(frozen=True)
class Crd:
    group: str
    kind: str
    scope: str  # "Namespaced" | "Cluster"
    release: str
    position: int  # index of the installing release in install order
    versions: tuple[CrdVersion, ...]
    # From a chart's crds/ folder (Helm installs those before the release's templates), not a template.
    from_crds_folder: bool = False

    def version(self, name: str) -> CrdVersion | None:
        return next((v for v in self.versions if v.name == name), None)


def is_crd(obj: RenderedObject) -> bool:
    return obj.kind == "CustomResourceDefinition" and obj.group == CRD_GROUP


def read_crd(obj: RenderedObject, position: int) -> Crd | None:
    spec = obj.body.get("spec")
    if not isinstance(spec, dict):
        return None
    raw_names = spec.get("names")
    names: dict[str, Any] = raw_names if isinstance(raw_names, dict) else {}
    group, kind = spec.get("group"), names.get("kind")
    if not isinstance(group, str) or not isinstance(kind, str):
        return None
    versions = []
    for entry in spec.get("versions") or ():
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            continue
        schema = entry.get("schema")
        props = schema.get("openAPIV3Schema") if isinstance(schema, dict) else None
        versions.append(CrdVersion(entry["name"], bool(entry.get("served", True)),
                                   props if isinstance(props, dict) else None))
    return Crd(group=group, kind=kind, scope=str(spec.get("scope") or "Namespaced"), release=obj.release,
               position=position, versions=tuple(versions),
               from_crds_folder=bool(_CRDS_FOLDER.search(obj.source)))


def served_api_versions(objects: Iterable[RenderedObject]) -> list[str]:
    """`group/version` and `group/version/Kind` of every served version of every CRD among the objects:
    the two forms a cluster's discovery gives Helm's `.Capabilities.APIVersions.Has`."""
    seen: dict[str, None] = {}
    for obj in objects:
        if not is_crd(obj):
            continue
        crd = read_crd(obj, 0)
        if crd is None:
            continue
        for version in crd.versions:
            if version.served:
                seen.setdefault(f"{crd.group}/{version.name}")
                seen.setdefault(f"{crd.group}/{version.name}/{crd.kind}")
    return list(seen)


class CrdIndex:
    """Every CRD of the renders, by (group, kind); the first release to install one owns it."""

    def __init__(self, renders: Sequence[Sequence[RenderedObject]]) -> None:
        self._by_kind: dict[tuple[str, str], Crd] = {}
        for position, objects in enumerate(renders):
            for obj in objects:
                if is_crd(obj):
                    crd = read_crd(obj, position)
                    if crd is not None:
                        self._by_kind.setdefault((crd.group, crd.kind), crd)

    def find(self, group: str, kind: str) -> Crd | None:
        return self._by_kind.get((group, kind))


_CACHE: dict[str, Validator] = {}
_CACHE_LOCK = threading.Lock()


def custom_resource_validator(schema: Mapping[str, Any]) -> Validator:
    """The compiled schema of one CRD version (kept per process, keyed by the schema's content).

    The root's `apiVersion`, `kind` and `metadata` are implicit (metadata is checked as the built-in
    ObjectMeta is), so the root is compiled as an embedded resource without its metadata schema."""
    key = hashlib.sha256(json.dumps(schema, sort_keys=True, default=str).encode()).hexdigest()
    with _CACHE_LOCK:
        found = _CACHE.get(key)
        if found is not None:
            return found
    root = dict(schema)
    props = dict(root.get("properties") or {})
    props.pop("metadata", None)
    root["properties"] = props
    root["x-kubernetes-embedded-resource"] = True
    root.setdefault("type", "object")
    validator = SchemaCompiler(check="crd-schema", crd=True).compile(root)
    with _CACHE_LOCK:
        _CACHE[key] = validator
    return validator
