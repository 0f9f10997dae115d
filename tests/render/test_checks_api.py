"""The `api` check: quantities, label and annotation keys and values, object names, namespaces."""

from __future__ import annotations

from decimal import Decimal

import pytest

from k8sprov.rendering.checks import names, run_checks
from k8sprov.rendering.checks.quantity import parse_quantity
from tests.render.checks_objects import config_map, ctx, deployment, release


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1Gi", Decimal(2**30)),
        ("512Mi", Decimal(512 * 2**20)),
        ("1G", Decimal(10**9)),
        ("500m", Decimal("0.5")),
        ("0.5", Decimal("0.5")),
        ("1e3", Decimal(1000)),
        ("1E-3", Decimal("0.001")),
        ("+1k", Decimal(1000)),
        (".5", Decimal("0.5")),
        ("1.", Decimal(1)),
        (2, Decimal(2)),
        (0.25, Decimal("0.25")),
    ],
)
def test_quantities(text: object, value: Decimal) -> None:
    assert parse_quantity(text) == value


@pytest.mark.parametrize(
    "text", ["1Gb", "512MB", "1 Gi", "1gi", "Gi", "", "1.5.0", "1Ki1", "e3", True, "1mi"]
)
def test_not_quantities(text: object) -> None:
    assert parse_quantity(text) is None


def _api(*bodies: dict[str, object], namespace: str = "apps") -> list[tuple[str | None, str]]:
    return [
        (f.path, f.message) for f in run_checks([release("r", namespace, *bodies)], ctx()) if f.check == "api"
    ]


def test_an_invalid_memory_quantity_anywhere_the_schema_says_quantity() -> None:
    body = deployment()
    body["spec"]["template"]["spec"]["containers"][0]["resources"] = {"limits": {"memory": "1Gb"}}
    body["spec"]["template"]["spec"]["volumes"] = [{"name": "tmp", "emptyDir": {"sizeLimit": "1 Gi"}}]
    found = _api(body)
    assert [path for path, _ in found] == [
        "spec.template.spec.containers[0].resources.limits.memory",
        "spec.template.spec.volumes[0].emptyDir.sizeLimit",
    ]
    assert found[0][1].startswith("'1Gb' is not a quantity (a number with an optional suffix")


def test_a_request_above_its_limit_and_a_negative_quantity() -> None:
    body = deployment()
    body["spec"]["template"]["spec"]["containers"][0]["resources"] = {
        "requests": {"memory": "2Gi", "cpu": "-1"},
        "limits": {"memory": "1Gi"},
    }
    assert _api(body) == [
        (
            "spec.template.spec.containers[0].resources.requests.cpu",
            "'-1' must be greater than or equal to 0",
        ),
        (
            "spec.template.spec.containers[0].resources.requests.memory",
            "request '2Gi' must be less than or equal to the limit '1Gi'",
        ),
    ]


def test_label_keys_and_values_everywhere_object_metadata_is() -> None:
    body = deployment()
    body["metadata"]["labels"] = {"team": "platform/core", "-bad": "x", "example.com/ok": "a" * 63}
    body["spec"]["template"]["metadata"]["labels"]["tier"] = "a" * 64
    body["spec"]["selector"]["matchLabels"]["k"] = "v w"
    body["spec"]["template"]["metadata"]["labels"]["k"] = "v w"
    found = _api(body)
    assert (
        "metadata.labels.team",
        "label value 'platform/core': must be empty or consist of alphanumerics, "
        "'-', '_' or '.', and start and end with an alphanumeric ('/' and spaces are not allowed)",
    ) in found
    assert [path for path, _ in found] == [
        "metadata.labels.team",
        'metadata.labels["-bad"]',
        "spec.selector.matchLabels.k",
        "spec.template.metadata.labels.tier",
        "spec.template.metadata.labels.k",
    ]


def test_annotation_keys_but_not_their_values() -> None:
    body = config_map("c")
    body["metadata"]["annotations"] = {"Example.com/a": "anything at all / goes", "a/b/c": "x", "ok": "/"}
    assert _api(body) == [
        (
            'metadata.annotations["Example.com/a"]',
            "annotation key 'Example.com/a': prefix part must be a "
            "lowercase RFC 1123 subdomain (lowercase alphanumerics, '-' or '.', starting and ending with an "
            "alphanumeric)",
        ),
        ('metadata.annotations["a/b/c"]', "annotation key 'a/b/c': a qualified name has at most one '/'"),
    ]


@pytest.mark.parametrize(
    ("kind", "name", "ok"),
    [
        ("ConfigMap", "my.config-1", True),
        ("ConfigMap", "My-Config", False),
        ("Service", "1web", False),
        ("Service", "web.internal", False),
        ("Service", "web-1", True),
        ("Namespace", "team.a", False),
        ("ClusterRole", "system:aggregate-to-view", True),
        ("ClusterRole", "a/b", False),
        ("CronJob", "c" * 53, False),
        ("CronJob", "c" * 52, True),
        ("Deployment", "d" * 254, False),
    ],
)
def test_object_names_per_kind(kind: str, name: str, ok: bool) -> None:
    assert (names.object_name(kind, name, builtin=True) == []) is ok


def test_a_bad_object_name_is_reported() -> None:
    body = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web.internal"},
        "spec": {"ports": [{"port": 80}]},
    }
    assert _api(body) == [
        (
            "metadata.name",
            "name 'web.internal' must be a lowercase RFC 1035 label (lowercase "
            "alphanumerics or '-', starting with a letter and ending with an alphanumeric)",
        )
    ]


def test_a_crd_name_is_plural_dot_group() -> None:
    from tests.render.checks_objects import crd

    body = crd("example.com", "Widget", "widgets", {"type": "object"})
    body["metadata"]["name"] = "widget.example.com"
    assert _api(body) == [("metadata.name", "a CRD's name must be <plural>.<group>: 'widgets.example.com'")]


def test_namespaces_the_stack_does_not_create() -> None:
    found = run_checks(
        [
            release("r", "apps", config_map("a"), config_map("b", "team-a"), config_map("c", "kube-system")),
            release("s", "nowhere", config_map("d")),
        ],
        ctx(),
    )
    assert [(f.release, f.object, f.path, f.message) for f in found] == [
        (
            "r",
            "ConfigMap team-a/b",
            "metadata.namespace",
            "namespace 'team-a' is neither created by the stack nor a system namespace "
            '(Helm fails: namespaces "team-a" not found)',
        ),
        # Without metadata.namespace the object lands in the release's namespace.
        (
            "s",
            "ConfigMap nowhere/d",
            None,
            "namespace 'nowhere' is neither created by the stack nor a system namespace "
            '(Helm fails: namespaces "nowhere" not found)',
        ),
    ]


def test_a_namespace_object_of_the_same_or_an_earlier_release_counts() -> None:
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}}
    found = run_checks(
        [
            release("r", "apps", config_map("b", "team-a"), namespace),
            release("s", "apps", config_map("c", "team-a")),
        ],
        ctx(),
    )
    assert found == []


def test_cluster_scoped_objects_need_no_namespace() -> None:
    role = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": "r"},
        "rules": [],
    }
    assert run_checks([release("r", "nowhere", role)], ctx()) == []
