"""Small rendered objects for the unit tests of the checks (pure: no Helm)."""

from __future__ import annotations

import copy
from typing import Any

from k8sprov.rendering.checks import CheckContext, NamespacePolicy
from k8sprov.rendering.model import ReleaseInputs, ReleaseRender, RenderedObject, ValuesDoc


def release(
    name: str, namespace: str, *bodies: dict[str, Any], values: tuple[ValuesDoc, ...] = ()
) -> ReleaseRender:
    """A release's render: CRDs from the chart's crds/ folder, every other object from templates/."""
    inputs = ReleaseInputs(
        name=name,
        namespace=namespace,
        chart=name,
        version="1.0.0",
        archive=f"{name}.tgz",
        archive_sha256=None,
        values=values,
    )
    objects = tuple(
        RenderedObject(
            release=name,
            release_namespace=namespace,
            source=f"{name}/crds/x.yaml"
            if body.get("kind") == "CustomResourceDefinition"
            else f"{name}/templates/x.yaml",
            body=copy.deepcopy(body),
        )
        for body in bodies
    )
    return ReleaseRender(inputs=inputs, objects=objects)


def ctx(kube: str = "1.31", **policies: str) -> CheckContext:
    """Namespaces "apps" (and any given) with an enforce level; "apps" is privileged unless given."""
    namespaces = {"apps": NamespacePolicy(policies.pop("apps", "privileged"))}
    namespaces.update({ns: NamespacePolicy(level) for ns, level in policies.items()})
    return CheckContext(kube_version=kube, namespaces=namespaces)


def deployment(name: str = "web", **pod_spec: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": [{"name": "app", "image": "nginx:1.27"}]}
    spec.update(pod_spec)
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": spec},
        },
    }


def pod(name: str = "p", **pod_spec: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": [{"name": "app", "image": "nginx:1.27"}]}
    spec.update(pod_spec)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


RESTRICTED_CONTAINER: dict[str, Any] = {
    "name": "app",
    "image": "nginx:1.27",
    "securityContext": {
        "allowPrivilegeEscalation": False,
        "runAsNonRoot": True,
        "seccompProfile": {"type": "RuntimeDefault"},
        "capabilities": {"drop": ["ALL"]},
    },
}


def restricted_pod(**container_sc: Any) -> dict[str, Any]:
    container = copy.deepcopy(RESTRICTED_CONTAINER)
    container["securityContext"].update(container_sc)
    return pod(containers=[container])


def config_map(name: str, namespace: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {"k": "v"}}


def crd(
    group: str,
    kind: str,
    plural: str,
    schema: dict[str, Any],
    *,
    scope: str = "Namespaced",
    versions: tuple[str, ...] = ("v1",),
    served: bool = True,
) -> dict[str, Any]:
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{group}"},
        "spec": {
            "group": group,
            "scope": scope,
            "names": {"kind": kind, "plural": plural, "singular": kind.lower(), "listKind": f"{kind}List"},
            "versions": [
                {"name": v, "served": served, "storage": i == 0, "schema": {"openAPIV3Schema": schema}}
                for i, v in enumerate(versions)
            ],
        },
    }
