"""What a render produces and what the checks report: small frozen shapes, shared by every part."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from k8sprov.helm import SetEntry

HOOK_ANNOTATION = "helm.sh/hook"
# The newest Kubernetes minor the API schemas cover (kubernetes-validate 1.37.0), as variables.tf's default.
DEFAULT_KUBE_VERSION = "1.37"
KUBE_VERSION = re.compile(r"^1\.(2[5-9]|3[0-7])$")


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class ValuesDoc:
    """One values document as Helm receives it; `origin` names where it came from (a path, "plan before")."""

    origin: str
    text: str


@dataclass(frozen=True)
class ReleaseInputs:
    """Everything `helm template` is given for one release: the render is a pure function of these."""

    name: str
    namespace: str
    chart: str  # chart name, e.g. "argo-cd"
    version: str
    archive: str  # path of the chart archive
    archive_sha256: str | None
    values: tuple[ValuesDoc, ...] = ()
    sets: tuple[SetEntry, ...] = ()
    kube_version: str | None = None
    api_versions: tuple[str, ...] = ()
    include_crds: bool = True


@dataclass(frozen=True)
class RenderedObject:
    """One Kubernetes object of a release's manifest, with the template file Helm rendered it from."""

    release: str
    release_namespace: str
    source: str  # "argo-cd/templates/server/deployment.yaml" (Helm's `# Source:` line)
    body: dict[str, Any] = field(hash=False, compare=False)

    @property
    def api_version(self) -> str:
        return str(self.body.get("apiVersion") or "")

    @property
    def kind(self) -> str:
        return str(self.body.get("kind") or "")

    @property
    def group(self) -> str:
        return self.api_version.rpartition("/")[0]

    @property
    def metadata(self) -> dict[str, Any]:
        meta = self.body.get("metadata")
        return meta if isinstance(meta, dict) else {}

    @property
    def name(self) -> str:
        return str(self.metadata.get("name") or "")

    @property
    def declared_namespace(self) -> str | None:
        """The namespace the template wrote, if any (a namespaced object without one gets the release's)."""
        ns = self.metadata.get("namespace")
        return str(ns) if ns else None

    @property
    def hook(self) -> str | None:
        annotations = self.metadata.get("annotations")
        if isinstance(annotations, dict) and annotations.get(HOOK_ANNOTATION):
            return str(annotations[HOOK_ANNOTATION])
        return None

    def ref(self, namespace: str | None = None) -> str:
        """`Kind namespace/name` (or `Kind name` for a cluster-scoped object), as findings name objects."""
        ns = namespace if namespace is not None else self.declared_namespace
        return f"{self.kind} {ns}/{self.name}" if ns else f"{self.kind} {self.name}"


@dataclass(frozen=True)
class Finding:
    """One problem found in a render: severity, which check, where, and what to do."""

    severity: Severity
    check: str  # template | schema | crd-schema | api | duplicate | pod-security
    release: str
    message: str
    object: str | None = None  # "Deployment argocd/argo-cd-server"
    path: str | None = None  # field path, e.g. "spec.template.spec.containers[0].resources.limits.memory"
    source: str | None = None  # "infra/values/argo-cd/basic.yaml:12" where the value comes from

    def one_line(self) -> str:
        where = " ".join(part for part in (self.object, self.path) if part)
        origin = f" (from {self.source})" if self.source else ""
        return f"{self.severity}: {self.check}: release {self.release}: {where + ': ' if where else ''}" \
               f"{self.message}{origin}"


@dataclass(frozen=True)
class ReleaseRender:
    """The outcome of rendering one release: its objects, or Helm's failure as a `template` finding."""

    inputs: ReleaseInputs
    objects: tuple[RenderedObject, ...] = ()
    failure: Finding | None = None
