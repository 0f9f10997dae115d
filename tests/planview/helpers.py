"""Hand-written plan JSON pieces that mirror the real schemas (hashicorp/helm, hashicorp/kubernetes)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from rich.console import Console

from k8sprov.planview import PlanHeader, PlanSummary, render_rich


def rc(
    address: str,
    actions: list[str],
    before: Any = None,
    after: Any = None,
    *,
    rtype: str = "null_resource",
    **extra: Any,
) -> dict[str, Any]:
    """One resource_changes entry; `change_*` keyword arguments go into `change`, others beside it."""
    change: dict[str, Any] = {
        "actions": actions,
        "before": before,
        "after": after,
        "after_unknown": {},
        "before_sensitive": {},
        "after_sensitive": {},
    }
    entry: dict[str, Any] = {
        "address": address,
        "mode": "managed",
        "type": rtype,
        "name": address.split(".")[-1].split("[")[0],
        "provider_name": "registry.terraform.io/hashicorp/null",
    }
    for key, value in extra.items():
        if key.startswith("change_"):
            change[key[len("change_") :]] = value
        else:
            entry[key] = value
    entry["change"] = change
    return entry


def plan(*changes: dict[str, Any], version: str = "1.2", **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format_version": version,
        "terraform_version": "1.9.8",
        "planned_values": {"root_module": {}},
        "resource_changes": list(changes),
    }
    doc.update(extra)
    return doc


def helm_release(
    name: str,
    *,
    chart: str,
    version: str,
    namespace: str,
    values: list[str],
    sets: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A helm_release object as hashicorp/helm 3.x puts it in a plan (attributes trimmed to the usual)."""
    return {
        "name": name,
        "chart": chart,
        "version": version,
        "namespace": namespace,
        "repository": "https://kyverno.github.io/kyverno/",
        "values": values,
        "set": sets or [],
        "set_sensitive": None,
        "create_namespace": True,
        "atomic": True,
        "wait": True,
        "timeout": 300,
        "status": "deployed",
        "id": name,
        "metadata": {
            "name": name,
            "namespace": namespace,
            "chart": chart,
            "version": version,
            "app_version": "v1",
            "revision": 3,
            "values": "{}",
            "first_deployed": 1,
            "last_deployed": 2,
            "notes": "",
        },
    }


def namespace(name: str, labels: dict[str, str] | None) -> dict[str, Any]:
    """kubernetes_namespace_v1: metadata is a list of one object."""
    return {
        "id": name,
        "wait_for_default_service_account": False,
        "timeouts": None,
        "metadata": [
            {
                "name": name,
                "labels": labels,
                "annotations": None,
                "generate_name": "",
                "generation": 0,
                "resource_version": "1",
                "uid": "u-1",
            }
        ],
    }


def rich_text(
    summary: PlanSummary,
    header: PlanHeader | None = None,
    *,
    detail: bool = False,
    width: int = 100,
    **kwargs: Any,
) -> str:
    console = Console(
        file=io.StringIO(),
        width=width,
        no_color=True,
        color_system=None,
        highlight=False,
        force_terminal=False,
        legacy_windows=False,
    )
    render_rich(summary, header or PlanHeader(), console, detail=detail, **kwargs)
    out = console.file.getvalue()
    assert isinstance(out, str)
    return out


KYVERNO_OLD = """\
admissionController:
  replicas: 1
  container:
    resources:
      limits: {memory: 384Mi}
features:
  policyExceptions: {enabled: false}
"""
KYVERNO_NEW = """\
admissionController:
  replicas: 3
  container:
    resources:
      limits: {memory: 512Mi}
features:
  policyExceptions: {enabled: true, namespace: kyverno}
"""
ARGO_SECRET_DOC = "configs:\n  secret:\n    argocdServerAdminPassword: CANARY-s3cr3t-argo-admin\n"


def platform_plan() -> dict[str, Any]:
    """A plan of the platform layer as hashicorp/helm 3.x and hashicorp/kubernetes 3.x would write it."""
    ns_before = namespace("kyverno", {"team": "platform"})
    ns_after = namespace("kyverno", {"team": "platform", "pod-security.kubernetes.io/enforce": "restricted"})
    kyverno_before = helm_release(
        "kyverno", chart="kyverno", version="3.8.2", namespace="kyverno", values=[KYVERNO_OLD]
    )
    kyverno_after = helm_release(
        "kyverno", chart="kyverno", version="3.9.0", namespace="kyverno", values=[KYVERNO_NEW]
    )
    kyverno_after["metadata"] = None
    argo_before = helm_release(
        "argo-cd",
        chart="argo-cd",
        version="9.7.1",
        namespace="argocd",
        values=["server:\n  replicas: 1\n", ARGO_SECRET_DOC],
    )
    argo_after = helm_release(
        "argo-cd",
        chart="argo-cd",
        version="9.7.1",
        namespace="argocd",
        values=["server:\n  replicas: 2\n", ARGO_SECRET_DOC.replace("admin", "admin2")],
        sets=[{"name": "global.domain", "value": "argo.example.com", "type": "string"}],
    )
    crds = helm_release(
        "prometheus-operator-crds",
        chart="prometheus-operator-crds",
        version="31.0.1",
        namespace="monitoring",
        values=[],
    )
    crds_old = dict(crds, version="30.0.1")
    policies = helm_release(
        "kyverno-policies",
        chart="kyverno-policies",
        version="3.9.0",
        namespace="kyverno",
        values=["validationFailureAction: Enforce\n"],
    )
    mod = "module.platform.module.provision_k8s"
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {"outputs": {"argocd_admin": {"sensitive": True, "value": "CANARY-s3cr3t-output"}}},
        "resource_changes": [
            rc(
                f'{mod}.kubernetes_namespace_v1.this["kyverno"]',
                ["update"],
                ns_before,
                ns_after,
                rtype="kubernetes_namespace_v1",
                module_address=mod,
            ),
            rc(
                f'{mod}.kubernetes_namespace_v1.this["legacy"]',
                ["delete"],
                namespace("legacy", {}),
                None,
                rtype="kubernetes_namespace_v1",
                module_address=mod,
                action_reason="delete_because_each_key",
            ),
            rc(
                f"{mod}.helm_release.kyverno",
                ["update"],
                kyverno_before,
                kyverno_after,
                rtype="helm_release",
                module_address=mod,
                change_after_unknown={"metadata": True},
            ),
            rc(
                f"{mod}.helm_release.argo_cd",
                ["update"],
                argo_before,
                argo_after,
                rtype="helm_release",
                module_address=mod,
                change_before_sensitive={"values": [False, True]},
                change_after_sensitive={"values": [False, True]},
            ),
            rc(
                f"{mod}.helm_release.prometheus_operator_crds",
                ["delete", "create"],
                crds_old,
                crds,
                rtype="helm_release",
                module_address=mod,
                action_reason="replace_by_request",
            ),
            rc(
                f"{mod}.helm_release.kyverno_policies",
                ["create"],
                None,
                policies,
                rtype="helm_release",
                module_address=mod,
                change_after_unknown={"metadata": True, "id": True},
            ),
            rc(
                "null_resource.renamed",
                ["no-op"],
                {"id": "1"},
                {"id": "1"},
                previous_address="null_resource.old_name",
            ),
            rc("null_resource.adopted", ["no-op"], {"id": "7"}, {"id": "7"}, change_importing={"id": "7"}),
        ],
        "resource_drift": [
            rc(
                f'{mod}.kubernetes_namespace_v1.this["kyverno"]',
                ["update"],
                namespace("kyverno", {"team": "platform", "edited": "by-hand"}),
                ns_before,
                rtype="kubernetes_namespace_v1",
                module_address=mod,
            ),
        ],
        "output_changes": {
            "argocd_admin": {
                "actions": ["update"],
                "before": "CANARY-s3cr3t-output-old",
                "after": "CANARY-s3cr3t-output",
                "before_sensitive": True,
                "after_sensitive": True,
            },
            "kyverno_version": {"actions": ["update"], "before": "3.8.2", "after": "3.9.0"},
            "argocd_url": {"actions": ["create"], "before": None, "after": None, "after_unknown": True},
        },
    }


def synthetic_plan(n: int, *, modules: int = 1, helm: int = 0) -> dict[str, Any]:
    """A big plan: n null_resource changes (a mix of every action) spread over `modules` modules."""
    kinds = (["create"], ["update"], ["delete", "create"], ["delete"], ["create"], ["create"])
    changes = []
    for i in range(n):
        mod = f"module.m{i % modules}" if modules > 1 else None
        actions = kinds[i % len(kinds)]
        address = f"{mod + '.' if mod else ''}null_resource.r[{i}]"
        before = None if actions == ["create"] else {"id": str(i), "triggers": {"k": f"v{i}", "same": "x"}}
        after = None if actions == ["delete"] else {"triggers": {"k": f"w{i}", "same": "x"}}
        extra: dict[str, Any] = {"index": i}
        if mod:
            extra["module_address"] = mod
        if actions == ["delete", "create"]:
            extra["action_reason"] = "replace_because_cannot_update"
            extra["change_replace_paths"] = [["triggers"]]
        changes.append(rc(address, actions, before, after, change_after_unknown={"id": True}, **extra))
    for j in range(helm):
        before = helm_release(
            f"r{j}", chart="kyverno", version="3.8.2", namespace="kyverno", values=[KYVERNO_OLD]
        )
        after = helm_release(
            f"r{j}", chart="kyverno", version="3.9.0", namespace="kyverno", values=[KYVERNO_NEW]
        )
        changes.append(rc(f"helm_release.r{j}", ["update"], before, after, rtype="helm_release"))
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "resource_changes": changes,
        "planned_values": {},
    }


def objects_plan_with_unchanged_kyverno() -> dict[str, Any]:
    """The Helm objects plan (four releases bumped) with kyverno left as it is: its change a no-op."""
    data: dict[str, Any] = json.loads((Path(__file__).parent / "fixtures" / "objects-plan.json").read_text())
    for change in data["resource_changes"]:
        if change["address"].endswith("module.kyverno.helm_release.protected[0]"):
            inner = change["change"]
            inner.update(actions=["no-op"], after=inner["before"], after_unknown={},
                         after_sensitive=inner["before_sensitive"])
    return data
