"""Env files against terraform/variables.tf: declared names, Terraform's type conversions, known profiles."""

from __future__ import annotations

from pathlib import Path

import pytest

from k8sprov.hcl import load_hcl
from k8sprov.lint.tfvars import (
    TypeSyntax,
    Variable,
    check_env_file,
    check_value,
    declared_variables,
    find_line,
    parse_type,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def variables() -> dict[str, Variable]:
    return declared_variables(load_hcl(ROOT / "terraform" / "variables.tf"))


def test_the_stack_variables_are_read_with_their_types(variables: dict[str, Variable]) -> None:
    assert set(variables) == {"environment", "environment_name", "kubeconfig", "talos", "namespace_labels",
                              "release_overrides", "release_secrets", "charts_dir", "values_dir",
                              "helm_manifest_experiment", "kube_config_paths", "kube_context",
                              "kubernetes_version"}
    assert variables["environment"].required and not variables["kubeconfig"].required
    assert variables["helm_manifest_experiment"].type == ("bool",)
    assert variables["kube_config_paths"].type == ("list", ("string",))
    assert variables["namespace_labels"].type == ("map", ("string",))
    assert not variables["namespace_labels"].nullable
    ro = variables["release_overrides"].type
    assert ro[0] == "map" and ro[1][0] == "object"
    entry = ("object", {"name": (("string",), False), "value": (("string",), False),
                        "type": (("string",), True)})
    assert ro[1][1]["set"] == (("list", entry), True)
    # release_secrets: chart -> the same entries, passed to the helm provider's set_sensitive
    assert variables["release_secrets"].type == ("map", ("list", entry))
    assert not variables["release_secrets"].nullable and not variables["release_secrets"].required


@pytest.mark.parametrize(("text", "parsed"), [
    ("string", ("string",)),
    ("${list(number)}", ("list", ("number",))),
    ("${set(bool)}", ("set", ("bool",))),
    ("${tuple([string, number])}", ("tuple", [("string",), ("number",)])),
    ('${object({a = optional(map(string), {"x" = "y"}), b = any})}',
     ("object", {"a": (("map", ("string",)), True), "b": (("any",), False)})),
])
def test_parse_type(text: str, parsed: tuple[object, ...]) -> None:
    assert parse_type(text) == parsed


def test_parse_type_refuses_nonsense() -> None:
    with pytest.raises(TypeSyntax):
        parse_type("${strin}")


@pytest.mark.parametrize(("value", "type_text", "problems"), [
    ({"a": "1", "b": 2, "c": True}, "${map(string)}", []),  # Terraform converts numbers and bools
    ({"a": {"x": 1}}, "${map(string)}", [(("v", "a"), "must be a string, not a map/object")]),
    ("12", "number", []),
    ("twelve", "number", [(("v",), 'must be a number, not the string "twelve"')]),
    ("15m", "number", [(("v",), 'must be a number of seconds, e.g. 900, not the string "15m"')]),
    ("true", "bool", []),
    (1, "bool", [(("v",), "must be true or false, not a number")]),
    ([1, "2"], "${list(number)}", []),
    ({"a": 1}, "${list(number)}", [(("v",), "must be a list, not a map/object")]),
    ("${var.x}", "number", []),  # an expression: Terraform's business
])
def test_check_value(value: object, type_text: str, problems: list[tuple[tuple[str, ...], str]]) -> None:
    assert [(p, m) for p, m, _ in check_value(value, parse_type(type_text), ("v",))] == problems


ENV = """\
environment      = "prod"
environment_name = "production"

kubeconfig = {
  path   = "~/.kube/config"
  contxt = "prod"
}

namespace_lables = {
  "k8sprov.io/tier" = "production"
}

release_overrides = {
  "argo-cd" = {
    timeout = "slow"
    set     = [{ name = "server.replicas", value = "2" }, { name = "x" }]
  }
}
"""


def test_env_file_findings_exactly(variables: dict[str, Variable], tmp_path: Path) -> None:
    path = tmp_path / "prod.tfvars"
    path.write_text(ENV)
    found = check_env_file(load_hcl(path), ENV, variables, ["basic", "staging", "production"], "e.tfvars")
    rows = [(str(f.severity), f.line, f.path, f.suggestion) for f in sorted(found, key=lambda f: f.sort_key())
            ]
    assert rows == [
        ("error", 1, "environment", "production"),
        ("error", 6, "kubeconfig.contxt", "context"),
        ("error", 9, "namespace_lables", "namespace_labels"),
        ("error", 15, "release_overrides.argo-cd.timeout", None),
        ("error", 16, "release_overrides.argo-cd.set.1", None),
    ]
    by_path = {f.path: f.message for f in found}
    assert "Terraform would only warn and drop it" in by_path["namespace_lables"]
    assert by_path["release_overrides.argo-cd.set.1"] == (
        "missing attribute 'value' (required by the variable's type)")


@pytest.mark.parametrize(("value", "ok"), [("1.31", True), ("1.37", True), ("1.25", True), ("1.24", False),
                                           ("1.38", False), ("1.31.4", False), ("v1.31", False)])
def test_kubernetes_version_is_a_minor_the_checks_know(variables: dict[str, Variable], value: str,
                                                       ok: bool) -> None:
    text = f'environment = "basic"\n\nkubernetes_version = "{value}"\n'
    found = check_env_file({"environment": "basic", "kubernetes_version": value}, text, variables, ["basic"],
                           "e.tfvars")
    assert [(f.line, f.path) for f in found] == ([] if ok else [(3, "kubernetes_version")])


def test_a_required_variable_left_out_and_null_where_not_nullable(variables: dict[str, Variable]) -> None:
    found = check_env_file({"namespace_labels": None}, "namespace_labels = null\n", variables, [], "e.tfvars")
    assert [(f.line, f.path, f.message) for f in found] == [
        (1, "namespace_labels", "must not be null (nullable = false)"),
        (None, "environment", "'environment' is not set and has no default; Terraform would ask"),
    ]


def test_find_line_follows_nested_attributes() -> None:
    assert find_line(ENV, ("release_overrides", "argo-cd", "timeout")) == 15
    assert find_line(ENV, ("kubeconfig", "contxt")) == 6
    assert find_line(ENV, ("missing",)) is None


def test_find_line_of_a_variable_is_not_an_attribute_of_the_same_name() -> None:
    text = ('kubeconfig = {\n  environment = "x"\n}\nenvironment = "basic"\n'
            'set = [{ name = "a" }, { b = 1 }]\n')
    assert find_line(text, ("environment",)) == 4
    assert find_line(text, ("kubeconfig", "environment")) == 2
    assert find_line(text, ("set", "1", "b")) == 5
