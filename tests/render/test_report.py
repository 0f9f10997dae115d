"""The report of a set of renders, with checks passed in (pure logic: no Helm, hand-made renders)."""

from __future__ import annotations

import base64
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from k8sprov.rendering.envinputs import Release, StackInputs
from k8sprov.rendering.model import Finding, ReleaseInputs, ReleaseRender, RenderedObject, Severity
from k8sprov.rendering.pipeline import Rendered
from k8sprov.rendering.report import CheckSuite, RenderReport, check_renders

SECRET = "hunter2-but-longer"


def _rendered(name: str, namespace: str, bodies: list[dict[str, Any]],
              failure: Finding | None = None) -> Rendered:
    inputs = ReleaseInputs(name=name, namespace=namespace, chart=name, version="1.0.0", archive="x.tgz",
                           archive_sha256=None)
    objects = tuple(RenderedObject(name, namespace, f"{name}/templates/x.yaml", b) for b in bodies)
    return Rendered(ReleaseRender(inputs, objects, failure), "", "k", (), cached=False)


def _stack(*rendered: Rendered) -> StackInputs:
    releases = tuple(Release(r.render.inputs, i) for i, r in enumerate(rendered))
    return StackInputs("e", "basic", "1.31", releases, namespaces={"apps": "restricted", "tools": "baseline"})


def _suite(findings: list[Finding], levels: dict[str, str]) -> CheckSuite:
    seen: dict[str, Any] = {}

    def context(kube: str, namespaces: Mapping[str, str]) -> Any:
        seen["context"] = (kube, dict(namespaces))
        return seen["context"]

    def run(renders: Sequence[ReleaseRender], ctx: Any) -> list[Finding]:
        assert ctx == ("1.31", {"apps": "restricted", "tools": "baseline"})
        return findings

    return CheckSuite(run_checks=run, context=context, namespace_levels=lambda renders, ctx: levels,
                      stamp="s")


def test_secret_values_never_reach_a_finding_and_levels_sit_beside_the_enforced_ones() -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"},
              "data": {"password": base64.b64encode(SECRET.encode()).decode()},
              "stringData": {"token": "plain-token-value"}}
    deploy = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}}
    apps = _rendered("app", "apps", [secret, deploy])
    tools = _rendered("tool", "tools", [], failure=Finding(Severity.ERROR, "template", "tool", "boom"))
    leaky = Finding(Severity.WARNING, "schema", "app", f"value {SECRET!r} and plain-token-value are odd",
                    object="Secret apps/db", path="data.password")
    report = check_renders(_stack(apps, tools), [apps, tools], _helm(), _suite([leaky], {"apps": "baseline"}))
    text = str(report.as_dict())
    assert SECRET not in text and "plain-token-value" not in text
    assert base64.b64encode(SECRET.encode()).decode() not in text
    assert [f.message for f in report.findings] == ["boom", "value '***' and *** are odd"]
    assert (report.errors, report.warnings, report.exit_code) == (1, 1, 1)
    rows = {n.namespace: (n.enforced, n.strictest) for n in report.namespaces}
    assert rows == {"apps": ("restricted", "baseline"), "tools": ("baseline", None)}  # tools did not render
    assert {r.name: r.kinds for r in report.releases} == {"app": {"Deployment": 1, "Secret": 1}, "tool": {}}
    again = RenderReport.from_dict(report.as_dict())
    assert again.as_dict() == report.as_dict()


def test_without_checks_only_helms_own_failures_count() -> None:
    apps = _rendered("app", "apps", [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}])
    report = check_renders(_stack(apps), [apps], _helm(), None)
    assert report.findings == [] and report.exit_code == 0 and not report.checks
    assert [(n.namespace, n.strictest) for n in report.namespaces] == [("apps", None)]


def _helm() -> Any:
    from k8sprov.helm import HelmBinary

    return HelmBinary(path="/usr/bin/helm", version="3.17.3")


def test_install_order_follows_provision_tf_depends_on(tmp_path: Path) -> None:
    from k8sprov.project import Project
    from k8sprov.rendering.envinputs import install_after
    from tests.render.projects import REPO

    module = tmp_path / "terraform" / "modules" / "provision_k8s"
    module.mkdir(parents=True)
    shutil.copy(REPO / "terraform" / "modules" / "provision_k8s" / "provision.tf", module)
    assert install_after(Project(tmp_path)) == {
        "prometheus-operator-crds": frozenset(),
        "kyverno": frozenset({"prometheus-operator-crds"}),
        "kyverno-policies": frozenset({"kyverno", "prometheus-operator-crds"}),
        "argo-cd": frozenset({"prometheus-operator-crds"}),
    }
