"""The Helm seam: finding Helm 3, refusing anything else in one line, and `helm template` on real charts."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from k8sprov.helm import HelmBinary, HelmNotFound, SetEntry, resolve, template, template_failure
from k8sprov.rendering.manifest import parse_manifest
from k8sprov.rendering.model import ReleaseInputs, ValuesDoc
from k8sprov.rendering.release import render_release
from tests.conftest import REAL_CHARTS


def _fake_helm(tmp_path: Path, version: str) -> Path:
    script = tmp_path / "helm"
    script.write_text(f"#!/bin/sh\necho {version}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def test_the_real_helm_is_helm_3(helm_binary: Path) -> None:
    found = resolve(str(helm_binary))
    assert found.version == "3.17.3"


@pytest.mark.parametrize("version", ["v4.1.4", "v2.17.0"])
def test_another_major_is_refused_in_one_line(tmp_path: Path, version: str) -> None:
    with pytest.raises(HelmNotFound) as err:
        resolve(str(_fake_helm(tmp_path, version)))
    line = err.value.one_line()
    assert f"is Helm {version.lstrip('v')}" in line and "Helm 3" in line and "\n" not in line


def test_missing_helm_names_the_request_and_the_fix(tmp_path: Path) -> None:
    with pytest.raises(HelmNotFound, match="not found or not executable") as err:
        resolve(str(tmp_path / "nope"))
    assert "--helm / K8SPROV_HELM" in err.value.one_line()


def test_real_chart_renders_with_crds_first(helm_binary: Path) -> None:
    helm = resolve(str(helm_binary))
    text = template(helm, release="prometheus-operator-crds", namespace="monitoring",
                    chart=REAL_CHARTS / "prometheus" / "prometheus-operator-crds-31.0.1.tgz", values=[],
                    sets=[], kube_version="1.31.0", api_versions=[])
    objects = parse_manifest(text, release="prometheus-operator-crds", namespace="monitoring")
    kinds = {o.kind for o in objects}
    assert kinds == {"CustomResourceDefinition"}
    names = {o.name for o in objects}
    assert "servicemonitors.monitoring.coreos.com" in names
    # The bare `=` enum item (YAML 1.1's value tag) is read as the string it is.
    amc = next(o for o in objects if o.name == "alertmanagerconfigs.monitoring.coreos.com")
    assert "=" in str(amc.body)


def test_values_and_sensitive_sets_reach_the_render(helm_binary: Path) -> None:
    helm = resolve(str(helm_binary))
    inputs = ReleaseInputs(
        name="kyverno-policies", namespace="kyverno", chart="kyverno-policies", version="3.9.0",
        archive=str(REAL_CHARTS / "kyverno" / "kyverno-policies-3.9.0.tgz"), archive_sha256=None,
        values=(ValuesDoc("inline", "failurePolicy: Ignore\n"),),
        sets=(SetEntry("customLabels.canary", "s3cr3t-value", sensitive=True),),
        kube_version="1.31.0")
    result = render_release(helm, inputs)
    assert result.failure is None
    assert result.objects, "kyverno-policies renders its policies"
    assert all(o.body["spec"]["failurePolicy"] == "Ignore" for o in result.objects)
    assert all(o.body["metadata"]["labels"].get("canary") == "s3cr3t-value" for o in result.objects)


def test_a_required_value_left_out_is_a_template_finding(helm_binary: Path, tmp_path: Path) -> None:
    chart = tmp_path / "need"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: need\nversion: 0.1.0\n")
    (chart / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n"
        "  a: {{ required \"tag is required\" .Values.tag | quote }}\n")
    helm = HelmBinary(path=str(helm_binary), version="3.17.3")
    inputs = ReleaseInputs(name="need", namespace="default", chart="need", version="0.1.0",
                           archive=str(chart), archive_sha256=None)
    result = render_release(helm, inputs)
    assert result.failure is not None
    assert result.failure.check == "template"
    assert "tag is required" in result.failure.message
    assert result.failure.source == "need/templates/cm.yaml:6"


def test_template_failure_reads_helms_three_shapes() -> None:
    bug = template_failure("r", 'Error: template: c/templates/a.yaml:3:4: executing "c/templates/a.yaml" '
                                "at <.Values.x.y>: nil pointer evaluating interface {}.y\n")
    assert (bug.template, bug.line) == ("c/templates/a.yaml", 3)
    yaml_err = template_failure("r", "Error: YAML parse error on c/templates/b.yaml: error converting YAML "
                                     "to JSON: yaml: line 7: did not find expected key\n")
    assert (yaml_err.template, yaml_err.line) == ("c/templates/b.yaml", 7)
    assert "\n" not in yaml_err.one_line()
