"""The checks on the real stack rendered by real Helm: the shipped values are clean in every profile,
and each kind of mistake written into a copy of the shipped values is reported with its release, object,
field and values line."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from k8sprov.helm import HelmBinary, resolve
from k8sprov.rendering.checks import namespace_levels, run_checks
from k8sprov.rendering.model import Finding, ReleaseRender, Severity
from tests.render.checks_kit import context, render_stack, values_copy

PROFILES = {"basic": "1.31", "staging": "1.37", "production": "1.31"}


@pytest.fixture(scope="module")
def helm(helm_binary: Path) -> HelmBinary:
    return resolve(str(helm_binary))


@pytest.fixture(scope="module")
def shipped(helm: HelmBinary) -> dict[str, list[ReleaseRender]]:
    # Two at a time: each stack renders its releases in order, the stacks are independent.
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {
            profile: pool.submit(render_stack, helm, profile, kube) for profile, kube in PROFILES.items()
        }
        return {profile: future.result() for profile, future in futures.items()}


@pytest.mark.parametrize("profile", list(PROFILES))
def test_shipped_values_have_no_error_findings(shipped: dict[str, list[ReleaseRender]], profile: str) -> None:
    renders = shipped[profile]
    assert sum(len(r.objects) for r in renders) > 100  # the whole stack was rendered
    findings = run_checks(renders, context(PROFILES[profile]))
    errors = [f.one_line() for f in findings if f.severity is Severity.ERROR]
    assert errors == []


@pytest.mark.parametrize("profile", list(PROFILES))
def test_every_namespace_of_the_shipped_stack_meets_restricted(
    shipped: dict[str, list[ReleaseRender]], profile: str
) -> None:
    # Measured, not assumed: argocd (redis-ha included, in production) meets restricted like the rest.
    levels = namespace_levels(shipped[profile], context(PROFILES[profile]))
    assert levels == {"monitoring": "restricted", "kyverno": "restricted", "argocd": "restricted"}


def test_the_crds_of_earlier_releases_reach_later_renders(shipped: dict[str, list[ReleaseRender]]) -> None:
    production = shipped["production"]
    argo = production[3]
    assert "monitoring.coreos.com/v1/ServiceMonitor" in argo.inputs.api_versions
    # production values turn on ServiceMonitors: they render because the CRD's API version was passed.
    assert any(o.kind == "ServiceMonitor" for o in argo.objects)
    kyverno_policies = production[2]
    assert any(o.kind == "ValidatingPolicy" for o in kyverno_policies.objects)


BAD_ARGO = {
    "controller": {"replicas": "two"},
    "server": {"resources": {"limits": {"memory": "1Gb"}}, "podLabels": {"team": "platform/core"}},
    "extraObjects": [
        # kyverno's own ConfigMap, rendered again by argo-cd
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "kyverno", "namespace": "kyverno"},
            "data": {"a": "b"},
        },
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "team-settings", "namespace": "team-a"},
            "data": {"a": "b"},
        },
    ],
}
BAD_KYVERNO = {
    "admissionController": {
        "container": {"securityContext": {"privileged": True}},
        "serviceMonitor": {"enabled": True, "interval": 30},
    },
    "backgroundController": {"serviceMonitor": {"enabled": True, "interval": "30 seconds"}},
}

BAD_POLICIES = {"failurePolicy": "Sometimes"}


@pytest.fixture(scope="module")
def bad(
    helm: HelmBinary, shipped: dict[str, list[ReleaseRender]], tmp_path_factory: pytest.TempPathFactory
) -> list[Finding]:
    folder = tmp_path_factory.mktemp("values")
    values = {
        "argo-cd": values_copy("argo-cd", "staging", BAD_ARGO, folder),
        "kyverno": values_copy("kyverno", "staging", BAD_KYVERNO, folder),
        "kyverno-policies": values_copy("kyverno-policies", "staging", BAD_POLICIES, folder),
    }
    # prometheus-operator-crds comes from the shipped staging render (same inputs).
    renders = render_stack(helm, "staging", PROFILES["staging"], values)
    return run_checks(renders, context(PROFILES["staging"]))


def _one(findings: list[Finding], check: str, obj: str, path: str) -> Finding:
    found = [f for f in findings if f.check == check and f.object == obj and f.path == path]
    assert len(found) == 1, "\n".join(f.one_line() for f in findings)
    return found[0]


def _line(source: str | None) -> str:
    assert source is not None
    origin, _, line = source.rpartition(":")
    return Path(origin).read_text(encoding="utf-8").splitlines()[int(line) - 1]


def test_a_word_where_the_api_wants_an_integer(bad: list[Finding]) -> None:
    found = _one(bad, "schema", "StatefulSet argocd/argo-cd-argocd-application-controller", "spec.replicas")
    assert found.release == "argo-cd" and found.severity is Severity.ERROR
    assert "expected integer, got string 'two'" in found.message
    assert _line(found.source).strip() == "replicas: two"


def test_an_invalid_memory_quantity(bad: list[Finding]) -> None:
    found = _one(
        bad,
        "api",
        "Deployment argocd/argo-cd-argocd-server",
        "spec.template.spec.containers[0].resources.limits.memory",
    )
    assert "'1Gb' is not a quantity" in found.message
    assert _line(found.source).strip() == "memory: 1Gb"


def test_an_invalid_label_value(bad: list[Finding]) -> None:
    found = _one(bad, "api", "Deployment argocd/argo-cd-argocd-server", "spec.template.metadata.labels.team")
    assert "label value 'platform/core'" in found.message
    assert _line(found.source).strip() == "team: platform/core"


def test_a_privileged_container_in_a_restricted_namespace(bad: list[Finding]) -> None:
    obj = "Deployment kyverno/kyverno-admission-controller"
    found = [
        f
        for f in bad
        if f.check == "pod-security"
        and f.object == obj
        and f.path is not None
        and f.path.endswith("securityContext.privileged")
    ]
    assert len(found) == 1, "\n".join(f.one_line() for f in bad)
    assert found[0].release == "kyverno" and found[0].severity is Severity.ERROR
    assert found[0].message.startswith("privileged: ")
    assert '"restricted" enforced on namespace kyverno' in found[0].message
    assert _line(found[0].source).strip() == "privileged: true"


def test_a_service_monitor_interval_of_the_wrong_type_or_form(bad: list[Finding]) -> None:
    number = _one(
        bad, "crd-schema", "ServiceMonitor kyverno/kyverno-admission-controller", "spec.endpoints[0].interval"
    )
    assert "expected string, got integer 30" in number.message
    assert _line(number.source).strip() == "interval: 30"
    words = _one(
        bad,
        "crd-schema",
        "ServiceMonitor kyverno/kyverno-background-controller",
        "spec.endpoints[0].interval",
    )
    assert "'30 seconds' does not match" in words.message
    assert _line(words.source).strip() == "interval: 30 seconds"


def test_an_extra_object_another_release_renders(bad: list[Finding]) -> None:
    found = _one(bad, "duplicate", "ConfigMap kyverno/kyverno", "metadata.name")
    assert found.release == "argo-cd" and "release kyverno renders it too" in found.message
    assert _line(found.source).strip() == "name: kyverno"


def test_an_extra_object_in_a_namespace_the_stack_does_not_create(bad: list[Finding]) -> None:
    found = _one(bad, "api", "ConfigMap team-a/team-settings", "metadata.namespace")
    assert found.release == "argo-cd" and "'team-a' is neither created by the stack" in found.message
    assert _line(found.source).strip() == "namespace: team-a"


def test_kyverno_policies_are_checked_against_kyvernos_crds(bad: list[Finding]) -> None:
    # kyverno-policies 3.9 renders ValidatingPolicy (policies.kyverno.io, from the kyverno release's CRDs).
    found = [f for f in bad if f.release == "kyverno-policies"]
    assert len(found) == 11, "\n".join(f.one_line() for f in bad)
    for finding in found:
        assert finding.object is not None and finding.object.startswith("ValidatingPolicy ")
        assert (finding.check, finding.path) == ("crd-schema", "spec.failurePolicy")
        assert finding.message == "unsupported value 'Sometimes': one of 'Ignore', 'Fail'"
        assert _line(finding.source).strip() == "failurePolicy: Sometimes"


def test_nothing_else_is_reported_for_the_bad_values(bad: list[Finding]) -> None:
    # Each mistake once (kyverno's warn level adds nothing: its namespace already enforces restricted).
    expected = {
        ("schema", "StatefulSet argocd/argo-cd-argocd-application-controller"),
        ("api", "Deployment argocd/argo-cd-argocd-server"),
        ("pod-security", "Deployment kyverno/kyverno-admission-controller"),
        ("crd-schema", "ServiceMonitor kyverno/kyverno-admission-controller"),
        ("crd-schema", "ServiceMonitor kyverno/kyverno-background-controller"),
        ("duplicate", "ConfigMap kyverno/kyverno"),
        ("api", "ConfigMap team-a/team-settings"),
    }
    others = {(f.check, f.object) for f in bad if f.release != "kyverno-policies"}
    assert others == expected, "\n".join(f.one_line() for f in bad)
