"""The machine summary (`--json`): a documented, versioned dict, safe to publish (everything is masked).

Format version 1 (JSON_FORMAT_VERSION = "1.2"); docs/plan-view.md documents every key. Additive changes bump
the minor version, incompatible ones the major.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from k8sprov.planview.model import (
    AttrChange,
    HelmRelease,
    Mark,
    NamespaceChange,
    ObjectChange,
    OutputChange,
    PlanHeader,
    PlanSummary,
    ReleaseObjects,
    ResourceChange,
    ValuesDoc,
)
from k8sprov.planview.summary import gc_paused

# 1.1: helm `objects`, `objects_summary`, `version_locked`; 1.2: helm `chart_name`, `downgrade`,
# `update_reason`, output `changes`, `unchanged_releases`, the failed-plan record
JSON_FORMAT_VERSION = "1.2"


def _plain(value: Any) -> Any:
    """JSON-safe copy; a Mark nested in a structure becomes its text, a top-level ABSENT becomes null."""
    if isinstance(value, Mark):
        return None if value is Mark.ABSENT else value.value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _attr(attr: AttrChange) -> dict[str, Any]:
    out: dict[str, Any] = {"path": attr.path, "kind": attr.kind}
    for side, value in (("before", attr.before), ("after", attr.after)):
        if value is Mark.SENSITIVE:
            out[side] = None
            out[f"{side}_sensitive"] = True
        elif value is Mark.UNKNOWN:
            out[side] = None
            out[f"{side}_unknown"] = True
        else:
            out[side] = _plain(value)
    return out


def _doc(doc: ValuesDoc) -> dict[str, Any]:
    out: dict[str, Any] = {
        "document": doc.index,
        "status": doc.status,
        "note": doc.note,
        "changes": [_attr(a) for a in doc.changes],
    }
    if doc.text_diff:
        out["text_diff"] = list(doc.text_diff)
    return out


def _object(o: ObjectChange) -> dict[str, Any]:
    return {
        "kind": o.kind,
        "group": o.group,
        "version": o.version,
        "version_before": o.version_before,
        "namespace": o.namespace,
        "name": o.name,
        "action": o.action,
        "changes": [_attr(a) for a in o.changes],
        "chart_metadata_changes": [_attr(a) for a in o.chart_metadata],
        "rolls": o.rolls,
        "schema_paths_changed": o.schema_paths if o.is_crd else None,
    }


def _objects_summary(objects: ReleaseObjects) -> dict[str, Any]:
    return {
        "status": objects.status,
        "source": objects.source,
        "counts": objects.counts,
        "total": objects.total,
        "chart_labels_bumped": objects.chart_label_objects,
        "rolling_for_chart_metadata": [o.title for o in objects.rolling_for_chart_metadata],
        "note": objects.note,
    }


def _helm(helm: HelmRelease) -> dict[str, Any]:
    out = {
        "name": _plain(helm.name),
        "namespace": _plain(helm.namespace),
        "chart": _plain(helm.chart),
        "repository": _plain(helm.repository),
        "version_before": _plain(helm.version_before),
        "version_after": _plain(helm.version_after),
        "version_changed": helm.version_changed,
        "values_changed": helm.values_changed,
        "values_sensitive": helm.values_masked,
        "values": [_doc(d) for d in helm.values_docs],
    }
    # Present only when there is something to say, so plans without the manifest experiment (and
    # without a lock match) keep exactly the keys they always had.
    if helm.version_locked is not None:
        out["version_locked"] = helm.version_locked
    out["chart_name"] = helm.chart_name
    out["downgrade"] = helm.downgrade
    if helm.update_reason is not None:
        out["update_reason"] = helm.update_reason
    if helm.objects is not None:
        out["objects"] = [_object(o) for o in helm.objects.objects]
        out["objects_summary"] = _objects_summary(helm.objects)
    return out


def _namespace(ns: NamespaceChange) -> dict[str, Any]:
    return {"name": _plain(ns.name), "labels": [_attr(a) for a in ns.labels]}


def change_dict(change: ResourceChange) -> dict[str, Any]:
    out: dict[str, Any] = {
        "address": change.address,
        "module": change.module,
        "mode": change.mode,
        "type": change.type,
        "name": change.name,
        "index": change.index,
        "provider": change.provider,
        "action": change.action,
        "actions": list(change.actions),
        "reason": change.reason,
        "replace_paths": list(change.replace_paths),
        "previous_address": change.previous_address,
        "importing": change.importing,
        "import_id": change.import_id,
        "deposed": change.deposed,
        "attributes": [_attr(a) for a in change.attributes],
    }
    if change.helm is not None:
        out["helm"] = _helm(change.helm)
    if change.namespace is not None:
        out["namespace"] = _namespace(change.namespace)
    return out


def _output(out: OutputChange) -> dict[str, Any]:
    result: dict[str, Any] = {"name": out.name, "action": out.action, "sensitive": out.sensitive}
    result.update(
        {k: v for k, v in _attr(AttrChange("", out.before, out.after)).items() if k not in ("path",)}
    )
    if out.changes:
        result["changes"] = [_attr(a) for a in out.changes]
    return result


def to_json(summary: PlanSummary, header: PlanHeader) -> dict[str, Any]:
    """The `--json` document (format version 1.0). Safe to publish: sensitive values are already masked."""
    with gc_paused():
        return _to_json(summary, header)


def _to_json(summary: PlanSummary, header: PlanHeader) -> dict[str, Any]:
    out: dict[str, Any] = {
        "format_version": JSON_FORMAT_VERSION,
        "environment": header.environment,
        "profile": header.profile,
        "workspace": header.workspace,
        "terraform_version": header.terraform_version or summary.terraform_version,
        "plan_file": None if header.plan_file is None else str(header.plan_file),
        "created_at": header.created_at.isoformat() if header.created_at else None,
        "plan": {
            "format_version": summary.format_version,
            "terraform_version": summary.terraform_version,
            "timestamp": summary.timestamp,
            "errored": summary.errored,
            "applyable": summary.applyable,
            "complete": summary.complete,
        },
        "has_changes": summary.has_changes,
        "counts": dict(summary.counts),
        "changes": [change_dict(c) for c in summary.listed],
        "drift": [change_dict(c) for c in summary.drift],
        "outputs": [_output(o) for o in summary.outputs if o.action != "no-op"],
        "diagnostics": [
            {"severity": d.severity, "summary": d.summary, "detail": d.detail, "address": d.address}
            for d in summary.diagnostics
        ],
        "notes": list(summary.notes),
    }
    # Present only when the plan leaves a Helm release as it is, so other plans keep exactly their keys.
    if summary.unchanged_releases:
        out["unchanged_releases"] = [
            {"address": r.address, "name": r.name, "namespace": r.namespace, "chart": r.chart,
             "version": r.version} for r in summary.unchanged_releases]
    return out


def failed_json(header: PlanHeader, error: str) -> dict[str, Any]:
    """The `--json` record of a plan that failed: the summary's keys, empty, plus `status` and `error`.

    So a CI matrix job that fails still leaves its environment's file, and `k8sprov report` can say
    which environment failed and why. A summary of a plan that ran has no `status` key (readers take its
    absence as "not failed"), so every existing reader of the format keeps working. `error` is the one-line
    error k8sprov printed, masked like everything it prints."""
    return {
        "format_version": JSON_FORMAT_VERSION,
        "environment": header.environment,
        "profile": header.profile,
        "workspace": header.workspace,
        "terraform_version": header.terraform_version,
        "plan_file": None,
        "created_at": None,
        "status": "failed",
        "error": error,
        "plan": None,
        "has_changes": None,
        "counts": {},
        "changes": [],
        "drift": [],
        "outputs": [],
        "diagnostics": [],
        "notes": [],
    }
