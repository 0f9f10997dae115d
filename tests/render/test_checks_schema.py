"""The `schema` check: built-in kinds against the strict schemas of the context's Kubernetes version."""

from __future__ import annotations

import pytest

from k8sprov.errors import UsageError
from k8sprov.rendering.checks import run_checks
from k8sprov.rendering.checks.builtin import schema_version
from tests.render.checks_objects import config_map, ctx, deployment, release


def _schema(*bodies: dict[str, object], kube: str = "1.31") -> list[tuple[str, str | None, str]]:
    findings = run_checks([release("r", "apps", *bodies)], ctx(kube))
    return [(f.check, f.path, f.message) for f in findings if f.check == "schema"]


def test_a_clean_deployment_passes() -> None:
    assert run_checks([release("r", "apps", deployment())], ctx()) == []


def test_a_word_where_an_integer_belongs() -> None:
    body = deployment()
    body["spec"]["replicas"] = "two"
    assert _schema(body) == [("schema", "spec.replicas", "expected integer, got string 'two'")]


def test_a_yaml_float_with_no_fraction_is_an_integer_as_the_api_server_reads_it() -> None:
    body = deployment()
    body["spec"]["replicas"] = 2.0
    assert _schema(body) == []
    body["spec"]["replicas"] = 2.5
    assert _schema(body) == [("schema", "spec.replicas", "expected integer, got number 2.5")]


def test_unknown_fields_are_errors_as_with_strict_validation() -> None:
    body = deployment()
    body["spec"]["template"]["spec"]["containers"][0]["resource"] = {"limits": {"cpu": "1"}}
    assert _schema(body) == [
        ("schema", "spec.template.spec.containers[0].resource", 'unknown field "resource"')
    ]


def test_null_is_a_field_left_out() -> None:
    body = deployment()
    body["metadata"]["creationTimestamp"] = None
    body["spec"]["strategy"] = None
    assert _schema(body) == []


def test_missing_required_field() -> None:
    body = deployment()
    del body["spec"]["template"]["spec"]["containers"][0]["name"]
    assert _schema(body) == [
        ("schema", "spec.template.spec.containers[0].name", 'required field "name" is missing')
    ]


def test_int_or_string_and_quantity_take_both_forms() -> None:
    body = deployment()
    body["spec"]["strategy"] = {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": 1, "maxUnavailable": "25%"},
    }
    body["spec"]["template"]["spec"]["containers"][0]["resources"] = {"limits": {"cpu": 1, "memory": "1Gi"}}
    assert _schema(body) == []
    body["spec"]["strategy"]["rollingUpdate"]["maxSurge"] = True
    assert _schema(body) == [
        ("schema", "spec.strategy.rollingUpdate.maxSurge", "expected string or integer, got boolean true")
    ]


def test_a_string_field_with_few_allowed_values_names_them() -> None:
    # The schemas type imagePullPolicy as a string; the API server takes three values.
    body = deployment()
    body["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = "Sometimes"
    findings = run_checks([release("r", "apps", body)], ctx())
    assert [(f.check, f.path, f.message) for f in findings] == [
        (
            "api",
            "spec.template.spec.containers[0].imagePullPolicy",
            "unsupported value 'Sometimes': one of 'Always', 'IfNotPresent', 'Never'",
        )
    ]


def test_a_kind_nobody_defines() -> None:
    body = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    assert _schema(body) == [("schema", "apiVersion", "no CRD or built-in kind Widget in example.com/v1")]


def test_a_removed_api_version_names_the_served_one() -> None:
    body = {
        "apiVersion": "policy/v1beta1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": "p"},
        "spec": {"minAvailable": 1},
    }
    assert _schema(body) == [
        (
            "schema",
            "apiVersion",
            "no CRD or built-in kind PodDisruptionBudget in "
            "policy/v1beta1 (Kubernetes 1.31 serves policy/v1)",
        )
    ]


def test_the_schemas_follow_the_kubernetes_version() -> None:
    # ValidatingAdmissionPolicy reached admissionregistration.k8s.io/v1 in 1.30.
    body = {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingAdmissionPolicy",
        "metadata": {"name": "v"},
        "spec": {"validations": [{"expression": "true"}]},
    }
    assert _schema(body, kube="1.31") == []
    assert _schema(body, kube="1.29")[0][2].startswith("no CRD or built-in kind ValidatingAdmissionPolicy")


@pytest.mark.parametrize(
    ("asked", "used"), [("1.31", (1, 31)), ("v1.37.2", (1, 37)), ("1.40", (1, 37)), ("1.20", (1, 25))]
)
def test_schema_version_is_the_nearest_shipped(asked: str, used: tuple[int, int]) -> None:
    assert schema_version(asked) == used


def test_a_config_map_value_must_be_a_string() -> None:
    body = config_map("c")
    body["data"]["port"] = 8080
    assert _schema(body) == [("schema", "data.port", "expected string, got integer 8080")]


@pytest.mark.parametrize("bad", ["latest", "1", "v1.x", "1.31.0-rc.1"])
def test_a_malformed_kubernetes_version_is_a_usage_error(bad: str) -> None:
    with pytest.raises(UsageError) as err:
        run_checks([release("r", "apps", deployment())], ctx(bad))
    assert (
        err.value.one_line()
        == f"Kubernetes version {bad!r} is not major.minor[.patch] — give a version like 1.31"
    )
