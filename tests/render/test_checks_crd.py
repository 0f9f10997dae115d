"""The `crd-schema` check: custom resources against the CRDs the same or an earlier release installs."""

from __future__ import annotations

import dataclasses
from typing import Any

from k8sprov.rendering.checks import api_versions_of_crds, run_checks
from k8sprov.rendering.model import Finding
from tests.render.checks_objects import crd, ctx, release

WIDGET_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "apiVersion": {"type": "string"},
        "kind": {"type": "string"},
        "metadata": {"type": "object"},
        "spec": {
            "type": "object",
            "required": ["interval"],
            "properties": {
                "interval": {"type": "string", "pattern": "^(0|(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?)$"},
                "mode": {"type": "string", "enum": ["fast", "slow"]},
                "port": {"x-kubernetes-int-or-string": True},
                "replicas": {"type": "integer", "minimum": 1, "format": "int32"},
                "config": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "nullable": {"type": "string", "nullable": True},
            },
        },
    },
}
WIDGET_CRD = crd("example.com", "Widget", "widgets", WIDGET_SCHEMA)


def widget(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w"},
        "spec": {"interval": "30s", **spec},
    }


def _crd_findings(*renders: Any) -> list[Finding]:
    return [f for f in run_checks(list(renders), ctx()) if f.severity == "error"]


def _paths(findings: list[Finding]) -> list[tuple[str, str | None, str]]:
    return [(f.check, f.path, f.message) for f in findings]


def test_a_valid_custom_resource_passes_with_its_crd_in_an_earlier_release() -> None:
    body = widget(
        mode="fast", port="http", config={"anything": {"goes": 1}}, labels={"a": "b"}, nullable=None
    )
    assert _crd_findings(release("crds", "apps", WIDGET_CRD), release("app", "apps", body)) == []


def test_the_same_release_may_install_the_crd() -> None:
    assert _crd_findings(release("app", "apps", WIDGET_CRD, widget())) == []


def test_a_number_where_the_crd_wants_a_duration_string() -> None:
    findings = _crd_findings(release("app", "apps", WIDGET_CRD, widget(interval=30)))
    assert _paths(findings) == [("crd-schema", "spec.interval", "expected string, got integer 30")]
    assert findings[0].object == "Widget apps/w" and findings[0].release == "app"


def test_a_duration_in_words_breaks_the_pattern() -> None:
    [found] = _crd_findings(release("app", "apps", WIDGET_CRD, widget(interval="30 seconds")))
    assert found.path == "spec.interval" and found.message.startswith("'30 seconds' does not match ^(0|")


def test_unknown_fields_are_errors_unless_preserved() -> None:
    findings = _crd_findings(release("app", "apps", WIDGET_CRD, widget(intervall="1m", config={"x": 1})))
    assert _paths(findings) == [("crd-schema", "spec.intervall", 'unknown field "intervall"')]


def test_enum_minimum_int_or_string_and_required() -> None:
    body = widget(mode="medium", replicas=0, port=True)
    del body["spec"]["interval"]
    assert sorted(_paths(_crd_findings(release("app", "apps", WIDGET_CRD, body)))) == [
        ("crd-schema", "spec.interval", 'required field "interval" is missing'),
        ("crd-schema", "spec.mode", "unsupported value 'medium': one of 'fast', 'slow'"),
        ("crd-schema", "spec.port", "expected integer or string, got boolean true"),
        ("crd-schema", "spec.replicas", "0 is less than the minimum 1"),
    ]


def test_a_custom_resources_metadata_is_checked_like_a_built_in_one() -> None:
    body = widget()
    body["metadata"]["labels"] = {"team": "platform/core"}
    body["metadata"]["lables"] = {}
    assert sorted(_paths(_crd_findings(release("app", "apps", WIDGET_CRD, body)))) == [
        (
            "api",
            "metadata.labels.team",
            "label value 'platform/core': must be empty or consist of "
            "alphanumerics, '-', '_' or '.', and start and end with an alphanumeric ('/' and spaces are not "
            "allowed)",
        ),
        ("schema", "metadata.lables", 'unknown field "lables"'),
    ]


def test_a_crd_among_the_same_releases_templates_is_not_there_yet() -> None:
    render = release("app", "apps", WIDGET_CRD, widget())
    templated = dataclasses.replace(render.objects[0], source="app/charts/crds/templates/widgets.yaml")
    [found] = _crd_findings(dataclasses.replace(render, objects=(templated, render.objects[1])))
    assert (found.check, found.object) == ("crd-schema", "Widget apps/w")
    assert found.message.startswith("the CRD of Widget is a template of this release: Helm cannot map")


def test_a_crd_no_release_installs() -> None:
    [found] = _crd_findings(release("app", "apps", widget()))
    assert (found.check, found.path, found.message) == (
        "schema",
        "apiVersion",
        "no CRD or built-in kind Widget in example.com/v1",
    )


def test_a_crd_a_later_release_installs() -> None:
    [found] = _crd_findings(release("app", "apps", widget()), release("crds", "apps", WIDGET_CRD))
    assert found.release == "app" and found.check == "crd-schema"
    assert found.message == "the CRD of Widget is installed by release crds, which comes later"


def test_a_version_the_crd_does_not_serve() -> None:
    body = widget()
    body["apiVersion"] = "example.com/v2"
    [found] = _crd_findings(release("app", "apps", WIDGET_CRD, body))
    assert found.message == "example.com/v2 is not a served version of Widget (served: example.com/v1)"


def test_scope_comes_from_the_crd() -> None:
    cluster_crd = crd("example.com", "Gadget", "gadgets", {"type": "object"}, scope="Cluster")
    body = {"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g"}}
    # Released into a namespace the stack does not create: fine for a cluster-scoped object.
    findings = run_checks([release("app", "elsewhere", cluster_crd, body)], ctx())
    assert findings == []
    twice = run_checks([release("app", "apps", WIDGET_CRD, widget(), widget())], ctx())
    assert next(f for f in twice if f.check == "duplicate").object == "Widget apps/w"


def test_api_versions_of_crds_give_both_forms_helm_accepts_for_served_versions() -> None:
    two = crd("example.com", "Widget", "widgets", WIDGET_SCHEMA, versions=("v1", "v1beta1"))
    off = crd("example.org", "Old", "olds", {"type": "object"}, served=False)
    objects = release("crds", "apps", two, off).objects
    assert api_versions_of_crds(objects) == [
        "example.com/v1",
        "example.com/v1/Widget",
        "example.com/v1beta1",
        "example.com/v1beta1/Widget",
    ]
