"""Kubernetes objects inside helm_release changes (the helm provider's manifest experiment)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from k8sprov.planview import PlanHeader, summarize, to_json, to_markdown
from k8sprov.planview.model import Mark, ObjectChange, ReleaseObjects
from tests.planview.helpers import helm_release, plan, platform_plan, rc, rich_text, synthetic_plan
from tests.planview.objects_fixture import (
    CANARIES,
    FIXTURE,
    argo_objects,
    b64,
    fixture_text,
    install_plan,
    manifest,
    objects_plan,
)

ARGO = "module.provision_k8s.module.argo_cd.helm_release.this[0]"
KYVERNO = "module.provision_k8s.module.kyverno.helm_release.protected[0]"
CRDS = "module.provision_k8s.module.prometheus_operator_crds.helm_release.protected[0]"
POLICIES = "module.provision_k8s.module.kyverno_policies.helm_release.this[0]"


@pytest.fixture(scope="module")
def summary() -> Any:
    return summarize(objects_plan())


def _objects(summary: Any, address: str) -> ReleaseObjects:
    change = next(c for c in summary.changes if c.address == address)
    assert change.helm is not None and change.helm.objects is not None
    objects: ReleaseObjects = change.helm.objects
    return objects


def _object(objects: ReleaseObjects, title: str) -> ObjectChange:
    return next(o for o in objects.objects if o.title == title)


def _fields(o: ObjectChange) -> dict[str, tuple[Any, Any]]:
    return {a.path: (a.before, a.after) for a in o.changes}


def test_fixture_file_is_current() -> None:
    assert FIXTURE.read_text(encoding="utf-8") == fixture_text(), (
        "run python -m tests.planview.objects_fixture"
    )


def test_objects_added_removed_changed_with_field_changes(summary: Any) -> None:
    objects = _objects(summary, ARGO)
    assert objects.status == "diff" and objects.source == "manifest"
    assert objects.counts == {"create": 0, "update": 11, "delete": 1}
    assert objects.counts_text() == "~11 -1"
    assert [o.title for o in objects.objects if o.action == "delete"] == [
        "Deployment argocd/argocd-dex-server"
    ]
    server = _object(objects, "Deployment argocd/argocd-server")
    fields = _fields(server)
    assert fields["spec.replicas"] == (1, 2)
    assert fields["spec.template.spec.containers.server.image"] == (
        "quay.io/argoproj/argocd:v3.2.6",
        "quay.io/argoproj/argocd:v3.3.2",
    )
    # env is keyed by name: the variable inserted at the top is one addition, nothing after it moves
    env = [p for p in fields if ".env." in p]
    assert env == [
        "spec.template.spec.containers.server.env.ARGOCD_SERVER_ENABLE_GZIP.name",
        "spec.template.spec.containers.server.env.ARGOCD_SERVER_ENABLE_GZIP.value",
    ]
    assert server.rolls and not server.rolls_for_chart_metadata_only
    kyverno = _objects(summary, KYVERNO)
    assert [o.title for o in kyverno.objects if o.action == "create"] == [
        "ClusterRole kyverno:admission-controller"
    ]


def test_api_version_bump_is_a_change_not_remove_and_add(summary: Any) -> None:
    objects = _objects(summary, ARGO)
    hpas = [o for o in objects.objects if o.kind == "HorizontalPodAutoscaler"]
    assert len(hpas) == 1
    (hpa,) = hpas
    assert (hpa.action, hpa.group, hpa.version_before, hpa.version) == (
        "update",
        "autoscaling",
        "v2beta2",
        "v2",
    )
    assert _fields(hpa) == {"apiVersion": ("autoscaling/v2beta2", "autoscaling/v2")}
    assert (
        "~ HorizontalPodAutoscaler argocd/argocd-server  (apiVersion autoscaling/v2beta2 → autoscaling/v2)"
        in (rich_text(summary, width=200))
    )


def test_crd_change_is_one_line_unless_detail(summary: Any) -> None:
    objects = _objects(summary, CRDS)
    assert objects.counts == {"create": 0, "update": 2, "delete": 0}  # probes.monitoring.coreos.com unchanged
    sm = _object(objects, "CustomResourceDefinition servicemonitors.monitoring.coreos.com")
    assert sm.is_crd and sm.schema_paths == 6 and len(sm.changes) == 7
    plain = rich_text(summary, width=200)
    line = (
        "~ CustomResourceDefinition servicemonitors.monitoring.coreos.com: "
        "6 schema paths changed, 1 other field"
    )
    assert line in plain
    assert "noProxy" not in plain
    detail = rich_text(summary, detail=True, width=300)
    assert "properties.noProxy.description" in detail and "6 schema paths changed" not in detail
    md = to_markdown(summary, PlanHeader())
    assert line in md and "noProxy" not in md
    assert "noProxy" in to_markdown(summary, PlanHeader(), detail=True)
    doc = to_json(summary, PlanHeader())
    crds = next(c for c in doc["changes"] if c["address"] == CRDS)["helm"]["objects"]
    assert {o["name"]: o["schema_paths_changed"] for o in crds} == {
        "podmonitors.monitoring.coreos.com": 6,
        "servicemonitors.monitoring.coreos.com": 6,
    }


def test_label_only_bumps_are_grouped_into_one_line(summary: Any) -> None:
    objects = _objects(summary, ARGO)
    rbac = _object(objects, "ConfigMap argocd/argocd-rbac-cm")
    assert rbac.changes == () and {a.path for a in rbac.chart_metadata} == {
        'metadata.labels["app.kubernetes.io/version"]',
        'metadata.labels["helm.sh/chart"]',
    }
    assert rbac not in objects.listed
    assert objects.chart_label_objects == 11
    text = rich_text(summary, width=200)
    assert "chart labels bumped on 11 objects;" in text
    assert "argocd-rbac-cm" not in text and "helm.sh/chart" not in text  # no per-object diff of the bump
    assert "chart labels bumped on 4 objects" in text  # kyverno's, read from `resources`


def test_checksum_annotation_change_means_a_roll(summary: Any) -> None:
    objects = _objects(summary, ARGO)
    repo = _object(objects, "Deployment argocd/argocd-repo-server")
    appset = _object(objects, "Deployment argocd/argocd-applicationset-controller")
    assert repo.rolls_for_chart_metadata_only and repo.roll_reasons == (
        "checksum/cm",
        "checksum/cmd-params",
        "chart labels",
    )
    assert appset.roll_reasons == ("chart labels",)
    assert [o.name for o in objects.rolling_for_chart_metadata] == [
        "argocd-applicationset-controller",
        "argocd-repo-server",
    ]
    line = objects.chart_line()
    assert line == (
        "chart labels bumped on 11 objects; 2 workloads will roll: checksum/cm, checksum/cmd-params, "
        "chart labels changed"
    )
    assert "(pods will roll)" in rich_text(summary, width=200)  # argocd-server rolls for its own changes
    detail = rich_text(summary, detail=True, width=200)
    assert (
        "rolling: Deployment argocd/argocd-applicationset-controller, Deployment argocd/argocd-repo-server"
        in (detail)
    )


def test_secret_keys_shown_values_never(summary: Any) -> None:
    secret = _object(_objects(summary, ARGO), "Secret argocd/argocd-secret")
    assert _fields(secret) == {
        'data["server.secretkey"]': (Mark.SENSITIVE, Mark.SENSITIVE),
        'data["webhook.github.secret"]': (Mark.ABSENT, Mark.SENSITIVE),
        'stringData["admin.password"]': (Mark.SENSITIVE, Mark.SENSITIVE),
    }
    tls = _object(_objects(summary, KYVERNO), "Secret kyverno/kyverno-svc.kyverno.svc.kyverno-tls-pair")
    assert _fields(tls) == {'data["tls.crt"]': (Mark.SENSITIVE, Mark.SENSITIVE)}
    # values the plan marks sensitive (set_sensitive, a sensitive values document) are masked inside objects
    cm = _fields(_object(_objects(summary, ARGO), "ConfigMap argocd/argocd-cm"))
    assert cm['data["webhook.bitbucket.uuid"]'] == (Mark.ABSENT, Mark.SENSITIVE)
    assert cm['data["accounts.ci.passwordHint"]'] == ("none", Mark.SENSITIVE)
    assert cm['data["exec.enabled"]'] == ("false", "true")


def _never_printed(text: str) -> None:
    for canary in CANARIES:
        assert canary not in text
        assert b64(canary) not in text
    assert "CANARY" not in text


def test_canaries_never_printed_in_any_format(summary: Any) -> None:
    header = PlanHeader(environment="staging")
    outputs = [
        rich_text(summary, width=200),
        rich_text(summary, detail=True, width=300, max_per_group=1000),
        json.dumps(to_json(summary, header)),
        to_markdown(summary, header),
        to_markdown(summary, header, detail=True),
        repr(summary),
    ]
    for text in outputs:
        _never_printed(text)
    assert 'stringData["admin.password"]' in outputs[1]


def test_unknown_manifest_is_one_line(summary: Any) -> None:
    objects = _objects(summary, POLICIES)
    assert objects.status == "unknown" and objects.objects == ()
    text = rich_text(summary, width=200)
    assert f"objects of {POLICIES}  known after apply\n    objects known after apply\n" in text
    doc = to_json(summary, PlanHeader())
    helm = next(c for c in doc["changes"] if c["address"] == POLICIES)["helm"]
    assert helm["objects"] == [] and helm["objects_summary"]["status"] == "unknown"


def test_unknown_manifest_without_objects_or_switch_says_nothing() -> None:
    """With the experiment off the provider may mark `manifest` unknown: no line then."""
    before = helm_release("k", chart="kyverno", version="3.8.2", namespace="kyverno", values=[])
    after = helm_release("k", chart="kyverno", version="3.9.0", namespace="kyverno", values=[])
    change = rc(
        "helm_release.k",
        ["update"],
        before,
        after,
        rtype="helm_release",
        change_after_unknown={"manifest": True, "resources": True},
    )
    (off,) = summarize(plan(change)).changes
    assert off.helm is not None and off.helm.objects is None
    on = summarize(plan(change, variables={"helm_manifest_experiment": {"value": True}})).changes[0]
    assert on.helm is not None and on.helm.objects is not None and on.helm.objects.status == "unknown"


def test_resources_instead_of_manifest(summary: Any) -> None:
    objects = _objects(summary, KYVERNO)
    assert objects.source == "resources" and objects.status == "diff"
    assert objects.counts == {"create": 1, "update": 4, "delete": 0}
    webhook = _object(objects, "ValidatingWebhookConfiguration kyverno-policy-validating-webhook-cfg")
    assert _fields(webhook) == {
        "webhooks[0].rules[0].resources[2]": (Mark.ABSENT, "policyexceptions"),
        "webhooks[0].timeoutSeconds": (10, 15),
    }
    assert _object(objects, "Secret kyverno/kyverno-svc.kyverno.svc.kyverno-tls-pair").namespace == "kyverno"
    # the blob itself never shows up as an attribute
    change = next(c for c in summary.changes if c.address == KYVERNO)
    assert not any(a.path.startswith(("resources", "manifest")) for a in change.attributes)


def test_helm_table_counts_and_views(summary: Any) -> None:
    text = rich_text(summary, width=200)
    header = next(line for line in text.splitlines() if line.startswith("Release"))
    assert header.split() == ["Release", "Action", "Namespace", "Chart", "Version", "Values", "Objects"]
    rows = {
        line.split()[0]: line.split()
        for line in text.splitlines()
        if line.startswith(("argo-cd ", "kyverno ", "prometheus-operator-crds", "kyverno-policies"))
    }
    assert rows["argo-cd"][-2:] == ["~11", "-1"]
    assert rows["kyverno"][-2:] == ["+1", "~4"]
    assert rows["prometheus-operator-crds"][-1] == "~2"
    assert rows["kyverno-policies"][-3:] == ["known", "after", "apply"]
    assert "\n    - Deployment argocd/argocd-dex-server\n" in text
    assert "+ ClusterRole kyverno:admission-controller" in text
    md = to_markdown(summary, PlanHeader())
    assert "| Release | Action | Namespace | Chart | Version | Values | Objects |" in md
    assert "| ~11 -1 |" in md and "+ ClusterRole kyverno:admission-controller" in md
    assert "~    spec.replicas: 1 → 2" in md


def test_json_objects_array(summary: Any) -> None:
    doc = to_json(summary, PlanHeader())
    helm = next(c for c in doc["changes"] if c["address"] == ARGO)["helm"]
    objects = helm["objects"]
    assert len(objects) == 12
    server = next(o for o in objects if o["name"] == "argocd-server" and o["kind"] == "Deployment")
    assert {k: server[k] for k in ("kind", "group", "version", "namespace", "name", "action")} == {
        "kind": "Deployment",
        "group": "apps",
        "version": "v1",
        "namespace": "argocd",
        "name": "argocd-server",
        "action": "update",
    }
    assert {"path": "spec.replicas", "kind": "change", "before": 1, "after": 2} in server["changes"]
    assert server["rolls"] is True
    assert any(c["path"] == 'metadata.labels["helm.sh/chart"]' for c in server["chart_metadata_changes"])
    secret = next(o for o in objects if o["kind"] == "Secret")
    assert {
        "path": 'stringData["admin.password"]',
        "kind": "change",
        "before": None,
        "before_sensitive": True,
        "after": None,
        "after_sensitive": True,
    } in secret["changes"]
    assert helm["objects_summary"]["counts"] == {"create": 0, "update": 11, "delete": 1}
    assert helm["objects_summary"]["chart_labels_bumped"] == 11


def test_create_lists_objects_by_kind_and_shows_the_locked_version() -> None:
    summary = summarize(install_plan(), locked_charts={"argo-cd-9.7.1.tgz": "9.7.1"})
    argo = _objects(summary, ARGO)
    assert argo.status == "create" and argo.counts == {"create": 11, "update": 0, "delete": 0}
    text = rich_text(summary, width=200)
    assert (
        "11 objects: ConfigMap ×4, Deployment ×3, ClusterRole ×1, HorizontalPodAutoscaler ×1, Secret ×1, "
        "Service ×1" in text
    )
    assert "3 objects: CustomResourceDefinition ×3" in text
    assert "9.7.1 (charts.lock)" in text
    crds_row = next(line for line in text.splitlines() if line.startswith("prometheus-operator-crds"))
    assert "(known after apply)" in crds_row  # no lock entry for it was passed
    assert "argocd-server" not in text  # names only with --detail
    assert "+ Deployment argocd/argocd-server" in rich_text(summary, detail=True, width=200)
    doc = to_json(summary, PlanHeader())
    helm = next(c for c in doc["changes"] if c["address"] == ARGO)["helm"]
    assert helm["version_locked"] == "9.7.1" and helm["version_after"] == "(known after apply)"
    assert "9.7.1 (charts.lock)" in to_markdown(summary, PlanHeader())
    _never_printed(text + json.dumps(doc))


def test_destroy_lists_objects_by_kind() -> None:
    before = helm_release("argo-cd", chart="argo-cd", version="9.7.1", namespace="argocd", values=[])
    before["manifest"] = manifest(argo_objects("new"))
    summary = summarize(plan(rc(ARGO, ["delete"], before, None, rtype="helm_release")))
    objects = _objects(summary, ARGO)
    assert objects.status == "delete" and objects.counts == {"create": 0, "update": 0, "delete": 11}
    assert "11 objects: ConfigMap ×4, Deployment ×3" in rich_text(summary, width=200)


def _update(before_manifest: Any, after_manifest: Any, **extra: Any) -> ReleaseObjects | None:
    before = helm_release("argo-cd", chart="argo-cd", version="9.7.1", namespace="argocd", values=[])
    after = helm_release("argo-cd", chart="argo-cd", version="9.7.1", namespace="argocd", values=[])
    before["manifest"], after["manifest"] = before_manifest, after_manifest
    (change,) = summarize(
        plan(rc("helm_release.a", ["update"], before, after, rtype="helm_release", **extra))
    ).changes
    assert change.helm is not None
    return change.helm.objects


def test_first_plan_after_turning_the_experiment_on_and_invalid_manifests() -> None:
    fresh = _update(None, manifest(argo_objects("new")))
    assert (
        fresh is not None
        and fresh.status == "no-prior"
        and fresh.total == 11
        and "no objects yet" in str(fresh.note)
    )
    broken = _update(manifest(argo_objects("old")), "{not json")
    assert broken is not None and broken.status == "invalid" and broken.note is not None
    assert broken.note.startswith("after: the manifest is not valid JSON")
    same = _update(manifest(argo_objects("new")), manifest(argo_objects("new")))
    assert same is not None and same.objects == () and same.counts_text() == "unchanged"


def test_manifest_marked_sensitive_hides_every_value() -> None:
    objects = _update(
        manifest(argo_objects("old")),
        manifest(argo_objects("new")),
        change_before_sensitive={"manifest": True},
        change_after_sensitive={"manifest": True},
    )
    assert objects is not None
    server = _object(objects, "Deployment argocd/argocd-server")
    assert _fields(server)["spec.replicas"] == (Mark.SENSITIVE, Mark.SENSITIVE)
    assert all(a.after in (Mark.SENSITIVE, Mark.ABSENT) for o in objects.objects for a in o.changes)


def test_plans_without_manifests_carry_no_objects() -> None:
    for doc in (platform_plan(), synthetic_plan(30, helm=3)):
        summary = summarize(doc)
        assert summary.helm_releases and all(c.helm.objects is None for c in summary.helm_releases if c.helm)
        assert "Objects" not in rich_text(summary)
        assert all("objects" not in c.get("helm", {}) for c in to_json(summary, PlanHeader())["changes"])


def test_objects_fixture_is_valid_provider_shape() -> None:
    """The fixture's keys follow the provider's formats exactly (what the parser falls back on)."""
    doc = json.loads(Path(FIXTURE).read_text())
    argo = doc["resource_changes"][0]["change"]["after"]
    keys = json.loads(argo["manifest"]).keys()
    assert "argocd/deployment.apps/apps/v1/argocd-server" in keys
    assert "clusterrole.rbac.authorization.k8s.io/rbac.authorization.k8s.io/v1/argo-cd-argocd-server" in keys
    kyverno = doc["resource_changes"][1]["change"]["after"]["resources"]
    assert "clusterrole.rbac.authorization.k8s.io/v1//kyverno:admission-controller" in kyverno
    assert "secret/v1/kyverno/kyverno-svc.kyverno.svc.kyverno-tls-pair" in kyverno


# ---- through the CLI: every format at once, --debug included -----------------------------------


def test_cli_show_never_prints_a_canary_and_uses_the_chart_lock(cli: Any, tmp_path: Path) -> None:
    project = tmp_path / "proj"
    (project / "terraform").mkdir(parents=True)
    (project / "infra" / "envs").mkdir(parents=True)
    (project / "charts").mkdir()
    (project / "charts" / "charts.lock").write_text(
        json.dumps(
            {
                "version": 1,
                "charts": [
                    {
                        "name": "argo-cd",
                        "version": "9.7.1",
                        "source": "https://argoproj.github.io/argo-helm",
                        "sha256": "a" * 64,
                        "size": 1,
                    }
                ],
            }
        )
    )
    upgrade = tmp_path / "upgrade.json"
    upgrade.write_text(FIXTURE.read_text())
    install = tmp_path / "install.json"
    install.write_text(json.dumps(install_plan()))
    texts: list[str] = []
    for plan_file in (upgrade, install):
        md = tmp_path / f"{plan_file.stem}.md"
        result = cli(
            "--debug",
            "-C",
            str(project),
            "show",
            "--plan",
            str(plan_file),
            "--detail",
            "--json",
            "-",
            "--markdown",
            str(md),
        )
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["changes"], "stdout is the JSON document"
        texts += [result.stdout, result.stderr, md.read_text()]
    everything = "\n".join(texts)
    _never_printed(everything)
    assert 'stringData["admin.password"]' in everything and "objects known after apply" in everything
    assert "9.7.1 (charts.lock)" in texts[4]  # the install plan's rich view (stderr with --json -)
    assert json.loads(texts[3])["changes"][0]["helm"]["version_locked"] == "9.7.1"
    # no project at all: the same plan still shows, without the lock
    bare = cli("show", "--plan", str(install), cwd=tmp_path)
    assert bare.exit_code == 0, bare.output
    assert "(charts.lock)" not in bare.stdout and "11 objects: ConfigMap ×4" in bare.stdout


def test_objects_without_kind_or_name_fall_back_on_the_provider_keys() -> None:
    """Identity comes from the object; the key (the provider's format) fills in what an object lacks."""
    before = {"argocd/deployment.apps/apps/v1/x": {"spec": {"replicas": 1}},
              "clusterrole.rbac.authorization.k8s.io/rbac.authorization.k8s.io/v1/y": {"rules": []}}
    after = {"argocd/deployment.apps/apps/v1/x": {"spec": {"replicas": 2}},
             "clusterrole.rbac.authorization.k8s.io/rbac.authorization.k8s.io/v1/y": {"rules": []}}
    objects = _update(manifest(before), manifest(after))
    assert objects is not None
    (x,) = objects.objects
    assert (x.kind, x.group, x.version, x.namespace, x.name) == ("deployment", "apps", "v1", "argocd", "x")
    assert _fields(x) == {"spec.replicas": (1, 2)}
