"""The stand-in providers on their own: schemas against the structural schemas, and the real providers'
documented behaviour, called in-process through the same gRPC servicer Terraform talks to."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from tf.gen import tfplugin_pb2 as pb  # a [dev] dependency: missing, collection fails (never a skip)
from tf.types import Unknown
from tf.utils import read_dynamic_value, to_dynamic_value

from tests.charts import builders
from tests.kit.provider_schemas import load_schema_file, provider_schema
from tests.kit.standin_provider import StandIn, label_key_problem, label_value_problem
from tests.kit.standin_schema import TALOS_SCHEMA, schema_response, typed_schema

STACK_TYPES = {"helm": ["helm_release"], "kubernetes": ["kubernetes_namespace_v1"],
               "talos": ["talos_cluster_kubeconfig"]}


def _structural(name: str) -> dict[str, Any]:
    return load_schema_file(TALOS_SCHEMA) if name == "talos" else provider_schema(name)


def _type_shape(ctype: Any) -> Any:
    """An object type's attribute names, through lists, sets and maps (an SDKv2 nested list is a type)."""
    if isinstance(ctype, list) and ctype[0] in ("list", "set", "map"):
        return _type_shape(ctype[1])
    if isinstance(ctype, list) and ctype[0] == "object":
        return {k: _type_shape(v) for k, v in ctype[1].items()}
    return None


def _shape(block: dict[str, Any], typed: bool) -> dict[str, Any]:
    """name -> nested shape, for attributes and blocks alike (the structural schema's view)."""
    out: dict[str, Any] = {}
    for name, attr in block.get("attributes", {}).items():
        nested = attr.get("nested")
        if nested and not (typed and "type" in attr):
            out[name] = _shape({"attributes": nested["attributes"]}, typed)
        else:
            out[name] = _type_shape(attr.get("type")) if typed else None
    for name, spec in block.get("blocks", {}).items():
        out[name] = _shape(spec["block"], typed)
    return out


def _names_within(structural: dict[str, Any], served: dict[str, Any], path: str) -> list[str]:
    problems = []
    for name, sub in structural.items():
        if name == "alias" and path.endswith("provider"):
            continue  # a meta-argument: Terraform's, never the provider's
        if name not in served:
            problems.append(f"{path}.{name} missing")
        elif isinstance(sub, dict) and isinstance(served[name], dict):
            problems += _names_within(sub, served[name], f"{path}.{name}")
        elif isinstance(sub, dict) != isinstance(served[name], dict) and sub:
            problems.append(f"{path}.{name} nesting differs")
    return problems


@pytest.mark.parametrize("name", ["helm", "kubernetes", "talos"])
def test_served_schema_has_the_structural_names_and_nesting(name: str) -> None:
    structural = _structural(name)
    typed = typed_schema(name)
    problems = _names_within(_shape(structural["provider_config"], False),
                             _shape(typed["provider_config"], True), "provider")
    for kind in ("resources", "data_sources"):
        assert set(typed[kind]) == set(structural[kind])
        for tf_type in structural[kind]:
            problems += _names_within(_shape(structural[kind][tf_type], False),
                                      _shape(typed[kind][tf_type], True), tf_type)
    assert problems == []
    assert typed.get("untyped", []) == []  # every attribute got a type from the jsii assembly


def _attrs(schema: Any) -> dict[str, Any]:
    return {a.name: a for a in schema.block.attributes}


def test_stack_resources_are_served_with_real_types() -> None:
    helm = pb.GetProviderSchema.Response.FromString(schema_response("helm"))
    release = _attrs(helm.resource_schemas["helm_release"])
    meta = {a.name: json.loads(a.type) for a in release["metadata"].nested_type.attributes}
    assert release["metadata"].computed and release["metadata"].nested_type.nesting == pb.Schema.Object.SINGLE
    assert meta == {"app_version": "string", "chart": "string", "first_deployed": "number",
                    "last_deployed": "number", "name": "string", "namespace": "string", "notes": "string",
                    "revision": "number", "values": "string", "version": "string"}
    assert release["set"].nested_type.nesting == pb.Schema.Object.LIST
    assert json.loads(release["values"].type) == ["list", "string"]
    assert json.loads(release["timeout"].type) == "number"
    assert release["repository_password"].sensitive
    # set_sensitive as hashicorp/helm 3.3.0 has it: an attribute list like `set`, its value sensitive
    assert release["set_sensitive"].nested_type.nesting == pb.Schema.Object.LIST
    entry = {a.name: a for a in release["set_sensitive"].nested_type.attributes}
    assert set(entry) == {"name", "value", "type"}
    assert entry["value"].sensitive and entry["value"].required and not entry["name"].sensitive
    assert not any(a.sensitive for a in release["set"].nested_type.attributes)
    provider = _attrs(helm.provider)
    assert provider["kubernetes"].nested_type.nesting == pb.Schema.Object.SINGLE
    assert {a.name for a in provider["experiments"].nested_type.attributes} == {"manifest"}

    k8s = pb.GetProviderSchema.Response.FromString(schema_response("kubernetes"))
    blocks = {b.type_name: b for b in k8s.resource_schemas["kubernetes_namespace_v1"].block.block_types}
    metadata = blocks["metadata"]
    assert (metadata.type_name, metadata.min_items, metadata.max_items) == ("metadata", 1, 1)
    fields = {a.name: (json.loads(a.type), a.computed, a.optional) for a in metadata.block.attributes}
    assert fields["labels"] == (["map", "string"], False, True)
    assert fields["uid"] == ("string", True, False)
    assert fields["generation"] == ("number", True, False)

    talos = pb.GetProviderSchema.Response.FromString(schema_response("talos"))
    kubeconfig = _attrs(talos.resource_schemas["talos_cluster_kubeconfig"])
    assert kubeconfig["kubeconfig_raw"].sensitive
    assert {a.name for a in kubeconfig["kubernetes_client_configuration"].nested_type.attributes} == {
        "host", "ca_certificate", "client_certificate", "client_key"}


# -- behaviour, in-process --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def helm() -> StandIn:
    return StandIn(schema_response("helm"))


@pytest.fixture(autouse=True)
def _real_helm(helm_binary: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The helm stand-in renders with the real Helm, as Terraform starts it with K8SPROV_HELM set."""
    monkeypatch.setenv("K8SPROV_HELM", str(helm_binary))


def _release(chart: str, **extra: Any) -> dict[str, Any]:
    return {"name": "kyverno", "namespace": "kyverno", "chart": chart, "values": ["a: 1\n"],
            "description": "kyverno 3.9.0", **extra}


def _plan(provider: StandIn, type_name: str, config: dict[str, Any],
          prior: dict[str, Any] | None = None) -> tuple[Any, list[str]]:
    block = provider.block(type_name)
    proposed = block.complete(dict(prior or {}) | config) if prior else block.complete(config)
    resp = provider.PlanResourceChange(pb.PlanResourceChange.Request(
        type_name=type_name, prior_state=to_dynamic_value(prior),
        proposed_new_state=to_dynamic_value(proposed), config=to_dynamic_value(block.complete(config))), None)
    return read_dynamic_value(resp.planned_state), [f"{d.summary}: {d.detail}" for d in resp.diagnostics]


def _apply(provider: StandIn, type_name: str, planned: Any, prior: Any = None) -> Any:
    resp = provider.ApplyResourceChange(pb.ApplyResourceChange.Request(
        type_name=type_name, prior_state=to_dynamic_value(prior),
        planned_state=to_dynamic_value(planned)), None)
    assert list(resp.diagnostics) == []
    return read_dynamic_value(resp.new_state)


@pytest.fixture
def chart(tmp_path: Path) -> Path:
    path = tmp_path / "kyverno-3.9.0.tgz"
    path.write_bytes(builders.chart_tgz("kyverno", "3.9.0", 500))
    return path


def test_helm_release_plans_computed_unknown_and_apply_fills_metadata(helm: StandIn, chart: Path) -> None:
    planned, problems = _plan(helm, "helm_release", _release(str(chart)))
    assert problems == []
    assert planned["metadata"] is Unknown and planned["status"] is Unknown and planned["id"] is Unknown
    assert planned["version"] == "3.9.0"  # from Chart.yaml, known at plan time
    state = _apply(helm, "helm_release", planned)
    assert state["metadata"]["revision"] == 1
    assert (state["metadata"]["chart"], state["metadata"]["version"]) == ("kyverno", "3.9.0")
    assert state["metadata"]["app_version"] == "v1.0.0"
    assert state["status"] == "deployed"

    same, _ = _plan(helm, "helm_release", _release(str(chart)), prior=state)
    assert same == state  # unchanged inputs: computed values kept, no diff

    changed, _ = _plan(helm, "helm_release", _release(str(chart), description="kyverno 3.9.0 sha256:x"),
                       prior=state)
    assert changed["metadata"] is Unknown
    assert _apply(helm, "helm_release", changed, prior=state)["metadata"]["revision"] == 2


@pytest.mark.parametrize(("mutate", "expected"), [
    (lambda c: {"chart": str(c.with_name("missing-1.0.0.tgz"))}, "not found"),
    (lambda c: {"chart": str(c.with_name("argo-cd-3.9.0.tgz"))}, "holds chart 'kyverno'"),
    (lambda c: {"version": "3.8.2"}, "is version 3.9.0, but version = '3.8.2'"),
    (lambda c: {"values": ["a: [1\n"]}, "Failed to parse values: values[0]"),
    (lambda c: {"values": ["- a\n- b\n"]}, "values[0] is not a YAML mapping"),
])
def test_helm_release_checks_like_the_real_provider(helm: StandIn, chart: Path, mutate: Any,
                                                    expected: str) -> None:
    change = mutate(chart)
    if change.get("chart", "").endswith("argo-cd-3.9.0.tgz"):
        Path(change["chart"]).write_bytes(chart.read_bytes())  # an archive named for another chart
    _, problems = _plan(helm, "helm_release", _release(str(chart)) | change)
    assert len(problems) == 1 and expected in problems[0]


def test_namespace_labels_follow_kubernetes_rules() -> None:
    assert label_key_problem("app.kubernetes.io/part-of") is None
    assert label_key_problem("tier") is None
    assert "prefix" in (label_key_problem("Bad_Prefix/x") or "")
    assert "name part" in (label_key_problem("a/" + "x" * 64) or "")
    assert "prefix" in (label_key_problem("p" * 254 + "/x") or "")
    assert label_value_problem("") is None and label_value_problem("v1.2_3-x") is None
    assert label_value_problem("-starts-with-dash") is not None
    assert label_value_problem("x" * 64) is not None

    k8s = StandIn(schema_response("kubernetes"))

    def validate(meta: dict[str, Any]) -> list[str]:
        block = k8s.block("kubernetes_namespace_v1")
        config = block.complete({"metadata": [block.sub("metadata").complete(meta)]})
        resp = k8s.ValidateResourceConfig(pb.ValidateResourceConfig.Request(
            type_name="kubernetes_namespace_v1", config=to_dynamic_value(config)), None)
        return [f"{d.summary}: {d.detail}" for d in resp.diagnostics]

    assert validate({"name": "kyverno", "labels": {"k8sprov.io/tier": "dev"}}) == []
    assert "DNS-1123 label" in validate({"name": "Kyverno"})[0]
    assert "label value" in validate({"name": "ok", "labels": {"a": "not ok!"}})[0]

    block = k8s.block("kubernetes_namespace_v1")
    config = {"metadata": [block.sub("metadata").complete({"name": "kyverno"})]}
    planned, problems = _plan(k8s, "kubernetes_namespace_v1", config)
    assert problems == []
    meta = planned["metadata"][0]
    assert meta["uid"] is Unknown and meta["resource_version"] is Unknown and meta["generation"] is Unknown
    state = _apply(k8s, "kubernetes_namespace_v1", planned)
    assert state["id"] == "kyverno" and state["metadata"][0]["resource_version"] == "1"
    assert len(state["metadata"][0]["uid"]) == 36 and state["metadata"][0]["generation"] == 0


def test_talos_kubeconfig_returns_client_configuration() -> None:
    talos = StandIn(schema_response("talos"))
    config = {"node": "10.0.0.2",
              "client_configuration": {"ca_certificate": "ca", "client_certificate": "crt",
                                       "client_key": "key"}}
    planned, problems = _plan(talos, "talos_cluster_kubeconfig", config)
    assert problems == []
    assert planned["kubernetes_client_configuration"] is Unknown and planned["kubeconfig_raw"] is Unknown
    state = _apply(talos, "talos_cluster_kubeconfig", planned)
    kube = state["kubernetes_client_configuration"]
    assert kube["host"] == "https://10.0.0.2:6443"
    for key in ("ca_certificate", "client_certificate", "client_key"):
        assert base64.b64decode(kube[key]).startswith(b"-----BEGIN ")
    assert "client-key-data" in state["kubeconfig_raw"]


def test_refresh_upgrade_and_import_keep_or_rebuild_the_state() -> None:
    k8s = StandIn(schema_response("kubernetes"))
    block = k8s.block("kubernetes_namespace_v1")
    state = block.complete({"id": "kyverno", "metadata": [block.sub("metadata").complete(
        {"name": "kyverno", "uid": "u-1", "resource_version": "3", "generation": 0})]})
    read = k8s.ReadResource(pb.ReadResource.Request(type_name="kubernetes_namespace_v1",
                                                    current_state=to_dynamic_value(state)), None)
    assert read_dynamic_value(read.new_state) == state  # refresh: the stored state

    upgraded = k8s.UpgradeResourceState(pb.UpgradeResourceState.Request(
        type_name="kubernetes_namespace_v1", raw_state=pb.RawState(json=json.dumps(state).encode())), None)
    assert read_dynamic_value(upgraded.upgraded_state) == state

    imported = k8s.ImportResourceState(pb.ImportResourceState.Request(
        type_name="kubernetes_namespace_v1", id="argocd"), None)
    (resource,) = imported.imported_resources
    value = read_dynamic_value(resource.state)
    assert value["id"] == "argocd" and value["metadata"][0]["name"] == "argocd"
    assert set(value) == set(block.attrs) | set(block.blocks)
    assert value["metadata"][0]["uid"] is None  # filled by the refresh that follows an import


def test_manifest_experiment_renders_the_release_objects_at_plan(helm: StandIn, tmp_path: Path) -> None:
    secret = (b"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}-creds\n"
              b"data:\n  password: c2VjcmV0\n")
    members = [*builders.chart_members("kyverno", "3.9.0", 200),
               builders.Member("kyverno/templates/secret.yaml", secret)]
    chart = tmp_path / "kyverno-3.9.0.tgz"
    chart.write_bytes(builders.tgz(members))
    off, _ = _plan(helm, "helm_release", _release(str(chart)))
    assert off["manifest"] is None  # experiment off: no manifest, as with the real provider

    helm.ConfigureProvider(pb.ConfigureProvider.Request(config=to_dynamic_value(
        {"experiments": {"manifest": True}})), None)
    try:
        on, problems = _plan(helm, "helm_release", _release(str(chart)))
    finally:
        helm.ConfigureProvider(pb.ConfigureProvider.Request(config=to_dynamic_value({})), None)
    assert problems == []
    objects = json.loads(on["manifest"])
    assert sorted(objects) == ["configmap/v1/kyverno", "secret/v1/kyverno-creds"]
    assert objects["configmap/v1/kyverno"]["metadata"]["name"] == "kyverno"
    password = base64.b64decode(objects["secret/v1/kyverno-creds"]["data"]["password"]).decode()
    assert password.startswith("(sensitive value ") and "secret" not in password


def test_manifest_objects_are_what_the_real_helm_renders(helm: StandIn, tmp_path: Path) -> None:
    """Values, defaults and helpers reach the objects: the stand-in's manifest is Helm's own render."""
    template = (b'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include "chart.name" . }}-settings\n'
                b"data:\n  replicas: {{ .Values.replicaCount | quote }}\n"
                b"  tier: {{ .Values.tier | default \"none\" | upper | quote }}\n")
    members = [*builders.chart_members("kyverno", "3.9.0", 200),
               builders.Member("kyverno/templates/settings.yaml", template)]
    chart = tmp_path / "kyverno-3.9.0.tgz"
    chart.write_bytes(builders.tgz(members))
    helm.ConfigureProvider(pb.ConfigureProvider.Request(config=to_dynamic_value(
        {"experiments": {"manifest": True}})), None)
    try:
        on, problems = _plan(helm, "helm_release", _release(str(chart), values=["tier: gold\n"],
                                                            set=[{"name": "replicaCount", "value": "3"}]))
    finally:
        helm.ConfigureProvider(pb.ConfigureProvider.Request(config=to_dynamic_value({})), None)
    assert problems == []
    settings = json.loads(on["manifest"])["configmap/v1/kyverno-settings"]
    assert settings["data"] == {"replicas": "3", "tier": "GOLD"}


def test_apply_fails_with_helms_own_message_where_helm_install_would(helm: StandIn, tmp_path: Path) -> None:
    template = (b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n"
                b'  a: {{ required "image.tag is required" .Values.image.tag }}\n')
    members = [*builders.chart_members("kyverno", "3.9.0", 200),
               builders.Member("kyverno/templates/need.yaml", template)]
    chart = tmp_path / "kyverno-3.9.0.tgz"
    chart.write_bytes(builders.tgz(members))
    planned, problems = _plan(helm, "helm_release", _release(str(chart)))
    assert problems == []  # without the experiment nothing renders at plan time, as with the real provider
    resp = helm.ApplyResourceChange(pb.ApplyResourceChange.Request(
        type_name="helm_release", prior_state=to_dynamic_value(None),
        planned_state=to_dynamic_value(planned), config=to_dynamic_value(planned)), None)
    (diag,) = resp.diagnostics
    assert diag.summary == "installation failed"
    assert diag.detail == "execution error at (kyverno/templates/need.yaml:6:8): image.tag is required"

    prior = _apply(helm, "helm_release", _plan(helm, "helm_release", _release(
        str(chart), values=['image:\n  tag: "1.0"\n']))[0])
    update, _ = _plan(helm, "helm_release", _release(str(chart), values=["image: {}\n"]), prior=prior)
    resp = helm.ApplyResourceChange(pb.ApplyResourceChange.Request(
        type_name="helm_release", prior_state=to_dynamic_value(prior),
        planned_state=to_dynamic_value(update), config=to_dynamic_value(update)), None)
    (diag,) = resp.diagnostics
    assert (diag.summary, diag.detail) == (
        "Error upgrading chart",
        "Upgrade failed: execution error at (kyverno/templates/need.yaml:6:8): image.tag is required")
def _configure(provider: StandIn, manifest: bool) -> None:
    experiments = {"experiments": {"manifest": True}} if manifest else {}
    provider.ConfigureProvider(pb.ConfigureProvider.Request(config=to_dynamic_value(experiments)), None)


def test_an_update_that_only_switches_the_manifest_experiment_plans_a_new_revision(helm: StandIn,
                                                                                     chart: Path) -> None:
    """Like ModifyPlan in the real provider (resource_helm_release.go): under the experiment `resources`
    is the dry run's objects and `metadata` turns unknown when they differ from the state's; every
    update runs `helm upgrade`, so the revision in `metadata` is never planned as the old one."""
    try:
        state = _apply(helm, "helm_release", _plan(helm, "helm_release", _release(str(chart)))[0])
        assert state["manifest"] is None and state["resources"] is None
        _configure(helm, True)
        on, problems = _plan(helm, "helm_release", _release(str(chart)), prior=state)
        assert problems == []
        assert on["metadata"] is Unknown and on["manifest"] is not None
        assert on["resources"] == {"configmap/v1//kyverno": json.dumps(
            json.loads(on["manifest"])["configmap/v1/kyverno"], sort_keys=True)}
        state = _apply(helm, "helm_release", on, prior=state)
        assert state["metadata"]["revision"] == 2
        again, _ = _plan(helm, "helm_release", _release(str(chart)), prior=state)
        assert again == state  # rendered the same: nothing to do
        _configure(helm, False)
        off, _ = _plan(helm, "helm_release", _release(str(chart)), prior=state)
        assert off["metadata"] is Unknown and off["manifest"] is None and off["resources"] is None
        assert _apply(helm, "helm_release", off, prior=state)["metadata"]["revision"] == 3
    finally:
        _configure(helm, False)
