"""Helm- and namespace-aware parts of the summary, on plan JSON shaped like hashicorp/helm and kubernetes."""

from __future__ import annotations

from typing import Any

from k8sprov.planview import summarize
from k8sprov.planview.model import HelmRelease, Mark, ValuesDoc
from k8sprov.planview.values_diff import diff_values_docs
from tests.planview.helpers import helm_release, namespace, plan, rc

OLD_VALUES = """\
replicaCount: 1
admissionController:
  replicas: 1
  resources:
    limits: {memory: 384Mi}
features:
  policyExceptions: {enabled: false}
tolerations: []
"""
NEW_VALUES = """\
# comments do not matter
replicaCount: 1
admissionController:
  replicas: 3
  resources:
    limits: {memory: 512Mi, cpu: "1"}
features:
  policyExceptions: {enabled: true, namespace: kyverno}
tolerations:
  - key: dedicated
    operator: Exists
"""


def _helm(doc: dict[str, Any], address: str = "helm_release.kyverno") -> HelmRelease:
    change = next(c for c in summarize(doc).changes if c.address == address)
    assert change.helm is not None
    return change.helm


def _paths(doc: ValuesDoc) -> dict[str, tuple[Any, Any]]:
    return {a.path: (a.before, a.after) for a in doc.changes}


def test_version_bump_and_values_diff_by_key_path() -> None:
    before = helm_release(
        "kyverno", chart="kyverno", version="3.8.2", namespace="kyverno", values=[OLD_VALUES]
    )
    after = helm_release(
        "kyverno", chart="kyverno", version="3.9.0", namespace="kyverno", values=[NEW_VALUES]
    )
    after["metadata"] = None
    helm = _helm(
        plan(
            rc(
                "helm_release.kyverno",
                ["update"],
                before,
                after,
                rtype="helm_release",
                change_after_unknown={"metadata": True},
            )
        )
    )
    assert (helm.version_before, helm.version_after, helm.version_changed) == ("3.8.2", "3.9.0", True)
    assert (helm.chart, helm.namespace, helm.name) == ("kyverno", "kyverno", "kyverno")
    assert helm.values_changed and not helm.values_masked
    (doc,) = helm.values_docs
    assert doc.status == "changed"
    assert _paths(doc) == {
        "admissionController.replicas": (1, 3),
        "admissionController.resources.limits.cpu": (Mark.ABSENT, "1"),
        "admissionController.resources.limits.memory": ("384Mi", "512Mi"),
        "features.policyExceptions.enabled": (False, True),
        "features.policyExceptions.namespace": (Mark.ABSENT, "kyverno"),
        "tolerations[0].key": (Mark.ABSENT, "dedicated"),
        "tolerations[0].operator": (Mark.ABSENT, "Exists"),
    }


def test_values_attribute_is_not_repeated_as_a_text_blob() -> None:
    before = helm_release("k", chart="kyverno", version="3.8.2", namespace="kyverno", values=[OLD_VALUES])
    after = helm_release("k", chart="kyverno", version="3.8.2", namespace="kyverno", values=[NEW_VALUES])
    change = summarize(
        plan(rc("helm_release.kyverno", ["update"], before, after, rtype="helm_release"))
    ).changes[0]
    assert not any(a.path.startswith("values") for a in change.attributes)
    assert change.helm is not None and not change.helm.version_changed


def test_version_before_falls_back_to_metadata_and_unknown_after() -> None:
    before = helm_release("a", chart="argo-cd", version="9.7.1", namespace="argocd", values=[])
    before["version"] = None
    after = helm_release("a", chart="argo-cd", version="x", namespace="argocd", values=[])
    del after["version"]
    after["metadata"] = None
    helm = _helm(
        plan(
            rc(
                "helm_release.kyverno",
                ["update"],
                before,
                after,
                rtype="helm_release",
                change_after_unknown={"version": True, "metadata": True},
            )
        )
    )
    assert helm.version_before == "9.7.1"
    assert helm.version_after is Mark.UNKNOWN


def test_metadata_as_list_of_one_object_is_understood() -> None:
    before = helm_release("a", chart="argo-cd", version="9.7.1", namespace="argocd", values=[])
    before["metadata"] = [before["metadata"]]
    before["version"] = ""
    after = dict(before, version="10.1.1")
    helm = _helm(plan(rc("helm_release.kyverno", ["update"], before, after, rtype="helm_release")))
    assert (helm.version_before, helm.version_after) == ("9.7.1", "10.1.1")


def test_create_lists_values_as_added_and_delete_keeps_the_old_version() -> None:
    rel = helm_release(
        "k", chart="kyverno", version="3.9.0", namespace="kyverno", values=["a: 1\nb: {c: 2}\n"]
    )
    created = _helm(plan(rc("helm_release.kyverno", ["create"], None, rel, rtype="helm_release")))
    assert created.version_before is Mark.ABSENT and created.version_after == "3.9.0"
    (doc,) = created.values_docs
    assert doc.status == "added" and _paths(doc) == {"a": (Mark.ABSENT, 1), "b.c": (Mark.ABSENT, 2)}
    deleted = _helm(plan(rc("helm_release.kyverno", ["delete"], rel, None, rtype="helm_release")))
    assert deleted.version_before == "3.9.0" and deleted.version_after is Mark.ABSENT
    assert deleted.values_docs == () and deleted.namespace == "kyverno"


def test_sensitive_values_mask_the_whole_affected_document() -> None:
    secret_doc = "server:\n  adminPassword: CANARY-helm-pass\n  replicas: 1\n"
    plain_old, plain_new = "a: 1\n", "a: 2\n"
    before = helm_release(
        "k", chart="argo-cd", version="9.7.1", namespace="argocd", values=[plain_old, secret_doc]
    )
    after = helm_release(
        "k",
        chart="argo-cd",
        version="9.7.1",
        namespace="argocd",
        values=[plain_new, secret_doc.replace("replicas: 1", "replicas: 2")],
    )
    helm = _helm(
        plan(
            rc(
                "helm_release.kyverno",
                ["update"],
                before,
                after,
                rtype="helm_release",
                change_before_sensitive={"values": [False, True]},
                change_after_sensitive={"values": [False, True]},
            )
        )
    )
    assert [d.status for d in helm.values_docs] == ["changed", "sensitive"]
    assert _paths(helm.values_docs[0]) == {"a": (1, 2)}
    assert helm.values_docs[1].changes == () and helm.values_masked
    assert "CANARY-helm-pass" not in repr(helm)


def test_values_revealing_a_secret_from_elsewhere_are_masked() -> None:
    before = helm_release("k", chart="c", version="1", namespace="n", values=["token: old\n"])
    after = helm_release("k", chart="c", version="1", namespace="n", values=["token: CANARY-from-a-var\n"])
    doc = plan(
        rc("helm_release.kyverno", ["update"], before, after, rtype="helm_release"),
        variables={"t": {"value": "CANARY-from-a-var"}},
        configuration={"root_module": {"variables": {"t": {"sensitive": True}}}},
    )
    helm = _helm(doc)
    assert [d.status for d in helm.values_docs] == ["sensitive"]


def test_set_sensitive_entries_are_masked_as_attributes() -> None:
    before = helm_release("k", chart="c", version="1", namespace="n", values=[])
    after = dict(
        before, set_sensitive=[{"name": "adminPassword", "value": "CANARY-set-secret", "type": None}]
    )
    s = summarize(
        plan(
            rc(
                "helm_release.kyverno",
                ["update"],
                before,
                after,
                rtype="helm_release",
                change_after_sensitive={"set_sensitive": True},
            )
        )
    )
    attrs = {a.path: a.after for a in s.changes[0].attributes}
    assert attrs["set_sensitive"] is Mark.SENSITIVE
    assert "CANARY-set-secret" not in repr(s)


def test_invalid_yaml_falls_back_to_a_text_diff() -> None:
    docs = diff_values_docs(["a: 1\nb: [unclosed\n"], ["a: 2\nb: [unclosed\n"])
    (doc,) = docs
    assert doc.status == "text"
    assert doc.note is not None and "not valid YAML" in doc.note
    assert "-a: 1" in doc.text_diff and "+a: 2" in doc.text_diff


def test_reformatting_only_is_reported_as_such() -> None:
    (doc,) = diff_values_docs(["a: 1\nb: 2\n"], ["# new comment\nb: 2\na: 1\n"])
    assert doc.changes == () and doc.note is not None and "same values" in doc.note


def test_unknown_values_and_odd_yaml_keys() -> None:
    assert diff_values_docs(["a: 1"], None, after_unknown=True)[0].status == "unknown"
    assert diff_values_docs(["a: 1"], [None], after_unknown=[True])[0].status == "unknown"
    (doc,) = diff_values_docs(["1: a\n~: b\nday: 2026-01-01\n"], ["1: z\n~: c\nday: 2026-01-02\n"])
    assert _paths(doc) == {'["1"]': ("a", "z"), "null": ("b", "c"), "day": ("2026-01-01", "2026-01-02")}


def test_extra_and_removed_documents() -> None:
    docs = diff_values_docs(["a: 1\n"], ["a: 1\n", "b: 2\n"])
    assert [(d.index, d.status) for d in docs] == [(1, "added")]
    docs = diff_values_docs(["a: 1\n", "b: 2\n"], ["a: 1\n"])
    assert [(d.index, d.status) for d in docs] == [(1, "removed")]
    assert _paths(docs[0]) == {"b": (2, Mark.ABSENT)}


def test_namespace_label_changes() -> None:
    before = namespace("apps", {"team": "a", "tier": "gold", "app.kubernetes.io/part-of": "platform"})
    after = namespace("apps", {"team": "b", "app.kubernetes.io/part-of": "platform", "env": "prod"})
    s = summarize(
        plan(rc("kubernetes_namespace_v1.apps", ["update"], before, after, rtype="kubernetes_namespace_v1"))
    )
    (change,) = s.namespaces
    assert change.namespace is not None and change.namespace.name == "apps"
    assert {a.path: (a.before, a.after) for a in change.namespace.labels} == {
        "env": (Mark.ABSENT, "prod"),
        "team": ("a", "b"),
        "tier": ("gold", Mark.ABSENT),
    }


def test_namespace_labels_unknown_and_old_resource_name() -> None:
    after = namespace("apps", None)
    s = summarize(
        plan(
            rc(
                "kubernetes_namespace.apps",
                ["create"],
                None,
                after,
                rtype="kubernetes_namespace",
                change_after_unknown={"metadata": [{"labels": True}]},
            )
        )
    )
    (change,) = s.namespaces
    assert change.namespace is not None
    assert [(a.path, a.after) for a in change.namespace.labels] == [("(all labels)", Mark.UNKNOWN)]


def test_merged_values_and_manifest_blobs_never_show() -> None:
    before = helm_release(
        "k", chart="c", version="1", namespace="n", values=["password: CANARY-in-metadata\n"]
    )
    before["metadata"]["values"] = '{"password":"CANARY-in-metadata"}'
    before["manifest"] = '{"secret": "CANARY-in-manifest"}'
    after = dict(before, version="2", values=["password: CANARY-in-metadata\n"], metadata=None, manifest=None)
    s = summarize(
        plan(
            rc(
                "helm_release.kyverno",
                ["update"],
                before,
                after,
                rtype="helm_release",
                change_before_sensitive={"values": [True]},
                change_after_sensitive={"values": [True]},
                change_after_unknown={"metadata": True, "manifest": True},
            )
        )
    )
    attrs = {a.path: a for a in s.changes[0].attributes}
    assert "manifest" not in attrs and "values" not in attrs
    assert "values" not in attrs["metadata"].before
    assert "CANARY" not in repr(s)
