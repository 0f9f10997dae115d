"""A helm_release `set` entry whose name says credential is masked in every view of a plan, though the
provider does not mark it; release_secrets (set_sensitive) is masked by Terraform's own marks."""

from __future__ import annotations

import json
from typing import Any

from k8sprov.planview import PlanHeader, summarize, to_json, to_markdown
from k8sprov.planview.values_diff import diff_values_docs
from k8sprov.promotion.compare import SENSITIVE, _credentials_masked
from tests.planview.helpers import helm_release, plan, rc, rich_text

PASSWORD = "configs.secret.argocdServerAdminPassword"
OLD, NEW, SHORT = "CANARY-old-admin-pw", "CANARY-new-admin-pw", "pw"


def _release(value: str) -> dict[str, Any]:
    return helm_release(
        "argo-cd",
        chart="argo-cd",
        version="10.1.1",
        namespace="argocd",
        values=[],
        sets=[
            {"name": PASSWORD, "value": value, "type": None},
            {"name": "server.replicas", "value": "2", "type": None},
        ],
    )


def _plan(before: str, after: str) -> dict[str, Any]:
    old = _release(before)
    old["metadata"]["values"] = json.dumps({"configs": {"secret": {"argocdServerAdminPassword": before}}})
    return plan(
        rc(
            "module.argo_cd.helm_release.this[0]",
            ["update"],
            old,
            _release(after),
            rtype="helm_release",
            change_after_unknown={"metadata": True},
        ),
        variables={
            "release_overrides": {"value": {"argo-cd": {"set": [{"name": PASSWORD, "value": after}]}}}
        },
        diagnostics=[{"severity": "warning", "summary": "odd", "detail": f"value {after} looks odd"}],
    )


def test_credential_set_values_are_masked_in_every_view() -> None:
    summary = summarize(_plan(OLD, NEW))
    header = PlanHeader(environment="staging")
    views = {
        "rich": rich_text(summary, header),
        "rich --detail": rich_text(summary, header, detail=True),
        "json": json.dumps(to_json(summary, header)),
        "markdown": to_markdown(summary, header),
        "markdown --detail": to_markdown(summary, header, detail=True),
        "summary": repr(summary),
    }
    for what, text in views.items():
        assert OLD not in text and NEW not in text, what
    attrs = {a["path"]: a for a in to_json(summary, header)["changes"][0]["attributes"]}
    assert attrs["set[0].value"]["before_sensitive"] and attrs["set[0].value"]["after_sensitive"]
    assert PASSWORD in views["rich --detail"] or "set[0].value" in views["rich --detail"]
    assert "set[1].value" not in attrs  # an ordinary entry that did not change
    assert "value (sensitive value) looks odd" in views["json"]  # known values are scrubbed in free text


def test_a_short_credential_value_is_masked_by_its_mark() -> None:
    summary = summarize(_plan("ab", SHORT))
    attrs = {a["path"]: a for a in to_json(summary, PlanHeader())["changes"][0]["attributes"]}
    assert attrs["set[0].value"]["after"] is None and attrs["set[0].value"]["after_sensitive"]


def test_values_files_keys_named_like_credentials_are_masked() -> None:
    (doc,) = diff_values_docs(
        ["configs:\n  secret:\n    adminPassword: a-pw-1\n  cm:\n    url: a\n"],
        ["configs:\n  secret:\n    adminPassword: b-pw-2\n  cm:\n    url: b\n"],
    )
    changes = {c.path: (c.before, c.after) for c in doc.changes}
    assert changes["configs.cm.url"] == ("a", "b")
    assert "pw" not in repr(changes["configs.secret.adminPassword"])


def test_diff_masks_credential_entries_of_env_files() -> None:
    entries = [{"name": PASSWORD, "value": OLD}, {"name": "server.replicas", "value": "2"}]
    shown = _credentials_masked("release_overrides.argo-cd.set", entries)
    assert shown == [{"name": PASSWORD, "value": SENSITIVE}, {"name": "server.replicas", "value": "2"}]
    assert _credentials_masked("namespace_labels.x", ["a"]) == ["a"]


def test_unchanged_release_secrets_are_not_listed_as_a_change() -> None:
    """Terraform writes after_unknown as a structure (`[{}]`) even when nothing in it is unknown."""
    secret = [{"name": "configs.secret.githubSecret", "type": None, "value": "CANARY-gh-secret"}]
    before, after = _release(OLD), _release(NEW)
    before["set_sensitive"], after["set_sensitive"] = secret, [dict(secret[0])]
    doc = plan(
        rc(
            "module.argo_cd.helm_release.this[0]",
            ["update"],
            before,
            after,
            rtype="helm_release",
            change_after_unknown={"set_sensitive": [{}], "metadata": True},
            change_before_sensitive={"set_sensitive": True},
            change_after_sensitive={"set_sensitive": True},
        )
    )
    (change,) = summarize(doc).listed
    paths = [a.path for a in change.attributes]
    assert "set_sensitive" not in paths and "set[0].value" in paths
