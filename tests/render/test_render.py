"""`k8sprov render` on the real charts with real Helm 3.17.3, and on a small chart (failures, secrets)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from tests.render.projects import counting_wrapper, fake_binary, real_project, small_project

CANARY = "c4n4ry-s3cr3t-t0ken"


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's stack with the real pinned charts vendored (one per module: renders are cached)."""
    return real_project(tmp_path_factory.mktemp("render-real") / "project")


def _render(cli, root: Path, helm: Path | str, *args: str):  # type: ignore[no-untyped-def]
    return cli("-C", str(root), "--helm", str(helm), "render", *args)


def test_basic_renders_every_release_as_terraform_would(cli, real: Path, helm_binary: Path,
                                                        tmp_path: Path) -> None:
    out = tmp_path / "manifests"
    report_file = tmp_path / "report.json"
    result = _render(cli, real, helm_binary, "--env", "basic", "-o", str(out), "--json", str(report_file))
    assert result.exit_code == 0, result.output
    report = json.loads(report_file.read_text())
    # Measured with Helm 3.17.3 on the pinned charts and the shipped basic values, CRDs included.
    assert {r["name"]: r["objects"] for r in report["releases"]} == {
        "prometheus-operator-crds": 10, "kyverno": 80, "kyverno-policies": 11, "argo-cd": 53}
    assert [r["name"] for r in report["releases"]][:2] == ["prometheus-operator-crds", "kyverno"]
    assert set(report) >= {"environment", "profile", "kube_version", "helm", "releases", "findings",
                           "pod_security", "errors", "warnings", "exit_code"}
    assert (report["environment"], report["kube_version"], report["helm"]) == ("basic", "1.33", "3.17.3")
    assert report["errors"] == 0 and report["exit_code"] == 0
    argo = next(r for r in report["releases"] if r["name"] == "argo-cd")
    assert argo["kinds"]["CustomResourceDefinition"] == 3 and argo["namespace"] == "argocd"
    # The releases after the CRD chart see its group/versions, as they would on the cluster; argo-cd is
    # installed after the CRD release only (provision.tf's depends_on), so kyverno's APIs may not exist yet.
    assert "monitoring.coreos.com/v1" in argo["api_versions"]
    assert not [a for a in argo["api_versions"] if "kyverno.io" in a]
    policies = next(r for r in report["releases"] if r["name"] == "kyverno-policies")
    assert {"kyverno.io/v1", "policies.kyverno.io/v1alpha1", "monitoring.coreos.com/v1"} <= set(
        policies["api_versions"])
    crds = next(r for r in report["releases"] if r["name"] == "prometheus-operator-crds")
    assert crds["api_versions"] == []
    assert {row["namespace"]: row["enforced"] for row in report["pod_security"]} == {
        "argocd": "restricted", "kyverno": "restricted", "monitoring": "restricted"}
    # One manifest per release, private: they hold Secrets.
    files = sorted(p.name for p in out.iterdir())
    assert files == ["argo-cd.yaml", "kyverno-policies.yaml", "kyverno.yaml", "prometheus-operator-crds.yaml"]
    assert {stat.S_IMODE(p.stat().st_mode) for p in out.iterdir()} == {0o600}
    assert "kind: Secret" in (out / "argo-cd.yaml").read_text()
    # The shallow read later releases wait for agrees with the whole read, for every real manifest.
    from k8sprov.rendering.manifest import parse_manifest
    from k8sprov.rendering.pipeline import crd_api_versions, shallow_crd_api_versions

    for path in out.iterdir():
        text = path.read_text()
        whole = crd_api_versions(parse_manifest(text, release="r", namespace="n"))
        assert shallow_crd_api_versions(text) == whole, path.name
    assert len(shallow_crd_api_versions((out / "kyverno.yaml").read_text()) or []) == 9
    assert "argo-cd 10.1.1 → namespace argocd: 53 objects" in result.stdout
    assert "0 error(s)" in result.stdout


@pytest.mark.parametrize("env", ["basic", "staging", "production"])
def test_shipped_values_render_without_errors(cli, real: Path, helm_binary: Path, env: str) -> None:
    result = _render(cli, real, helm_binary, "--env", env, "--json", "-")
    report = json.loads(result.stdout)
    assert result.exit_code == 0, result.stderr
    assert [f for f in report["findings"] if f["severity"] == "error"] == []
    assert all(r["objects"] > 0 and not r["failed"] for r in report["releases"])


def test_service_monitors_render_only_with_the_monitoring_api(real: Path, helm_binary: Path) -> None:
    from k8sprov.project import Project
    from k8sprov.rendering.envinputs import stack_inputs
    from k8sprov.rendering.pipeline import render_stack
    from k8sprov.rendering.report import find_helm

    project = Project(real)
    helm = find_helm(None, str(helm_binary))
    stack = stack_inputs(project, project.environment("production"))
    argo = [r for r in stack.releases if r.inputs.name == "argo-cd"]
    alone = render_stack(helm, argo)[0]  # nothing installed before it: no monitoring.coreos.com
    assert alone.render.inputs.api_versions == ()
    assert "ServiceMonitor" not in {o.kind for o in alone.render.objects}
    crds = [r for r in stack.releases if r.inputs.name == "prometheus-operator-crds"]
    after = render_stack(helm, crds + argo)[1]
    assert "monitoring.coreos.com/v1" in after.render.inputs.api_versions
    assert "ServiceMonitor" in {o.kind for o in after.render.objects}


def test_a_warm_run_starts_no_helm_template(cli, real: Path, helm_binary: Path, tmp_path: Path) -> None:
    assert _render(cli, real, helm_binary, "--env", "basic").exit_code == 0  # warm (or fill) the cache
    wrapper, log = counting_wrapper(helm_binary, tmp_path, "helm")
    result = _render(cli, real, wrapper, "--env", "basic")
    assert result.exit_code == 0, result.output
    starts = log.read_text().splitlines() if log.exists() else []
    assert not [line for line in starts if line.startswith("template")], starts
    assert "53 objects, cached" in result.stdout


def test_one_release_sees_the_crds_of_the_earlier_ones(cli, real: Path, helm_binary: Path) -> None:
    result = _render(cli, real, helm_binary, "--env", "basic", "--release", "argo-cd", "--json", "-")
    report = json.loads(result.stdout)
    assert [r["name"] for r in report["releases"]] == ["argo-cd"]
    assert "monitoring.coreos.com/v1" in report["releases"][0]["api_versions"]
    assert [row["namespace"] for row in report["pod_security"]] == ["argocd"]
    typo = _render(cli, real, helm_binary, "--env", "basic", "--release", "argocd")
    assert typo.exit_code == 64 and "unknown release 'argocd'" in typo.stderr


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return small_project(tmp_path / "small")


def test_a_required_value_left_out_is_a_template_finding_with_file_and_line(cli, tmp_path: Path,
                                                                              helm_binary: Path) -> None:
    root = small_project(tmp_path / "p", values="token: x\n")
    result = _render(cli, root, helm_binary, "--env", "a", "--json", str(tmp_path / "r.json"))
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if line.startswith("error:")]
    assert len(lines) == 1
    assert "error: template: release app:" in lines[0] and "tag is required" in lines[0]
    assert lines[0].endswith("(from app/templates/configmap.yaml:6)")
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["exit_code"] == 1 and report["findings"][0]["source"] == "app/templates/configmap.yaml:6"


def _with_secret(root: Path, env: str = "a") -> None:
    var_file = root / "infra" / "envs" / f"{env}.tfvars"
    secrets = f'release_secrets = {{\n  app = [{{ name = "token", value = "{CANARY}" }}]\n}}\n'
    var_file.write_text(var_file.read_text() + "\n" + secrets)


def test_a_secret_reaches_the_manifest_file_only(cli, small: Path, helm_binary: Path, tmp_path: Path) -> None:
    _with_secret(small)
    out = tmp_path / "out"
    result = _render(cli, small, helm_binary, "--env", "a", "-o", str(out), "--json", "-")
    assert result.exit_code == 0, result.output
    assert CANARY in (out / "app.yaml").read_text()  # it was rendered, through the sensitive set
    assert CANARY not in result.stdout + result.stderr
    # A template failure that quotes it: masked in the terminal and in JSON.
    values = small / "infra" / "values" / "app" / "basic.yaml"
    values.write_text("tag: v1\nforbid: true\n")
    failed = _render(cli, small, helm_binary, "--env", "a", "--json", "-")
    assert failed.exit_code == 1
    assert "token *** is not allowed here" in failed.stderr
    assert CANARY not in failed.stdout + failed.stderr
    assert json.loads(failed.stdout)["findings"][0]["message"].count("***") == 1
    for cached in (small / ".k8sprov").rglob("*"):
        if cached.is_file():
            assert stat.S_IMODE(cached.stat().st_mode) == 0o600, cached


def test_release_secrets_from_the_environment(cli, small: Path, helm_binary: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TF_VAR_release_secrets", json.dumps({"app": [{"name": "token", "value": CANARY}]}))
    out = tmp_path / "out"
    result = _render(cli, small, helm_binary, "--env", "a", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert CANARY in (out / "app.yaml").read_text() and CANARY not in result.output


def test_a_kubernetes_version_out_of_range_is_one_line(cli, small: Path, helm_binary: Path) -> None:
    var_file = small / "infra" / "envs" / "a.tfvars"
    var_file.write_text(var_file.read_text() + 'kubernetes_version = "1.24"\n')
    result = _render(cli, small, helm_binary, "--env", "a")
    assert result.exit_code == 64
    assert result.stderr.strip().count("\n") == 0
    assert "kubernetes_version '1.24' is not a Kubernetes minor" in result.stderr


def test_helm_4_is_refused_in_one_line(cli, small: Path, tmp_path: Path) -> None:
    fake = fake_binary(tmp_path, "helm", "v4.1.4")
    result = _render(cli, small, fake, "--env", "a")
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0 and "is Helm 4.1.4" in result.stderr


def test_render_without_helm_says_how_to_get_it(cli, small: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    result = cli("-C", str(small), "render", "--env", "a")
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0
    assert "no helm found" in result.stderr and "install Helm 3" in result.stderr
