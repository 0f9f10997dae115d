"""Every provider, resource and data block under terraform/ against the real provider schemas."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.stack.conftest import MODULE_DIRS
from tests.stack.hclcheck import Module, Schema, check_attribute_paths, check_module_schemas, parse_tf


def test_schemas_are_the_pinned_provider_versions(schemas: dict[str, Schema]) -> None:
    assert schemas["helm"]["provider"] == "registry.terraform.io/hashicorp/helm"
    assert schemas["helm"]["version"] == "3.3.0"
    assert schemas["kubernetes"]["provider"] == "registry.terraform.io/hashicorp/kubernetes"
    assert schemas["kubernetes"]["version"] == "3.4.0"
    release = schemas["helm"]["resources"]["helm_release"]
    # the facts the stack relies on, read from the real schema: helm 3.x nested attributes
    assert release["attributes"]["set"]["nested"]["nesting"] == "list"
    # release_secrets go to set_sensitive: an attribute list like `set`, whose value is required
    sensitive = release["attributes"]["set_sensitive"]
    assert sensitive["optional"] and sensitive["nested"]["nesting"] == "list"
    entry = sensitive["nested"]["attributes"]
    assert set(entry) == {"name", "value", "type"}
    assert entry["name"]["required"] and entry["value"]["required"] and entry["type"]["optional"]
    assert schemas["helm"]["provider_config"]["attributes"]["kubernetes"]["nested"]["nesting"] == "single"
    assert release["attributes"]["chart"]["required"] and release["attributes"]["name"]["required"]
    assert "metadata" in schemas["kubernetes"]["resources"]["kubernetes_namespace_v1"]["blocks"]
    # kubectl-like connection: both providers take a list of kubeconfig files (merged like KUBECONFIG)
    helm_kube = schemas["helm"]["provider_config"]["attributes"]["kubernetes"]["nested"]["attributes"]
    assert helm_kube["config_paths"]["optional"] and helm_kube["config_context"]["optional"]
    assert schemas["kubernetes"]["provider_config"]["attributes"]["config_paths"]["optional"]


@pytest.mark.parametrize("name", sorted(MODULE_DIRS))
def test_module_conforms_to_provider_schemas(name: str, modules: dict[str, Module],
                                             schemas: dict[str, Schema]) -> None:
    module = modules[name]
    blocks = len(module.providers()) + len(module.resources("resource")) + len(module.resources("data"))
    errors = check_module_schemas(module, schemas)
    assert errors == []
    if name != "provision_k8s" or blocks:  # every module here declares something to check
        assert blocks > 0


def test_every_resource_type_has_a_schema(modules: dict[str, Module], schemas: dict[str, Schema]) -> None:
    types = {rtype for m in modules.values() for _, rtype, _, _ in m.resources("resource")}
    assert types == {"helm_release", "kubernetes_namespace_v1", "talos_cluster_kubeconfig"}


def test_both_helm_releases_pass_set_sensitive(modules: dict[str, Module]) -> None:
    bodies = {n: b for _, t, n, b in modules["helm"].resources("resource") if t == "helm_release"}
    assert set(bodies) == {"this", "protected"}
    for body in bodies.values():
        assert body["set_sensitive"] == "${local.set_sensitive}"


# ---- negative cases: the checker catches what the real providers would reject ------------------

def _errors(tmp_path: Path, text: str, schemas: dict[str, Schema]) -> list[str]:
    (tmp_path / "main.tf").write_text(text)
    parse_tf(text)  # must be valid HCL, so only the schema can object
    return check_module_schemas(Module.load(tmp_path), schemas)


def test_catches_helm2_style_set_block(tmp_path: Path, schemas: dict[str, Schema]) -> None:
    errors = _errors(tmp_path, '''
resource "helm_release" "x" {
  name  = "x"
  chart = "./x.tgz"
  set {
    name  = "a"
    value = "b"
  }
}
''', schemas)
    assert len(errors) == 1
    assert "'set' is an attribute, not a block" in errors[0] and "set = [{ ... }]" in errors[0]


def test_catches_helm2_style_kubernetes_block(tmp_path: Path, schemas: dict[str, Schema]) -> None:
    errors = _errors(tmp_path, '''
provider "helm" {
  kubernetes {
    config_path = "~/.kube/config"
  }
}
''', schemas)
    assert len(errors) == 1 and "'kubernetes' is an attribute, not a block" in errors[0]


def test_catches_misspelled_argument(tmp_path: Path, schemas: dict[str, Schema]) -> None:
    errors = _errors(tmp_path, '''
resource "helm_release" "x" {
  name             = "x"
  chart            = "./x.tgz"
  create_namspace  = false
}
''', schemas)
    assert errors == [f"{tmp_path.name}/main.tf: resource helm_release.x: unknown argument 'create_namspace' "
                      "(did you mean 'create_namespace'?)"]


def test_catches_misspelled_nested_argument(tmp_path: Path, schemas: dict[str, Schema]) -> None:
    errors = _errors(tmp_path, '''
provider "helm" {
  kubernetes = {
    config_pth = "~/.kube/config"
  }
}
resource "kubernetes_namespace_v1" "x" {
  metadata {
    name  = "x"
    label = { a = "b" }
  }
}
''', schemas)
    assert len(errors) == 2
    assert "provider 'helm'.kubernetes: unknown argument 'config_pth'" in errors[0]
    assert "kubernetes_namespace_v1.x.metadata: unknown argument 'label'" in errors[1]


def test_catches_missing_required_argument(tmp_path: Path, schemas: dict[str, Schema]) -> None:
    errors = _errors(tmp_path, '''
resource "helm_release" "x" {
  name = "x"
}
resource "helm_release" "y" {
  name  = "y"
  chart = "./y.tgz"
  set   = [{ value = "no name" }]
}
''', schemas)
    assert len(errors) == 2
    assert errors[0].endswith("helm_release.x: required argument 'chart' is missing")
    assert errors[1].endswith("helm_release.y.set[0]: required argument 'name' is missing")


def test_catches_block_written_as_attribute_and_computed_attribute(tmp_path: Path,
                                                                  schemas: dict[str, Schema]) -> None:
    errors = _errors(tmp_path, '''
resource "kubernetes_namespace_v1" "x" {
  metadata = { name = "x" }
}
resource "helm_release" "y" {
  name   = "y"
  chart  = "./y.tgz"
  status = "deployed"
}
''', schemas)
    assert len(errors) == 2
    assert "'metadata' is a block" in errors[0]
    assert "'status' is computed by the provider and cannot be set" in errors[1]


def test_catches_unknown_resource_type_and_talos_errors(tmp_path: Path, schemas: dict[str, Schema]) -> None:
    errors = _errors(tmp_path, '''
resource "kubernetes_namespace" "old" {
  metadata {
    name = "x"
  }
}
resource "kubernetes_namesapce_v1" "typo" {
  metadata {
    name = "x"
  }
}
resource "talos_cluster_kubeconfig" "x" {
  client_configuration {
    ca_certificate = "a"
  }
}
''', schemas)
    # kubernetes_namespace (v0) still exists in 3.4.0; the typo and the talos mistakes do not pass
    assert not any("kubernetes_namespace.old" in e for e in errors)
    assert any("has no resource type 'kubernetes_namesapce_v1'" in e and "kubernetes_namespace_v1" in e
               for e in errors)
    assert any("talos_cluster_kubeconfig.x: 'client_configuration' is an attribute" in e for e in errors)
    assert any("talos_cluster_kubeconfig.x: required argument 'node' is missing" in e for e in errors)
    assert len(errors) == 3


@pytest.mark.parametrize("name", sorted(MODULE_DIRS))
def test_attribute_paths_match_schema_shapes(name: str, modules: dict[str, Module],
                                             schemas: dict[str, Schema]) -> None:
    assert check_attribute_paths(modules[name], schemas) == []


def test_attribute_path_shapes_come_from_the_schema(schemas: dict[str, Schema]) -> None:
    """helm 3.x made `metadata` a single object (2.x: metadata[0]); namespace metadata stays a block."""
    release = schemas["helm"]["resources"]["helm_release"]
    assert release["attributes"]["metadata"]["computed_shape"] == "single"
    assert "metadata" in schemas["kubernetes"]["resources"]["kubernetes_namespace_v1"]["blocks"]


def test_catches_helm2_metadata_index_and_unindexed_block(tmp_path: Path, schemas: dict[str, Schema]) -> None:
    (tmp_path / "main.tf").write_text('''
locals {
  release = one(concat(helm_release.a, helm_release.b))
}
output "chart" {
  description = "helm 2.x style"
  value       = [helm_release.a[0].metadata[0].chart, local.release.metadata[0].version]
}
output "ns" {
  description = "block used as an object"
  value       = kubernetes_namespace_v1.x.metadata.name
}
output "fine" {
  description = "correct paths"
  value       = [local.release.metadata.chart, kubernetes_namespace_v1.x.metadata[0].name]
}
''')
    errors = check_attribute_paths(Module.load(tmp_path), schemas)
    assert len(errors) == 3
    assert "helm_release.a[0].metadata: 'metadata' is a single object" in errors[0]
    assert "local.release.metadata: 'metadata' is a single object" in errors[1]
    assert "kubernetes_namespace_v1.x.metadata: 'metadata' is a list (block)" in errors[2]


# ---- the helm manifest experiment switch -------------------------------------------------------

def test_helm_provider_experiments_manifest_is_in_the_real_schema(schemas: dict[str, Schema]) -> None:
    experiments = schemas["helm"]["provider_config"]["attributes"]["experiments"]
    assert experiments["nested"]["nesting"] == "single"  # an attribute: experiments = { ... }
    assert set(experiments["nested"]["attributes"]) == {"manifest"}
    release = schemas["helm"]["resources"]["helm_release"]["attributes"]
    # what the plan view reads: both computed by the provider, never set by us
    assert release["manifest"]["computed"] and not release["manifest"]["optional"]
    assert release["resources"]["computed"] and not release["resources"]["optional"]


def test_catches_experiments_written_as_a_block_or_misspelled(tmp_path: Path,
                                                              schemas: dict[str, Schema]) -> None:
    block = _errors(tmp_path, '''
provider "helm" {
  experiments {
    manifest = true
  }
}
''', schemas)
    assert len(block) == 1 and "'experiments' is an attribute, not a block" in block[0]
    typo = _errors(tmp_path, '''
provider "helm" {
  experiments = {
    manifests = true
  }
}
''', schemas)
    assert len(typo) == 1 and "unknown argument 'manifests'" in typo[0] and "'manifest'" in typo[0]
