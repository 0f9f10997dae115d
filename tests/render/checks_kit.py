"""Render the real stack (the four real charts, the shipped values of a profile) with real Helm, in
install order, each release seeing the API versions the CRDs of the releases before it serve."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from k8sprov.helm import HelmBinary
from k8sprov.rendering.checks import CheckContext, NamespacePolicy, api_versions_of_crds
from k8sprov.rendering.model import ReleaseInputs, ReleaseRender, ValuesDoc
from k8sprov.rendering.release import render_release
from tests.conftest import REAL_CHARTS

ROOT = Path(__file__).resolve().parents[2]
ORDER = ("prometheus-operator-crds", "kyverno", "kyverno-policies", "argo-cd")
NAMESPACE = {"prometheus-operator-crds": "monitoring", "kyverno": "kyverno", "kyverno-policies": "kyverno",
             "argo-cd": "argocd"}
_FOLDER = {"prometheus-operator-crds": "prometheus", "kyverno": "kyverno", "kyverno-policies": "kyverno",
           "argo-cd": "argo"}
# terraform/modules/provision_k8s/versions.tf
VERSIONS = {
    "basic": {"prometheus-operator-crds": "31.0.1", "kyverno": "3.9.0", "kyverno-policies": "3.9.0",
              "argo-cd": "10.1.1"},
    "staging": {"prometheus-operator-crds": "31.0.1", "kyverno": "3.9.0", "kyverno-policies": "3.9.0",
                "argo-cd": "10.1.1"},
    "production": {"prometheus-operator-crds": "30.0.1", "kyverno": "3.8.2", "kyverno-policies": "3.8.2",
                   "argo-cd": "9.7.1"},
}
# terraform/modules/provision_k8s/provision.tf: enforce per namespace, warn restricted everywhere.
STACK_POLICY = {"monitoring": NamespacePolicy("restricted", warn="restricted", audit="restricted"),
                "kyverno": NamespacePolicy("restricted", warn="restricted", audit="restricted"),
                "argocd": NamespacePolicy("baseline", warn="restricted", audit="restricted")}


def context(kube_version: str, policy: Mapping[str, NamespacePolicy] = STACK_POLICY) -> CheckContext:
    return CheckContext(kube_version=kube_version, namespaces=dict(policy))


def shipped_values(chart: str, profile: str) -> ValuesDoc:
    path = ROOT / "infra" / "values" / chart / f"{profile}.yaml"
    return ValuesDoc(origin=str(path.relative_to(ROOT)), text=path.read_text(encoding="utf-8"))


def _merge(base: Any, change: Any) -> Any:
    if isinstance(base, dict) and isinstance(change, dict):
        merged = dict(base)
        for key, value in change.items():
            merged[key] = _merge(base.get(key), value)
        return merged
    return change


def values_copy(chart: str, profile: str, change: Mapping[str, Any], folder: Path) -> ValuesDoc:
    """A copy of the shipped values with `change` merged in, written to a file as a user would."""
    shipped = yaml.safe_load(shipped_values(chart, profile).text) or {}
    path = folder / f"{chart}-{profile}.yaml"
    path.write_text(yaml.safe_dump(_merge(shipped, change), sort_keys=False), encoding="utf-8")
    return ValuesDoc(origin=str(path), text=path.read_text(encoding="utf-8"))


_RENDERS: dict[ReleaseInputs, ReleaseRender] = {}


def _render(helm: HelmBinary, inputs: ReleaseInputs) -> ReleaseRender:
    """A render is a pure function of its inputs: a release rendered once per test session."""
    found = _RENDERS.get(inputs)
    if found is None:
        found = _RENDERS[inputs] = render_release(helm, inputs)
    return found


def render_stack(helm: HelmBinary, profile: str, kube_version: str,
                 values: Mapping[str, ValuesDoc] | None = None) -> list[ReleaseRender]:
    renders: list[ReleaseRender] = []
    api_versions: list[str] = []
    for chart in ORDER:
        version = VERSIONS[profile][chart]
        doc = (values or {}).get(chart) or shipped_values(chart, profile)
        inputs = ReleaseInputs(name=chart, namespace=NAMESPACE[chart], chart=chart, version=version,
                               archive=str(REAL_CHARTS / _FOLDER[chart] / f"{chart}-{version}.tgz"),
                               archive_sha256=None, values=(doc,), kube_version=f"{kube_version}.0",
                               api_versions=tuple(api_versions))
        render = _render(helm, inputs)
        assert render.failure is None, render.failure.one_line()
        renders.append(render)
        api_versions += api_versions_of_crds(render.objects)
    return renders
