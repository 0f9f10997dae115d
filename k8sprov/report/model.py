"""What the report keeps of each summary: counts and the few lists its outputs show, bounded in size."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from k8sprov.errors import ExitCode

# The counts every view shows as columns, in this order; any other key still reaches the merged JSON.
COLUMNS = ("create", "update", "replace", "delete")
# status of one environment in the report
CHANGES, NO_CHANGES, FAILED = "changes", "no changes", "failed"
# A summary of a huge plan may list thousands of changes: the report keeps this many per list and counts
# the rest, so its memory stays flat however large or many the summaries are.
LIST_CAP = 200


@dataclass
class EnvEntry:
    """One environment's summary (or one environment of a `plan --all --json` document)."""

    name: str
    source: str
    kind: str = "plan"  # "plan"; a drift summary says "drift" (same format plus the marker)
    status: str = NO_CHANGES
    profile: str | None = None
    error: str | None = None
    terraform_version: str | None = None
    created_at: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    # False for an environment of a `plan --all --json` document: counts and status only
    detailed: bool = True
    destructive: list[dict[str, Any]] = field(default_factory=list)
    modules: dict[str, dict[str, int]] = field(default_factory=dict)
    releases: list[dict[str, Any]] = field(default_factory=list)
    namespaces: list[dict[str, Any]] = field(default_factory=list)
    drift: list[dict[str, Any]] = field(default_factory=list)
    # list name -> how many items were past LIST_CAP
    omitted: dict[str, int] = field(default_factory=dict)
    destructive_total: int = 0
    drift_total: int = 0

    @property
    def failed(self) -> bool:
        return self.status == FAILED

    @property
    def has_changes(self) -> bool:
        return self.status == CHANGES

    @property
    def title(self) -> str:
        return self.name if self.kind == "plan" else f"{self.name} ({self.kind})"

    def count(self, key: str) -> int:
        return self.counts.get(key, 0)


@dataclass
class Skipped:
    path: str
    reason: str


@dataclass
class FleetReport:
    entries: list[EnvEntry]
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def failed(self) -> list[EnvEntry]:
        return [e for e in self.entries if e.failed]

    @property
    def with_changes(self) -> list[EnvEntry]:
        return [e for e in self.entries if e.has_changes]

    @property
    def destructive_total(self) -> int:
        return sum(e.destructive_total for e in self.entries)

    def totals(self) -> dict[str, int]:
        out: dict[str, int] = {k: 0 for k in COLUMNS}
        for entry in self.entries:
            for key, value in entry.counts.items():
                out[key] = out.get(key, 0) + value
        return out

    def chart_names(self) -> list[str]:
        """Every Helm release name in any summary (changed or, from format 1.2, left as it is), sorted."""
        return sorted({r["name"] for e in self.entries for r in e.releases if r.get("name")})

    def exit_code(self) -> ExitCode:
        """--detailed-exitcode: 1 when any plan failed (failure wins), 2 when any has changes, else 0."""
        if self.failed:
            return ExitCode.ERROR
        if self.with_changes:
            return ExitCode.CHANGES
        return ExitCode.OK
