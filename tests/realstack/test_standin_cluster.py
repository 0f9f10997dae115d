"""The stand-ins' own cluster (tests/kit/standin_cluster.py), called in-process through the gRPC servicer
Terraform talks to: apply writes the object, read returns what the cluster holds (or nothing), destroy
removes it; one file per cluster identity; no variable, no cluster."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tf.gen import tfplugin_pb2 as pb
from tf.utils import read_dynamic_value, to_dynamic_value

from tests.kit.standin_cluster import ENV_VAR, StandinCluster, identity, object_key
from tests.kit.standin_provider import StandIn
from tests.kit.standin_schema import schema_response

KIND = {"config_paths": ["/home/u/.kube/config"], "config_context": "kind-k8sprov"}


def _k8s(config: dict[str, Any]) -> StandIn:
    k8s = StandIn(schema_response("kubernetes"), "kubernetes")
    k8s.ConfigureProvider(pb.ConfigureProvider.Request(config=to_dynamic_value(config)), None)
    return k8s


def _namespace(k8s: StandIn, name: str, labels: dict[str, str]) -> dict[str, Any]:
    """Create a namespace as Terraform would: plan, then apply the plan; the new state."""
    block = k8s.block("kubernetes_namespace_v1")
    config = block.complete({"metadata": [block.sub("metadata").complete({"name": name, "labels": labels})]})
    planned = k8s.PlanResourceChange(pb.PlanResourceChange.Request(
        type_name="kubernetes_namespace_v1", config=to_dynamic_value(config),
        proposed_new_state=to_dynamic_value(config), prior_state=to_dynamic_value(None)), None)
    applied = k8s.ApplyResourceChange(pb.ApplyResourceChange.Request(
        type_name="kubernetes_namespace_v1", config=to_dynamic_value(config),
        planned_state=planned.planned_state, prior_state=to_dynamic_value(None)), None)
    state: dict[str, Any] = read_dynamic_value(applied.new_state)
    return state


def _read(k8s: StandIn, state: dict[str, Any]) -> Any:
    read = k8s.ReadResource(pb.ReadResource.Request(type_name="kubernetes_namespace_v1",
                                                    current_state=to_dynamic_value(state)), None)
    return read_dynamic_value(read.new_state)


def test_apply_writes_read_returns_the_cluster_and_destroy_removes(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    k8s = _k8s(KIND)
    state = _namespace(k8s, "monitoring", {"tier": "dev"})
    cluster = StandinCluster(tmp_path)
    assert cluster.get("kubernetes_namespace_v1/monitoring") == state
    assert _read(k8s, state) == state  # nothing changed: no drift

    cluster.edit("kubernetes_namespace_v1/monitoring",
                 lambda ns: ns["metadata"][0]["labels"].update({"tier": "prod"}))
    assert _read(k8s, state)["metadata"][0]["labels"] == {"tier": "prod"}

    cluster.delete("kubernetes_namespace_v1/monitoring")
    assert _read(k8s, state) is None  # gone: Terraform drops it from the state

    again = _namespace(k8s, "monitoring", {"tier": "dev"})
    k8s.ApplyResourceChange(pb.ApplyResourceChange.Request(
        type_name="kubernetes_namespace_v1", planned_state=to_dynamic_value(None),
        prior_state=to_dynamic_value(again)), None)
    assert cluster.objects() == {}


def test_one_cluster_per_identity_and_none_without_the_variable(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    kind = _k8s(KIND)
    prod = _k8s({"host": "https://10.0.10.11:6443"})
    _namespace(kind, "kyverno", {"tier": "dev"})
    prod_state = _namespace(prod, "kyverno", {"tier": "prod"})
    assert len(list(tmp_path.glob("*.json"))) == 2
    assert _read(prod, prod_state)["metadata"][0]["labels"] == {"tier": "prod"}
    with pytest.raises(KeyError, match="expected exactly one"):
        StandinCluster(tmp_path).get("kubernetes_namespace_v1/kyverno")  # two clusters hold one

    monkeypatch.delenv(ENV_VAR)
    plain = _k8s(KIND)
    state = _namespace(plain, "argocd", {})
    edited = {**state, "id": "edited-in-state"}
    assert _read(plain, edited) == edited  # no cluster: read returns the state
    assert "kubernetes_namespace_v1/argocd" not in StandinCluster(tmp_path).objects()


def test_identity_and_keys() -> None:
    assert identity("kubernetes", {"host": "https://h:6443", "config_context": "x"}) == "host=https://h:6443"
    assert identity("helm", {"kubernetes": KIND}) == identity("kubernetes", KIND)
    assert identity("kubernetes", {"host": object()}) is None  # unknown while planning
    release = {"name": "kyverno", "namespace": "kyverno"}
    assert object_key("helm_release", release) == "helm_release/kyverno/kyverno"
    assert object_key("kubernetes_namespace_v1", {"metadata": [{"name": "a"}]}) == "kubernetes_namespace_v1/a"
    assert object_key("kubernetes_config_map_v1", {"metadata": [{"name": "c", "namespace": "n"}]}) \
        == "kubernetes_config_map_v1/n/c"
