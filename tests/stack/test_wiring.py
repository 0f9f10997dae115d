"""Module wiring: calls pass declared variables, variables are typed and described, references resolve."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.stack.conftest import MODULE_DIRS
from tests.stack.hclcheck import Module, check_module_calls, check_references, check_variables

PROVIDERS = ["helm", "kubernetes", "talos", "null"]


@pytest.mark.parametrize("name", sorted(MODULE_DIRS))
def test_variables_typed_and_described_outputs_described(name: str, modules: dict[str, Module]) -> None:
    module = modules[name]
    assert module.variables(), f"{name} declares no variables"
    assert module.outputs(), f"{name} declares no outputs"
    assert check_variables(module) == []


@pytest.mark.parametrize("name", sorted(MODULE_DIRS))
def test_module_calls_pass_declared_and_required_variables(name: str, modules: dict[str, Module]) -> None:
    assert check_module_calls(modules[name]) == []


@pytest.mark.parametrize("name", sorted(MODULE_DIRS))
def test_references_resolve(name: str, modules: dict[str, Module]) -> None:
    assert check_references(modules[name], PROVIDERS) == []


def test_expected_module_calls(modules: dict[str, Module]) -> None:
    assert set(modules["root"].modules()) == {"provision_k8s"}
    calls = modules["provision_k8s"].modules()
    assert set(calls) == {"prometheus_operator_crds", "kyverno", "kyverno_policies", "argo_cd"}
    assert {body["source"] for body in calls.values()} == {"../helm"}


def test_every_variable_of_a_nested_object_uses_optional_for_defaults(modules: dict[str, Module]) -> None:
    """Maps/objects of settings are typed with optional() so var files only name what they change."""
    root = modules["root"].variables()
    for var in ("kubeconfig", "talos", "release_overrides"):
        assert "optional(" in root[var]["type"], var


# ---- negative cases ----------------------------------------------------------------------------

def _module(tmp_path: Path, files: dict[str, str]) -> Module:
    for rel, text in files.items():
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return Module.load(tmp_path)


CHILD = '''
variable "needed" {
  description = "required"
  type        = string
}
variable "extra" {
  description = "optional"
  type        = number
  default     = 1
}
output "value" {
  description = "v"
  value       = var.needed
}
'''


def test_wiring_catches_undeclared_and_missing_variables(tmp_path: Path) -> None:
    module = _module(tmp_path, {"child/main.tf": CHILD, "main.tf": '''
module "c" {
  source = "./child"
  extar  = 2
}
'''})
    errors = check_module_calls(module)
    assert len(errors) == 2
    assert "passes undeclared variable 'extar' (did you mean 'extra'?)" in errors[0]
    assert "does not pass required variable 'needed'" in errors[1]


def test_wiring_catches_untyped_undescribed_variable_and_bad_references(tmp_path: Path) -> None:
    module = _module(tmp_path, {"child/main.tf": CHILD, "main.tf": '''
variable "loose" {
  default = 1
}
locals {
  a = var.loose
}
module "c" {
  source = "./child"
  needed = local.b
}
output "o" {
  description = "refers to things that do not exist"
  value       = [module.c.valeu, module.d.x, var.nope, helm_release.missing.status]
}
'''})
    assert check_variables(module) == [f"{tmp_path.name}: variable 'loose' has no type",
                                       f"{tmp_path.name}: variable 'loose' has no description"]
    errors = check_references(module, ["helm"])
    assert any("local.b is not defined" in e for e in errors)
    assert any("module.c has no output 'valeu'" in e for e in errors)
    assert any("module.d is not called here" in e for e in errors)
    assert any("var.nope is not declared" in e for e in errors)
    assert any("helm_release.missing is not declared" in e for e in errors)
    assert len(errors) == 5


def _required_providers(terraform: dict[str, Any]) -> dict[str, Any]:
    raw = terraform["required_providers"]
    block: dict[str, Any] = raw[0] if isinstance(raw, list) else raw
    return {k: v for k, v in block.items() if k != "__is_block__"}


def test_versions_pinned_in_root_minimums_in_children(modules: dict[str, Module]) -> None:
    """HashiCorp module structure: every module states its needs; only the root pins."""
    for name, module in modules.items():
        (terraform,) = module.terraform_blocks()
        assert terraform["required_version"] == ">= 1.5", name
        providers = _required_providers(terraform)
        used = {rtype.split("_")[0] for _, rtype, _, _ in module.resources()}
        used |= {p for _, p, _ in module.providers()}
        assert used <= set(providers), f"{name} uses {used - set(providers)} without declaring them"
        for pname, spec in providers.items():
            if name == "root":
                assert spec["version"].startswith("~> "), f"root must pin {pname}"
            else:
                assert spec["version"].startswith(">= "), f"{name} must state a minimum for {pname}"
    root = _required_providers(modules["root"].terraform_blocks()[0])
    assert {k: v["source"] for k, v in root.items()} == {
        "kubernetes": "hashicorp/kubernetes", "helm": "hashicorp/helm", "null": "hashicorp/null",
        "talos": "siderolabs/talos"}
    assert root["kubernetes"]["version"].startswith("~> 3.") and root["helm"]["version"].startswith("~> 3.")
    assert root["null"]["version"].startswith("~> 3.") and root["talos"]["version"].startswith("~> 0.11")


def test_manifest_experiment_switch_is_wired_and_off_by_default(modules: dict[str, Module]) -> None:
    """One root variable, default false, reaches the helm provider's experiments.manifest."""
    var = modules["root"].variables()["helm_manifest_experiment"]
    assert var["type"] == "bool" and var["default"] is False and var["nullable"] is False
    assert "after the first apply" in var["description"]
    (helm,) = [body for _, name, body in modules["root"].providers() if name == "helm"]
    assert helm["experiments"] == {"manifest": "${var.helm_manifest_experiment}"}
    for name in ("provision_k8s", "helm"):  # child modules get providers passed down, never configure one
        assert not modules[name].providers()


def test_every_environment_file_can_set_the_manifest_switch() -> None:
    from k8sprov.hcl import load_hcl
    from tests.stack.conftest import PROJECT

    envs = sorted((PROJECT / "infra" / "envs").glob("*.tfvars"))
    assert envs
    for path in envs:
        values = load_hcl(path)
        assert isinstance(values.get("helm_manifest_experiment", False), bool), path.name
        docs = "docs/plan-view.md#kubernetes-objects-inside-each-helm-release"
        assert docs in path.read_text(), f"{path.name}: point at the docs"
