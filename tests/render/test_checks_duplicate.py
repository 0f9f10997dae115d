"""The `duplicate` check: an object (group, kind, namespace, name) rendered twice."""

from __future__ import annotations

from k8sprov.rendering.checks import run_checks
from tests.render.checks_objects import config_map, ctx, release


def _dups(*renders: object) -> list[tuple[str, str | None, str]]:
    return [
        (f.release, f.object, f.message)
        for f in run_checks(list(renders), ctx(kyverno="restricted"))
        if f.check == "duplicate"
    ]


def test_a_second_release_rendering_the_same_object() -> None:
    found = _dups(
        release("kyverno", "kyverno", config_map("kyverno")),
        release("argo-cd", "apps", config_map("kyverno", "kyverno")),
    )
    assert found == [
        (
            "argo-cd",
            "ConfigMap kyverno/kyverno",
            "release kyverno renders it too; Helm refuses the "
            "second copy (it exists and cannot be imported into the current release)",
        )
    ]


def test_one_release_rendering_an_object_twice() -> None:
    found = _dups(release("r", "apps", config_map("a"), config_map("a", "apps")))
    assert found == [
        (
            "r",
            "ConfigMap apps/a",
            "this release already renders it; Helm refuses the second copy "
            "(it exists and cannot be imported into the current release)",
        )
    ]


def test_same_name_in_another_namespace_or_of_another_kind_is_no_duplicate() -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "a"}}
    assert (
        _dups(release("r", "apps", config_map("a"), secret), release("s", "kyverno", config_map("a"))) == []
    )


def test_cluster_scoped_objects_collide_across_namespaces() -> None:
    role = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": "view-x"},
    }
    found = _dups(release("r", "apps", role), release("s", "kyverno", role))
    assert [(r, o) for r, o, _ in found] == [("s", "ClusterRole view-x")]
