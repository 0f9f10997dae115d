"""What a reader of the plan view needs at a glance: chart names rather than archive paths, the release
name in every table, downgrades marked, the leaves that differ in an output, and why a release updates
when neither its version nor its values change (the helm manifest experiment switched on or off)."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from k8sprov.planview import PlanHeader, summarize, to_json, to_markdown
from k8sprov.planview.summary import chart_name
from tests.planview.helpers import helm_release, plan, rc, rich_text

ARGO = "module.provision_k8s.module.argo_cd.helm_release.this[0]"
CRDS = "module.provision_k8s.module.prometheus_operator_crds.helm_release.protected[0]"
MANIFEST = json.dumps({"argocd/configmap/v1/argo-cd": {"apiVersion": "v1", "kind": "ConfigMap",
                                                        "metadata": {"name": "argo-cd"}}})


def _release(name: str, version: str, namespace: str, **changes: Any) -> dict[str, Any]:
    value = helm_release(name, chart=f"./../charts/{name}-{version}.tgz", version=version,
                         namespace=namespace, values=["replicas: 1\n"])
    value["metadata"]["chart"] = name
    value.update({"manifest": None, "resources": None, **changes})
    return value


def _update(address: str, before: dict[str, Any], after: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return rc(address, ["update"], before, after, rtype="helm_release",
              change_after_unknown={"metadata": True}, **extra)


def _bump_plan(old: str, new: str) -> dict[str, Any]:
    return plan(_update(ARGO, _release("argo-cd", old, "argocd"), _release("argo-cd", new, "argocd")))


def _markdown(doc: dict[str, Any]) -> str:
    return to_markdown(summarize(doc), PlanHeader())


def test_chart_name_from_archive_paths_oci_and_repository_charts() -> None:
    assert chart_name("./../charts/argo-cd-10.1.1.tgz", ("10.1.1",)) == "argo-cd"
    assert chart_name("./../charts/prometheus-operator-crds-31.0.1.tgz") == "prometheus-operator-crds"
    assert chart_name("charts\\kyverno-policies-3.9.0-rc.1.tgz") == "kyverno-policies"
    assert chart_name("oci://ghcr.io/argoproj/argo-helm/argo-cd") == "argo-cd"
    assert chart_name("kyverno") == "kyverno"
    assert chart_name("") is None and chart_name(None) is None


def test_helm_table_shows_chart_names_and_fits_80_columns() -> None:
    doc = plan(
        _update(ARGO, _release("argo-cd", "9.7.1", "argocd"), _release("argo-cd", "10.1.1", "argocd")),
        _update(CRDS, _release("prometheus-operator-crds", "30.0.1", "monitoring"),
                _release("prometheus-operator-crds", "31.0.1", "monitoring")),
    )
    wide = rich_text(summarize(doc), width=120)
    table = wide[wide.index("Helm releases"):]
    assert "./../charts" not in table and ".tgz" not in table
    assert re.search(r"^argo-cd\s+update\s+argocd\s+argo-cd\s+9\.7\.1 → 10\.1\.1\s", table, re.MULTILINE)
    assert re.search(r"^prometheus-operator-crds\s+update\s+monitoring\s+prometheus-operator-crds\s+30\.0\.1",
                     table, re.MULTILINE), table
    # At 80 columns the same 24-character name twice does not fit: the Chart column, which would only
    # repeat each release's name, gives way and every row stays on one line.
    narrow = rich_text(summarize(doc), width=80)
    table = narrow[narrow.index("Helm releases"):]
    assert table.splitlines()[0] == "Helm releases (2)  each named after its chart"
    assert re.search(r"^Release\s+Action\s+Namespace\s+Version\s+Values\s*$", table, re.MULTILINE), table
    assert re.search(r"^prometheus-operator-crds\s+update\s+monitoring\s+30\.0\.1 → 31\.0\.1\s+unchanged",
                     table, re.MULTILINE), table
    other = copy.deepcopy(doc)
    other["resource_changes"][0]["change"]["after"]["name"] = "argo"  # not named after its chart
    table = rich_text(summarize(other), width=80)
    assert re.search(r"^Release\s+Action\s+Namespace\s+Chart\s+Version", table, re.MULTILINE), table
    markdown = _markdown(doc)
    assert "| `argo-cd` | update | argocd | argo-cd | 9.7.1 → **10.1.1** | unchanged |" in markdown
    assert f"`{ARGO}` |" not in markdown  # the Release column names the release, not the address
    data = to_json(summarize(doc), PlanHeader())
    helm = next(c["helm"] for c in data["changes"] if c["address"] == ARGO)
    assert (helm["chart"], helm["chart_name"]) == ("./../charts/argo-cd-10.1.1.tgz", "argo-cd")


def test_a_downgrade_is_marked_in_every_view_and_an_upgrade_is_not() -> None:
    down, up = summarize(_bump_plan("10.1.1", "10.0.1")), summarize(_bump_plan("10.0.1", "10.1.1"))
    assert re.search(r"10\.1\.1 → 10\.0\.1 downgrade", rich_text(down))
    assert "downgrade" not in rich_text(up)
    assert "10.1.1 → **10.0.1** (downgrade)" in to_markdown(down, PlanHeader())
    assert "downgrade" not in to_markdown(up, PlanHeader())
    assert [c["helm"]["downgrade"] for c in to_json(down, PlanHeader())["changes"]] == [True]
    assert [c["helm"]["downgrade"] for c in to_json(up, PlanHeader())["changes"]] == [False]


def _releases_output(revision: int) -> dict[str, Any]:
    return {name: {"name": name, "namespace": ns, "revision": revision if name == "argo-cd" else 1,
                   "status": "deployed", "values": "x" * 400, "password": "CANARY-out-pw"}
            for name, ns in (("argo-cd", "argocd"), ("kyverno", "kyverno"))}


def test_an_updated_output_shows_the_leaves_that_differ_masked_where_sensitive() -> None:
    before, after = _releases_output(1), _releases_output(2)
    after["argo-cd"]["password"] = "CANARY-out-pw-2"
    # terraform marks a whole output sensitive; a secret inside a plain one is a sensitive variable's value
    doc = plan(output_changes={"releases": {
        "actions": ["update"], "before": before, "after": after, "after_unknown": {},
        "before_sensitive": False, "after_sensitive": False}},
        variables={"old_pw": {"value": "CANARY-out-pw"}, "new_pw": {"value": "CANARY-out-pw-2"}},
        configuration={"root_module": {"variables": {"old_pw": {"sensitive": True},
                                                     "new_pw": {"sensitive": True}}}})
    summary = summarize(doc)
    text = rich_text(summary)
    assert '~ releases["argo-cd"].revision: 1 → 2' in text
    assert '~ releases["argo-cd"].password: (sensitive value) → (sensitive value)' in text
    assert "chars)" not in text and "kyverno" not in text  # no two long values with one prefix
    markdown = to_markdown(summary, PlanHeader())
    assert '~   releases["argo-cd"].revision: 1 → 2' in markdown
    (out,) = to_json(summary, PlanHeader())["outputs"]
    assert {c["path"]: (c["before"], c["after"]) for c in out["changes"]} == {
        'releases["argo-cd"].password': (None, None), 'releases["argo-cd"].revision': (1, 2)}
    for rendered in (text, markdown, json.dumps(to_json(summary, PlanHeader()))):
        assert "CANARY" not in rendered


def test_output_leaves_unknown_after_apply_and_plain_object_keys() -> None:
    before = {"name": "basic", "profile": "basic", "releases": {"argo-cd": {"revision": 1}}}
    after = copy.deepcopy(before)
    after["profile"] = "staging"
    del after["releases"]["argo-cd"]["revision"]
    doc = plan(output_changes={"environment": {
        "actions": ["update"], "before": before, "after": after, "before_sensitive": {},
        "after_sensitive": {}, "after_unknown": {"releases": {"argo-cd": {"revision": True}}}}})
    text = rich_text(summarize(doc))
    assert '~ environment.profile: "basic" → "staging"' in text
    assert "~ environment.releases.argo-cd.revision: 1 → (known after apply)" in text


def _experiment_plan(before_manifest: str | None, after_manifest: str | None,
                     **unknown: Any) -> dict[str, Any]:
    before = _release("argo-cd", "10.1.1", "argocd", manifest=before_manifest)
    after = _release("argo-cd", "10.1.1", "argocd", manifest=after_manifest, metadata=None)
    change = _update(ARGO, before, after)
    change["change"]["after_unknown"] = {"metadata": True, **unknown}
    return plan(change, variables={"helm_manifest_experiment": {"value": after_manifest is not None}})


def test_switching_the_manifest_experiment_on_says_why_each_release_updates() -> None:
    summary = summarize(_experiment_plan(None, MANIFEST))
    reason = "the manifest becomes known (helm manifest experiment on); no change in the cluster"
    for detail in (False, True):
        text = " ".join(rich_text(summary, detail=detail, width=200).split())
        assert f"argo-cd updates: {reason}" in text
    assert f"- `argo-cd` updates: {reason}" in to_markdown(summary, PlanHeader())
    (change,) = to_json(summary, PlanHeader())["changes"]
    assert change["helm"]["update_reason"].startswith(reason)


def test_switching_it_off_says_so_and_real_changes_need_no_reason() -> None:
    off = summarize(_experiment_plan(MANIFEST, None))
    assert "the manifest is no longer recorded (helm manifest experiment off)" in " ".join(
        rich_text(off, width=200).split())
    bump = summarize(_bump_plan("10.0.1", "10.1.1"))
    assert "updates:" not in rich_text(bump)
    assert "update_reason" not in json.dumps(to_json(bump, PlanHeader()))
    described = _experiment_plan(None, MANIFEST)
    described["resource_changes"][0]["change"]["after"]["description"] = "argo-cd 10.1.1 sha256:ab"
    assert "updates:" not in rich_text(summarize(described))
