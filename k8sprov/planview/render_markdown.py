"""The PR-comment view (`--markdown`): summary first, details collapsible, always under `limit` characters.

GitHub rejects comments over 65,536 characters; we stop adding detail before `limit` and say so
explicitly at the end (how many changes and which sections were left out).
"""

from __future__ import annotations

import html
from datetime import datetime

from k8sprov.planview.model import AttrChange, Mark, PlanHeader, PlanSummary, ResourceChange
from k8sprov.planview.objects_text import counts_cell, object_lines
from k8sprov.planview.text import (
    SYMBOLS,
    action_breakdown,
    attr_symbol,
    by_resource,
    change_text,
    counts_line,
    created_text,
    group_by_module,
    helm_set_changes,
    module_label,
    multiline_diff,
    reason_text,
    value_text,
)

DESTRUCTIVE_ROWS = 50
OBJECTS_PER_RELEASE = 200
FIELDS_PER_OBJECT = 30
PER_GROUP = 200
VALUES_LINES = 200
_NOTE_RESERVE = 600  # room kept for the closing "cut" note


def _code(text: str, *, table: bool = False) -> str:
    text = text.replace("\n", " ")
    if table:
        text = text.replace("|", "\\|")
    if "`" in text:
        return f"`` {text} ``"
    return f"`{text}`"


def _cell(text: str) -> str:
    return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")


def _line(text: str) -> str:
    """A line inside a fenced block: no fence can be closed from inside."""
    return text.replace("```", "`\u200b``")


def _plain(value: object) -> str:
    return value_text(value).strip('"') if value is not Mark.ABSENT else "—"


class _Writer:
    def __init__(self, limit: int) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.budget = max(limit - _NOTE_RESERVE, 0)
        self.omitted_changes = 0
        self.omitted_sections: list[str] = []
        self.cut = False

    def fits(self, text: str, reserve: int = 0) -> bool:
        return self.size + len(text) + 1 + reserve <= self.budget

    def add(self, text: str, reserve: int = 0) -> bool:
        if not self.fits(text, reserve):
            self.cut = True
            return False
        self.parts.append(text)
        self.size += len(text) + 1
        return True

    def force(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text) + 1


def _block(w: _Writer, summary_title: str, lines: list[str], *, section: str = "") -> int | None:
    """A <details> with a ```diff block; lines are added while they fit. Returns how many were shown,
    or None when the whole section was left out."""
    opening = f"<details><summary>{html.escape(summary_title, quote=False)}</summary>\n\n```diff"
    closing = "```\n\n</details>\n"
    if not w.fits(opening, len(closing) + 80):
        w.cut = True
        w.omitted_sections.append(section or summary_title)
        return None
    w.add(opening)
    shown = 0
    for line in lines:
        if not w.add(_line(line), reserve=len(closing) + 80):
            break
        shown += 1
    if shown < len(lines):
        w.force(f"… {len(lines) - shown:,} more lines cut to fit the comment")
        w.cut = True
    w.force(closing)
    return shown


def _attr_line(attr: AttrChange, indent: str) -> str:
    symbol = attr_symbol(attr.before, attr.after)
    return f"{symbol}{indent}{attr.path or '(value)'}: {change_text(attr.before, attr.after)}"


def _change_line(change: ResourceChange, address: str) -> str:
    reason = reason_text(change)
    symbol = SYMBOLS.get(change.action, "?").strip() or " "
    return f"{symbol:<3} {address}" + (
        f"   # {change.action}: {reason}" if reason else f"   # {change.action}"
    )


def _header(w: _Writer, summary: PlanSummary, header: PlanHeader, now: datetime | None) -> None:
    title = "Terraform plan"
    if header.environment:
        title += f" · {_code(header.environment)}"
    w.force(f"### {title}\n")
    facts: list[str] = []
    if header.profile:
        facts.append(f"profile {_code(header.profile)}")
    if header.workspace:
        facts.append(f"workspace {_code(header.workspace)}")
    version = header.terraform_version or summary.terraform_version
    if version:
        facts.append(f"Terraform {version}")
    if header.plan_file:
        facts.append(f"plan file {_code(header.plan_file)}")
    if header.created_at is not None:
        facts.append(f"created {created_text(header.created_at, now)}")
    if facts:
        w.force(" · ".join(facts) + "\n")
    for note in summary.notes:
        w.force(f"> **Note:** {_cell(note)}\n")


def _status(w: _Writer, summary: PlanSummary) -> None:
    if summary.errored:
        w.force("> [!CAUTION]\n> **This plan errored:** Terraform could not finish planning.\n")
    for d in summary.diagnostics[:20]:
        where = f" ({_code(d.address)})" if d.address else ""
        w.force(f"- **{_cell(d.severity)}:** {_cell(d.summary)}{where}")
        if d.detail:
            w.add("  " + _cell(d.detail[:1000]))
    if summary.diagnostics:
        w.force("")
    if not summary.has_changes:
        if not summary.errored:
            w.force("**No changes.** Your infrastructure matches the configuration.\n")
        return
    w.force(f"**Plan:** {counts_line(summary)}\n")


def _destructive(w: _Writer, summary: PlanSummary) -> None:
    destructive = summary.destructive
    if not destructive:
        return
    w.force(
        f"> [!WARNING]\n> **{len(destructive):,} destructive change{'s' if len(destructive) != 1 else ''}**"
        f" ({action_breakdown(list(destructive))})\n"
    )
    w.add("| | Resource | Action | Reason |\n|---|---|---|---|")
    shown = 0
    for change in destructive[:DESTRUCTIVE_ROWS]:
        symbol = SYMBOLS.get(change.action, "?")
        row = (
            f"| `{symbol}` | {_code(change.address, table=True)} | {change.action} | "
            f"{_cell(reason_text(change)) or '—'} |"
        )
        if not w.add(row, reserve=200):
            break
        shown += 1
    if shown < len(destructive):
        w.force(f"\n… and {len(destructive) - shown:,} more destructive changes (listed under *All changes*)")
    w.force("")


def _helm(w: _Writer, summary: PlanSummary, detail: bool) -> None:
    releases = summary.helm_releases
    if not releases:
        return
    with_objects = any(c.helm is not None and c.helm.objects is not None for c in releases)
    rows = ["| Release | Action | Namespace | Chart | Version | Values |", "|---|---|---|---|---|---|"]
    if with_objects:
        rows = [rows[0] + " Objects |", rows[1] + "---|"]
    for change in releases:
        helm = change.helm
        assert helm is not None
        if (
            helm.version_before is Mark.ABSENT
            or helm.version_after is Mark.ABSENT
            or not helm.version_changed
        ):
            version = _plain(
                helm.version_after if helm.version_after is not Mark.ABSENT else helm.version_before
            )
        else:
            version = f"{_plain(helm.version_before)} → **{_plain(helm.version_after)}**"
            if helm.downgrade:
                version += " (downgrade)"
        values = (
            "changed (sensitive)" if helm.values_masked else "changed" if helm.values_changed else "unchanged"
        )
        if helm.version_locked is not None:
            version = f"{_cell(helm.version_locked)} (charts.lock)"
        namespace = _plain(helm.namespace) if helm.namespace is not Mark.ABSENT else "default"
        name = helm.name if isinstance(helm.name, str) and helm.name else change.address
        row = (
            f"| {_code(name, table=True)} | {change.action} | {_cell(namespace)} | "
            f"{_cell(helm.chart_name or _plain(helm.chart))} | {version} | {values} |"
        )
        if with_objects:
            row += f" {_cell(counts_cell(helm.objects))} |"
        rows.append(row)
    if not w.fits("\n".join(rows), 300):
        w.cut = True
        w.omitted_sections.append("Helm releases")
        return
    w.add(f"#### Helm releases ({len(releases):,})\n")
    w.add("\n".join(rows) + "\n")
    reasons = [
        f"- {_code(_plain(c.helm.name))} updates: {c.helm.update_reason}"
        for c in releases
        if c.helm is not None and c.helm.update_reason is not None
    ]
    if reasons:
        w.add("\n".join(reasons) + "\n")
    for change in releases:
        helm = change.helm
        assert helm is not None
        lines: list[str] = []
        for doc in helm.values_docs:
            if len(helm.values_docs) > 1:
                lines.append(f"# document {doc.index} ({doc.status})")
            if doc.note:
                lines.append(f"# {doc.note}")
            lines.extend(_attr_line(a, " ") for a in doc.changes[:VALUES_LINES])
            if len(doc.changes) > VALUES_LINES:
                lines.append(f"# … and {len(doc.changes) - VALUES_LINES:,} more values")
            lines.extend(doc.text_diff)
        lines.extend(_attr_line(a, " ") for a in helm_set_changes(change))
        if lines:
            _block(w, f"values of {change.address}", lines, section=f"values of {change.address}")
    for change in releases:
        _objects(w, change, detail)


def _objects(w: _Writer, change: ResourceChange, detail: bool) -> None:
    helm = change.helm
    if helm is None or helm.objects is None:
        return
    lines = [
        (f"#{'   ' * depth} {text}" if kind in ("note", "dim") else f"{text[:1]}{'   ' * depth}{text[1:]}")
        for kind, text, depth in object_lines(
            helm.objects, detail=detail, max_objects=OBJECTS_PER_RELEASE, max_fields=FIELDS_PER_OBJECT
        )
    ]
    title = f"objects of {change.address} ({helm.objects.counts_text()})"
    _block(w, title, lines, section=f"objects of {change.address}")


def _namespaces(w: _Writer, summary: PlanSummary) -> None:
    namespaces = summary.namespaces
    if not namespaces:
        return
    lines: list[str] = []
    for change in namespaces:
        ns = change.namespace
        assert ns is not None
        lines.append(f"# {change.address} (namespace {_plain(ns.name)})")
        lines.extend(_attr_line(a, " ") for a in ns.labels)
    _block(w, f"Namespace labels ({len(namespaces):,})", lines)


def _all_changes(w: _Writer, summary: PlanSummary, detail: bool) -> None:
    listed = summary.listed
    if not listed:
        return
    lines: list[str] = []
    change_at: list[int] = []  # indexes of the lines that name a change
    for module, changes in group_by_module(listed).items():
        lines.append(f"# {module_label(module)}: {action_breakdown(changes)}")
        for change in changes[:PER_GROUP]:
            short = change.address
            if change.module and short.startswith(change.module + "."):
                short = short[len(change.module) + 1 :]
            change_at.append(len(lines))
            lines.append(_change_line(change, short))
            if detail:
                for attr in change.attributes[:50]:
                    text_diff = multiline_diff(attr.before, attr.after)
                    if text_diff is None:
                        lines.append(_attr_line(attr, "       "))
                    else:
                        lines.append(f"~       {attr.path or '(value)'}:")
                        lines.extend(f"{line[:1]}           {line[1:]}" for line in text_diff)
        if len(changes) > PER_GROUP:
            rest = changes[PER_GROUP:]
            lines.append(f"# … and {len(rest):,} more in {module_label(module)}: {by_resource(rest)}")
    shown = _block(w, f"All changes ({len(listed):,})", lines, section="All changes")
    if shown is None:
        w.omitted_changes += len(listed)
    else:
        w.omitted_changes += sum(1 for i in change_at if i >= shown)


def _outputs(w: _Writer, summary: PlanSummary) -> None:
    outputs = summary.output_changes
    if not outputs:
        return
    lines: list[str] = []
    for o in outputs:
        symbol = SYMBOLS.get(o.action, "~").strip() or "~"
        if o.changes:  # the leaves that differ, not two long values with the same beginning
            lines.extend(f"{symbol:<3} {a.path}: {change_text(a.before, a.after)}" for a in o.changes)
        else:
            lines.append(f"{symbol:<3} {o.name}: {change_text(o.before, o.after)}")
    _block(w, f"Outputs ({len(outputs):,})", lines)


def _drift_and_moves(w: _Writer, summary: PlanSummary) -> None:
    if summary.drift:
        lines = [_change_line(c, c.address) for c in summary.drift[:PER_GROUP]]
        if len(summary.drift) > PER_GROUP:
            lines.append(f"# … and {len(summary.drift) - PER_GROUP:,} more")
        _block(w, f"Changed outside Terraform ({len(summary.drift):,})", lines)
    moves = summary.moves
    if moves:
        lines = [f"  {c.previous_address} → {c.address}" for c in moves[:PER_GROUP]]
        if len(moves) > PER_GROUP:
            lines.append(f"# … and {len(moves) - PER_GROUP:,} more")
        _block(w, f"Moved ({len(moves):,})", lines)


def to_markdown(
    summary: PlanSummary,
    header: PlanHeader,
    *,
    limit: int = 65000,
    detail: bool = False,
    now: datetime | None = None,
) -> str:
    """A PR comment: header and counts, destructive changes, then collapsible details; ≤ `limit` chars."""
    w = _Writer(limit)
    _header(w, summary, header, now)
    _status(w, summary)
    if summary.has_changes or summary.drift:
        _destructive(w, summary)
        _helm(w, summary, detail)
        _namespaces(w, summary)
        _all_changes(w, summary, detail)
        _outputs(w, summary)
        _drift_and_moves(w, summary)
    if w.cut:
        what: list[str] = []
        if w.omitted_changes:
            what.append(f"{w.omitted_changes:,} of {len(summary.listed):,} changes")
        if w.omitted_sections:
            what.append("the sections " + ", ".join(w.omitted_sections))
        left_out = (" Left out: " + "; ".join(what) + ".") if what else ""
        env = f" --env {header.environment}" if header.environment else ""
        w.force(
            f"> [!NOTE]\n> **Cut to stay under {limit:,} characters.**{_cell(left_out)} "
            f"Run `k8sprov show{env}` for the full plan."
        )
    text = "\n".join(w.parts).rstrip() + "\n"
    if len(text) > limit:  # the header or a tiny limit: hard cut, never over
        note = "\n… cut to fit\n"
        text = text[: max(limit - len(note), 0)] + note
        text = text[:limit]
    return text
