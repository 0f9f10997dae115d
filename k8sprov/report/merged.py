"""The merged JSON (`report --json`): every environment's entry and the fleet's totals, versioned.

Format 1.0 (REPORT_FORMAT_VERSION); docs/ci.md documents every key. New keys bump the minor version,
an incompatible change the major.
"""

from __future__ import annotations

from typing import Any

from k8sprov.report.model import EnvEntry, FleetReport

REPORT_FORMAT_VERSION = "1.0"


def _entry(e: EnvEntry) -> dict[str, Any]:
    return {
        "name": e.name,
        "kind": e.kind,
        "source": e.source,
        "status": e.status,
        "error": e.error,
        "profile": e.profile,
        "terraform_version": e.terraform_version,
        "created_at": e.created_at,
        "detailed": e.detailed,
        "counts": dict(e.counts),
        "destructive_count": e.destructive_total,
        "destructive": e.destructive,
        "modules": [{"module": m, "counts": dict(c)} for m, c in e.modules.items()],
        "helm_releases": e.releases,
        "namespaces": e.namespaces,
        "drift_count": e.drift_total,
        "drift": e.drift,
        "omitted": dict(e.omitted),
    }


def to_json(report: FleetReport) -> dict[str, Any]:
    return {
        "format_version": REPORT_FORMAT_VERSION,
        "kind": "k8sprov-report",
        "totals": {
            "environments": len(report.entries),
            "with_changes": len(report.with_changes),
            "failed": len(report.failed),
            "destructive": report.destructive_total,
            "counts": report.totals(),
        },
        "detailed_exit_code": int(report.exit_code()),
        "environments": [_entry(e) for e in report.entries],
        "skipped": [{"path": s.path, "reason": s.reason} for s in report.skipped],
    }
