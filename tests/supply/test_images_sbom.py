"""`k8sprov images` on the real charts with real Helm 3.17.3, and on a small chart (every workload kind)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.render.projects import chart_tgz, real_project, small_project, vendor


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return real_project(tmp_path_factory.mktemp("images-real") / "project")


def images(cli: Any, root: Path, helm: Path, *args: str) -> tuple[Any, dict[str, Any]]:
    result = cli("-C", str(root), "--helm", str(helm), "images", *args, "--json", "-")
    assert result.exit_code == 0, result.output
    return result, json.loads(result.stdout)


def test_basic_lists_the_images_of_every_release(cli: Any, real: Path, helm_binary: Path) -> None:
    result, data = images(cli, real, helm_binary, "--env", "basic")
    by_name = {i["image"]: i for i in data["images"]}
    # Measured with Helm 3.17.3 on the pinned charts and the shipped basic values.
    assert by_name["quay.io/argoproj/argocd:v3.4.4"]["releases"] == ["argo-cd"]
    redis = by_name["ecr-public.aws.com/docker/library/redis:8.2.3-alpine"]
    assert (redis["registry"], redis["repository"], redis["tag"]) == (
        "ecr-public.aws.com", "docker/library/redis", "8.2.3-alpine")
    kyverno = by_name["reg.kyverno.io/kyverno/kyverno:v1.19.0"]
    assert kyverno["releases"] == ["kyverno"] and not kyverno["pinned_by_digest"]
    assert any(u["object"] == "Deployment kyverno/kyverno-admission-controller" for u in kyverno["uses"])
    assert not any("dexidp" in name for name in by_name)  # dex is off in basic
    # init containers and hooks count: kyvernopre is an init container, kyverno-cli a post-upgrade hook
    assert {u["field"] for u in by_name["reg.kyverno.io/kyverno/kyvernopre:v1.19.0"]["uses"]} == {
        "initContainers"}
    assert {u["hook"] for u in by_name["reg.kyverno.io/kyverno/kyverno-cli:v1.19.0"]["uses"]} == {
        "post-upgrade"}
    # the chart's own test pods pull a moving tag: flagged
    latest = by_name["ghcr.io/kyverno/readiness-checker:latest"]
    assert latest["mutable"] and {u["hook"] for u in latest["uses"]} == {"test"}
    assert data["summary"] == {"images": 10, "pinned_by_digest": 0, "mutable": 1}
    assert "warning: ghcr.io/kyverno/readiness-checker:latest: mutable tag" in result.stderr
    assert "prometheus-operator-crds" not in {r for i in data["images"] for r in i["releases"]}


def test_a_mutable_tag_in_a_values_file_is_flagged(cli: Any, real: Path, helm_binary: Path) -> None:
    values = real / "infra" / "values" / "argo-cd" / "basic.yaml"
    shipped = values.read_text()
    values.write_text(shipped.replace("dex:\n  enabled: false", "dex:\n  enabled: true\n  image:\n"
                                      "    repository: ghcr.io/dexidp/dex\n    tag: latest"))
    try:
        result, data = images(cli, real, helm_binary, "--env", "basic")
    finally:
        values.write_text(shipped)
    dex = next(i for i in data["images"] if i["repository"] == "dexidp/dex")
    assert dex["image"] == "ghcr.io/dexidp/dex:latest" and dex["mutable"] and dex["releases"] == ["argo-cd"]
    assert [(u["object"], u["container"]) for u in dex["uses"]] == [
        ("Deployment argocd/argo-cd-argocd-dex-server", "dex-server")]
    assert "warning: ghcr.io/dexidp/dex:latest: mutable tag — used by argo-cd: Deployment" in result.stderr


WORKLOADS = {
    "deploy.yaml": """apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      initContainers: [{name: init, image: "busybox"}]
      containers: [{name: web, image: {{ .Values.image | quote }}}]
""",
    "cron.yaml": """apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "0 0 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{name: job, image: "registry.example.org:5000/tools/backup:2.1"}]
""",
    "test.yaml": """apiVersion: v1
kind: Pod
metadata:
  name: smoke
  annotations: {"helm.sh/hook": test}
spec:
  containers: [{name: curl, image: "curlimages/curl@sha256:%s"}]
  ephemeralContainers: [{name: debug, image: "docker.io/library/busybox:latest"}]
""" % ("0" * 64),
    "sts.yaml": """apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  template:
    spec:
      containers: [{name: db, image: "postgres:16"}]
""",
}


def test_all_environments_every_workload_kind_deduplicated(cli: Any, tmp_path: Path, helm_binary: Path
                                                            ) -> None:
    root = small_project(tmp_path / "proj")
    vendor(root / "charts", {"app-0.1.0.tgz": chart_tgz("app", "0.1.0", WORKLOADS)})
    for profile, image in (("basic", "nginx:1.27"), ("staging", "nginx:1.27"), ("production", "nginx:1.26")):
        (root / "infra" / "values" / "app" / f"{profile}.yaml").write_text(f"image: {image}\n")
    result, data = images(cli, root, helm_binary, "--all")
    by_name = {i["image"]: i for i in data["images"]}
    envs = sorted(data["environments"])
    assert envs == ["a", "b", "prod"]  # a: basic, b: staging, prod: production
    assert by_name["docker.io/library/nginx:1.27"]["environments"] == ["a", "b"]
    assert set(by_name) == {
        "docker.io/library/nginx:1.27", "docker.io/library/nginx:1.26", "docker.io/library/busybox",
        "docker.io/library/busybox:latest", "registry.example.org:5000/tools/backup:2.1",
        f"docker.io/curlimages/curl@sha256:{'0' * 64}", "docker.io/library/postgres:16"}
    assert by_name["docker.io/library/nginx:1.26"]["environments"] == ["prod"]
    assert by_name["docker.io/library/postgres:16"]["environments"] == envs  # once, not once per env
    assert len(by_name["docker.io/library/postgres:16"]["uses"]) == len(envs)
    curl = by_name[f"docker.io/curlimages/curl@sha256:{'0' * 64}"]
    assert curl["pinned_by_digest"] and not curl["mutable"] and curl["uses"][0]["hook"] == "test"
    busybox = by_name["docker.io/library/busybox:latest"]
    assert {u["field"] for u in busybox["uses"]} == {"ephemeralContainers"}
    assert by_name["docker.io/library/busybox"]["mutable"]  # no tag: pulls latest
    backup = by_name["registry.example.org:5000/tools/backup:2.1"]
    assert backup["uses"][0]["object"] == "CronJob apps/nightly"
    assert data["summary"]["mutable"] == 2
    assert "no tag (pulls latest)" in result.stderr


def test_env_or_all_is_required(cli: Any, tmp_path: Path) -> None:
    root = small_project(tmp_path / "proj")
    result = cli("-C", str(root), "images")
    assert result.exit_code == 64 and "pass --env ENV or --all" in result.stderr
    both = cli("-C", str(root), "images", "--env", "basic", "--all")
    assert both.exit_code == 64


LOCK_HCL = '''# This file is maintained automatically by "terraform init".
provider "registry.terraform.io/hashicorp/helm" {
  version     = "3.3.1"
  constraints = "~> 3.3.0"
  hashes = [
    "h1:J6jG5tU+hbh6FyP+S8QjL3PzVcgZUmlhIrU8wblf7Tc=",
    "zh:0a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728",
  ]
}
'''


def sbom(cli: Any, root: Path, helm: Path, *args: str) -> Any:
    return cli("-C", str(root), "--helm", str(helm), "sbom", "--env", "basic", *args)


def test_sbom_is_valid_cyclonedx_and_byte_identical_on_a_second_run(cli: Any, real: Path, helm_binary: Path,
                                                                     tmp_path: Path) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    lock_hcl = real / "terraform" / ".terraform.lock.hcl"
    lock_hcl.write_text(LOCK_HCL)
    try:
        first = sbom(cli, real, helm_binary, "-o", str(tmp_path / "a.json"))
        second = sbom(cli, real, helm_binary)
    finally:
        lock_hcl.unlink()
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    text = (tmp_path / "a.json").read_text()
    assert second.stdout == text  # same inputs, same bytes
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    bom = json.loads(text)
    assert (bom["bomFormat"], bom["specVersion"]) == ("CycloneDX", "1.6")
    assert "timestamp" not in bom["metadata"] and bom["serialNumber"].startswith("urn:uuid:")
    refs = {c["bom-ref"]: c for c in bom["components"]}
    argo = refs["chart:argo-cd@10.1.1"]
    lock = json.loads((real / "charts" / "charts.lock").read_text())
    sha = next(e["sha256"] for e in lock["charts"] if e["name"] == "argo-cd" and e["version"] == "10.1.1")
    assert argo["hashes"] == [{"alg": "SHA-256", "content": sha}]
    assert {"name": "k8sprov:signature", "value": "unsigned"} in argo["properties"]
    assert argo["purl"] == "pkg:helm/argo-cd@10.1.1?repository_url=https://argoproj.github.io/argo-helm"
    image = refs["image:quay.io/argoproj/argocd:v3.4.4"]
    assert image["type"] == "container" and image["version"] == "v3.4.4"
    assert {"name": "k8sprov:mutable_tag", "value": "true"} in refs[
        "image:ghcr.io/kyverno/readiness-checker:latest"]["properties"]
    helm_provider = refs["provider:registry.terraform.io/hashicorp/helm"]
    assert helm_provider["version"] == "3.3.1"
    assert {"name": "terraform:hash", "value": "h1:J6jG5tU+hbh6FyP+S8QjL3PzVcgZUmlhIrU8wblf7Tc="} in (
        helm_provider["properties"])
    talos = refs["provider:registry.terraform.io/siderolabs/talos"]  # not in the lock file: said so
    assert {"name": "terraform:locked", "value": "false"} in talos["properties"]
    meta = {p["name"]: p["value"] for p in bom["metadata"]["properties"]}
    assert meta["terraform:required_version"] == ">= 1.5" and meta["terraform:lock_file"] == (
        "terraform/.terraform.lock.hcl")
    assert bom["metadata"]["tools"]["components"][0]["name"] == "k8sprov"
    # without a lock file: still valid, providers unlocked, another serial number
    third = sbom(cli, real, helm_binary)
    assert third.exit_code == 0 and third.stdout != text
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(third.stdout) is None
    assert json.loads(third.stdout)["serialNumber"] != bom["serialNumber"]


def test_sbom_names_the_signer_of_a_signed_chart(cli: Any, real: Path, helm_binary: Path) -> None:
    lock_file = real / "charts" / "charts.lock"
    shipped = lock_file.read_text()
    data = json.loads(shipped)
    for entry in data["charts"]:
        if entry["name"] == "kyverno":
            entry["signer"] = "A" * 40
    lock_file.write_text(json.dumps(data))
    try:
        result = sbom(cli, real, helm_binary)
    finally:
        lock_file.write_text(shipped)
    assert result.exit_code == 0, result.output
    components = json.loads(result.stdout)["components"]
    kyverno = next(c for c in components if c["bom-ref"] == "chart:kyverno@3.9.0")
    assert {"name": "k8sprov:signer", "value": "A" * 40} in kyverno["properties"]
