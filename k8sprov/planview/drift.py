"""Drift: what changed outside Terraform, from a refresh-only plan's JSON. Pure: no I/O; rich only when
`render_drift_rich` is called.

    plan = only_drift(plan_json)           # the plan reduced to its real drift (both JSON formats)
    summary = summarize(plan)              # the usual masked summary; summary.drift holds the objects
    drift_json(summary, header)            # the plan summary JSON plus "kind": "drift"
    drift_markdown(summary, header)        # a PR/issue comment
    render_drift_rich(summary, header, console)

A refresh-only plan puts the differences in `resource_drift`, never in `resource_changes`. Terraform 1.0
(format 0.2) lists resources whose refreshed value equals the state's as "update" entries too; 1.5+
(format 1.x) lists resources that only moved as "no-op" entries. Neither is drift: an entry counts when it
deletes the object or when its value really changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from k8sprov.planview.model import Mark, PlanHeader, PlanSummary, ResourceChange
from k8sprov.planview.text import change_text

if TYPE_CHECKING:
    from rich.console import Console

DRIFT_KIND = "drift"
DRIFT_MODE = "refresh-only"
# Attributes a Helm upgrade made by hand moves: called out on the release's first line.
_RELEASE_FIELDS = (("chart version", "version"), ("revision", "metadata.revision"))


def _is_drift(entry: Any) -> bool:
    if not isinstance(entry, Mapping) or entry.get("mode", "managed") != "managed":
        return False
    change = entry.get("change")
    if not isinstance(change, Mapping):
        return False
    actions = change.get("actions")
    if not isinstance(actions, list) or actions in ([], ["no-op"]):
        return False
    if "delete" in actions:
        return True
    return bool(change.get("before") != change.get("after"))


def only_drift(plan: Mapping[str, Any]) -> dict[str, Any]:
    """The plan with nothing but its drift: `resource_drift` entries that are real changes, no planned
    resource or output changes (a refresh-only plan changes no object; its output changes only follow the
    drift or the configuration)."""
    out = {k: v for k, v in plan.items() if k not in ("resource_changes", "output_changes")}
    drift = plan.get("resource_drift")
    kept = [e for e in drift if _is_drift(e)] if isinstance(drift, list) else []
    # 1.0 lists deletions first, 1.5+ sorts by address: one order whatever wrote the plan.
    out["resource_drift"] = sorted(kept, key=lambda e: str(e.get("address", "")))
    return out


@dataclass(frozen=True)
class DriftLine:
    """One drifted object as text: a title, then `path: before → after` lines (all masked already)."""

    address: str
    what: str  # "changed" or "deleted"
    title: str
    details: tuple[str, ...]


def drift_lines(summary: PlanSummary) -> list[DriftLine]:
    lines: list[DriftLine] = []
    for change in summary.drift:
        lines.append(_line(change))
    return lines


def _attr(change: ResourceChange, path: str) -> tuple[Any, Any] | None:
    for attr in change.attributes:
        if attr.path == path:
            return attr.before, attr.after
    return None


def _line(change: ResourceChange) -> DriftLine:
    if change.action == "delete":
        title = f"{change.address}: deleted outside Terraform"
        if change.helm is not None:
            title += f" (release {_name(change.helm.name)} in {_name(change.helm.namespace)} is gone)"
        return DriftLine(change.address, "deleted", title,
                         ("the next plan creates it again; drift itself changes nothing",))
    title = f"{change.address}: changed outside Terraform"
    if change.helm is not None:
        moved = [f"{label} {change_text(*pair)}" for label, path in _RELEASE_FIELDS
                 if (pair := _attr(change, path)) is not None]
        title = (f"{change.address}: release {_name(change.helm.name)} in {_name(change.helm.namespace)}"
                 + (f" upgraded by hand: {', '.join(moved)}" if moved else " changed outside Terraform"))
    details = tuple(f"{attr.path or '(value)'}: {change_text(attr.before, attr.after)}"
                    for attr in change.attributes)
    if change.helm is not None and change.helm.values_changed:
        details += ("values: changed (see k8sprov plan for the values diff)",)
    return DriftLine(change.address, "changed", title, details)


def _name(value: Any) -> str:
    return value.value if isinstance(value, Mark) else str(value)


def counts(summary: PlanSummary) -> dict[str, int]:
    deleted = sum(1 for c in summary.drift if c.action == "delete")
    return {"changed": len(summary.drift) - deleted, "deleted": deleted}


def drift_json(summary: PlanSummary, header: PlanHeader) -> dict[str, Any]:
    """The plan summary JSON (planview's `to_json`, same keys and format version) of a refresh-only plan,
    marked `"kind": "drift"`, `"mode": "refresh-only"`; `has_changes` is true when anything drifted and
    `drift_counts` splits the drifted objects into changed and deleted."""
    from k8sprov.planview.render_json import to_json

    doc = to_json(summary, header)
    return {"kind": DRIFT_KIND, "mode": DRIFT_MODE, **doc, "has_changes": bool(summary.drift),
            "drift_counts": counts(summary)}


def _verdict(summary: PlanSummary, header: PlanHeader) -> str:
    where = f" in {header.environment}" if header.environment else ""
    if not summary.drift:
        return f"No drift{where}: the objects match the state."
    c = counts(summary)
    return (f"Drift{where}: {c['changed']} changed, {c['deleted']} deleted outside Terraform. "
            "The state was not changed.")


def drift_markdown(summary: PlanSummary, header: PlanHeader, *, limit: int = 65000) -> str:
    """A comment for a pull request or a scheduled job's issue: verdict, then each object in a diff block."""
    parts = [f"### Drift · environment `{header.environment or '?'}`"
             + (f" · profile `{header.profile}`" if header.profile else ""), "",
             _verdict(summary, header), ""]
    for line in drift_lines(summary):
        block = ["```diff", f"! {line.title}", *(f"~   {d}" for d in line.details), "```", ""]
        text = "\n".join(block)
        if sum(len(p) + 1 for p in parts) + len(text) > limit - 200:
            parts.append(f"_… cut to stay under {limit:,} characters; run `k8sprov drift --env "
                         f"{header.environment or 'ENV'}` for the rest._")
            break
        parts.append(text)
    if summary.drift:
        parts.append("_Terraform would reconcile these on the next `k8sprov plan` / `apply`; "
                     "`terraform apply -refresh-only` would accept them into the state instead._")
    return "\n".join(parts).rstrip() + "\n"


def render_drift_rich(summary: PlanSummary, header: PlanHeader, console: Console) -> None:
    from rich.text import Text

    title = Text("Drift", style="bold")
    for label, value in (("environment", header.environment), ("profile", header.profile)):
        if value:
            title.append(f" · {label} ", style="bold")
            title.append(value, style="bold cyan")
    console.print(title)
    version = header.terraform_version or summary.terraform_version
    if version:
        console.print(Text(f"Terraform {version} · refresh-only plan, the state is left as it is",
                           style="dim"))
    for line in drift_lines(summary):
        console.print(Text(line.title, style="red" if line.what == "deleted" else "magenta"), soft_wrap=True)
        for detail in line.details:
            console.print(Text(f"    {detail}"), soft_wrap=True)
    console.print(Text(_verdict(summary, header), style="bold" if summary.drift else "green"))
