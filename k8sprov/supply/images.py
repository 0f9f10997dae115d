"""Every container image an environment's releases pull, from the objects Helm renders for them. Pure:
rendered objects in, image uses out. Hooks and test pods are objects like the others (their `hook` says
when Helm creates them)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from k8sprov.rendering.model import RenderedObject
from k8sprov.supply.imageref import ImageRef, InvalidReference, parse_image

# kind -> path to its pod spec
POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
CONTAINER_FIELDS = ("initContainers", "containers", "ephemeralContainers")


@dataclass(frozen=True)
class ImageUse:
    environment: str
    release: str
    object: str  # "Deployment argocd/argo-cd-server"
    container: str
    field: str  # containers | initContainers | ephemeralContainers
    hook: str | None = None  # Helm hook (pre-install, test, ...), None for a regular object


@dataclass
class Image:
    reference: str  # as the manifest writes it
    ref: ImageRef | None  # None: not a valid reference (the runtime would refuse it)
    problem: str | None = None
    uses: list[ImageUse] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.ref.name if self.ref else self.reference

    @property
    def releases(self) -> list[str]:
        return sorted({u.release for u in self.uses})

    @property
    def environments(self) -> list[str]:
        return sorted({u.environment for u in self.uses})

    def as_dict(self) -> dict[str, Any]:
        ref = self.ref
        return {
            "image": self.name,
            "reference": self.reference,
            "registry": ref.registry if ref else None,
            "repository": ref.repository if ref else None,
            "tag": ref.tag if ref else None,
            "digest": ref.digest if ref else None,
            "pinned_by_digest": bool(ref and ref.pinned),
            "mutable": bool(ref is None or ref.mutable),
            "problem": self.problem,
            "environments": self.environments,
            "releases": self.releases,
            "uses": [
                {"environment": u.environment, "release": u.release, "object": u.object,
                 "container": u.container, "field": u.field, "hook": u.hook}
                for u in sorted(self.uses, key=lambda u: (u.environment, u.release, u.object, u.container))
            ],
        }


def pod_spec(body: dict[str, Any]) -> dict[str, Any] | None:
    path = POD_SPEC_PATHS.get(str(body.get("kind", "")))
    node: Any = body
    for step in path or ():
        node = node.get(step) if isinstance(node, dict) else None
    return node if path and isinstance(node, dict) else None


def containers(obj: RenderedObject) -> Iterator[tuple[str, str, str]]:
    """(field, container name, image) for each container of a workload object."""
    spec = pod_spec(obj.body)
    if spec is None:
        return
    for fieldname in CONTAINER_FIELDS:
        for container in spec.get(fieldname) or ():
            if isinstance(container, dict):
                image = container.get("image")
                yield fieldname, str(container.get("name", "?")), "" if image is None else str(image)


def collect(environment: str, objects: Iterable[RenderedObject],
            into: dict[str, Image] | None = None) -> dict[str, Image]:
    """Image uses of `objects`, merged into `into` by the fully qualified name (deduplicated: `redis:7`
    and `docker.io/library/redis:7` are one image)."""
    images = into if into is not None else {}
    for obj in objects:
        where = f"{obj.kind} {obj.declared_namespace or obj.release_namespace}/{obj.name}"
        for fieldname, name, reference in containers(obj):
            try:
                ref: ImageRef | None = parse_image(reference)
                problem = None
            except InvalidReference as err:
                ref, problem = None, str(err)
            key = ref.name if ref else reference
            image = images.setdefault(key, Image(reference, ref, problem))
            image.uses.append(ImageUse(environment, obj.release, where, name, fieldname, obj.hook))
    return images


def ordered(images: dict[str, Image]) -> list[Image]:
    return sorted(images.values(), key=lambda i: i.name)
