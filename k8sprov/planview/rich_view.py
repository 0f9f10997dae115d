"""The rich terminal view of a PlanSummary.

Order: header, counts line, destructive changes (red, with reasons), changes grouped by module, Helm
releases (table + values diffs), namespace labels, outputs, drift, moves. Long lists collapse with a
count ("… and 9,950 more") so a 10,000-resource plan stays readable. With NO_COLOR and a fixed width the
output is deterministic (pass `now` to pin the plan file's age).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from k8sprov.planview.model import AttrChange, Mark, PlanHeader, PlanSummary, ResourceChange
from k8sprov.planview.text import (
    STYLES,
    SYMBOLS,
    action_breakdown,
    attr_symbol,
    by_resource,
    change_text,
    counts_parts,
    created_text,
    group_by_module,
    helm_set_changes,
    module_label,
    multiline_diff,
    natural_key,
    reason_text,
    value_text,
)

if TYPE_CHECKING:
    from rich.console import Console

PER_GROUP = 20  # resources listed per module group (and in the destructive list) by default
PER_GROUP_DETAIL = 100
MAX_GROUPS = 40
ATTRS_PER_RESOURCE = 50
VALUES_LINES = 20
VALUES_LINES_DETAIL = 300
NO_CHANGES = "No changes. Your infrastructure matches the configuration."
ATTR_STYLE = {"+": "green", "-": "red", "~": "yellow"}


def _more(n: int, what: str, tail: str = "") -> Text:
    return Text(f"    … and {n:,} more {what}{tail}", style="dim")


def _short_address(change: ResourceChange) -> str:
    if change.module and change.address.startswith(change.module + "."):
        return change.address[len(change.module) + 1 :]
    return change.address


def _change_line(change: ResourceChange, *, full_address: bool, indent: str = "  ") -> Text:
    style = STYLES.get(change.action, "")
    if change.action == "no-op":  # listed because it moves or is imported
        style = STYLES["import"] if change.importing else STYLES["moves"]
    symbol = SYMBOLS.get(change.action, "?")
    line = Text(indent)
    line.append(f"{symbol:>3} ", style=style)
    line.append(change.address if full_address else _short_address(change), style=style)
    line.append(f"  {change.action}", style=style if change.destructive else "dim")
    reason = reason_text(change)
    if reason:
        line.append(f"  ({reason})", style="red" if change.destructive else "dim")
    return line


def _attr_line(attr: AttrChange, indent: str) -> Text:
    symbol = attr_symbol(attr.before, attr.after)
    line = Text(indent)
    line.append(f"{symbol} ", style=ATTR_STYLE[symbol])
    line.append(attr.path or "(value)")
    line.append(": ")
    line.append(change_text(attr.before, attr.after), style="dim" if attr.after is Mark.UNKNOWN else "")
    return line


def _attrs(console: Console, attrs: tuple[AttrChange, ...], limit: int, indent: str) -> None:
    for attr in attrs[:limit]:
        text_diff = multiline_diff(attr.before, attr.after)
        if text_diff is None:
            console.print(_attr_line(attr, indent))
            continue
        console.print(Text(f"{indent}~ {attr.path or '(value)'}:", style="yellow"))
        for line in text_diff:
            style = "green" if line.startswith("+") else "red" if line.startswith("-") else "dim"
            console.print(Text(f"{indent}    {line}", style=style))
    if len(attrs) > limit:
        console.print(Text(f"{indent}… and {len(attrs) - limit:,} more attributes", style="dim"))


def _header(summary: PlanSummary, header: PlanHeader, console: Console, now: datetime | None) -> None:
    title = Text("Plan", style="bold")
    for label, value in (
        ("environment", header.environment),
        ("profile", header.profile),
        ("workspace", header.workspace),
    ):
        if value:
            title.append(f" · {label} ", style="bold")
            title.append(value, style="bold cyan")
    console.print(title)
    info = Text()
    version = header.terraform_version or summary.terraform_version
    if version:
        info.append(f"Terraform {version}")
    if summary.format_version:
        info.append(f"{' · ' if info else ''}plan format {summary.format_version}", style="dim")
    if info:
        console.print(info)
    if header.plan_file or header.created_at is not None:
        where = Text()
        if header.plan_file:
            where.append(f"Plan file {header.plan_file}")
        if header.created_at is not None:
            where.append(f"{' · created' if where else 'Created'} {created_text(header.created_at, now)}")
        console.print(where)
    for note in summary.notes:
        console.print(Text(f"note: {note}", style="yellow"))


def _counts(summary: PlanSummary, console: Console) -> None:
    if summary.errored:
        console.print(Text("This plan errored: Terraform could not finish planning.", style="bold red"))
        for d in summary.diagnostics:
            line = Text(f"  {d.severity}: ", style="bold red" if d.severity == "error" else "bold yellow")
            line.append(d.summary)
            if d.address:
                line.append(f"  ({d.address})", style="dim")
            console.print(line)
            if d.detail:
                console.print(Text(f"    {d.detail}", style="dim"))
    elif summary.diagnostics:
        for d in summary.diagnostics:
            console.print(Text(f"{d.severity}: {d.summary}", style="yellow"))
    if not summary.has_changes:
        if not summary.errored:
            console.print(Text(NO_CHANGES, style="bold green"))
        return
    line = Text("Plan: ", style="bold")
    for i, (key, number, words) in enumerate(counts_parts(summary)):
        if i:
            line.append(", ")
        line.append(f"{number:,} {words}", style=STYLES.get(key, "") if number else "dim")
    outputs = len(summary.output_changes)
    if outputs:
        line.append(f"; {outputs:,} output change{'s' if outputs != 1 else ''}")
    console.print(line)


def _destructive(summary: PlanSummary, console: Console, limit: int) -> None:
    destructive = summary.destructive
    if not destructive:
        return
    console.print()
    console.print(Text(f"Destructive changes ({len(destructive):,})", style="bold red"))
    destructive = tuple(sorted(destructive, key=lambda c: (c.module or "", natural_key(c))))
    for change in destructive[:limit]:
        console.print(_change_line(change, full_address=True))
    if len(destructive) > limit:
        console.print(
            _more(
                len(destructive) - limit,
                "destructive changes",
                f" ({action_breakdown(list(destructive[limit:]))})",
            )
        )


def _modules(summary: PlanSummary, console: Console, limit: int, detail: bool) -> None:
    groups = group_by_module(summary.listed)
    if not groups:
        return
    console.print()
    console.print(Text(f"Changes by module ({len(summary.listed):,})", style="bold"))
    for shown, (module, changes) in enumerate(groups.items()):
        if shown == MAX_GROUPS:
            rest = list(groups.values())[MAX_GROUPS:]
            total = sum(len(r) for r in rest)
            console.print(Text(f"  … and {len(rest):,} more modules with {total:,} changes", style="dim"))
            break
        title = Text("  ")
        title.append(module_label(module), style="bold")
        title.append(f"  {action_breakdown(changes)}", style="dim")
        console.print(title)
        for change in changes[:limit]:
            console.print(_change_line(change, full_address=False, indent="    "))
            if detail:
                _attrs(console, change.attributes, ATTRS_PER_RESOURCE, "          ")
        if len(changes) > limit:
            console.print(_more(len(changes) - limit, "in this module", f": {by_resource(changes[limit:])}"))


def _version_cell(before: object, after: object, downgrade: bool = False) -> Text:
    if before is Mark.ABSENT:
        return Text(value_text(after).strip('"'), style="green")
    if after is Mark.ABSENT:
        return Text(value_text(before).strip('"'), style="red")
    if before == after:
        return Text(value_text(after).strip('"'))
    text = Text(
        f"{value_text(before).strip(chr(34))} → {value_text(after).strip(chr(34))}", style="bold yellow"
    )
    if downgrade:
        text.append(" downgrade", style="bold red")
    return text


OBJECTS_PER_RELEASE = 20
OBJECTS_PER_RELEASE_DETAIL = 200
FIELDS_PER_OBJECT = 12
OBJECT_STYLES = {"+": "green", "-": "red", "~": "yellow", "note": "yellow", "dim": "dim", "ctx": "dim"}


def _objects(change: ResourceChange, console: Console, detail: bool) -> None:
    """The Kubernetes objects a release adds, removes and changes (helm manifest experiment)."""
    from k8sprov.planview.objects_text import object_lines

    helm = change.helm
    if helm is None or helm.objects is None:
        return
    objects = helm.objects
    title = Text(f"  objects of {change.address}", style="bold")
    title.append(f"  {objects.counts_text()}", style="dim")
    console.print(title)
    lines = object_lines(
        objects,
        detail=detail,
        max_objects=OBJECTS_PER_RELEASE_DETAIL if detail else OBJECTS_PER_RELEASE,
        max_fields=ATTRS_PER_RESOURCE if detail else FIELDS_PER_OBJECT,
    )
    for kind, text, depth in lines:
        console.print(Text(f"    {'    ' * depth}{text}", style=OBJECT_STYLES.get(kind, "")))


def _helm_table(columns: list[str], rows: list[list[Text]]) -> Table:
    table = Table(title=None, show_edge=False, pad_edge=False, box=None, header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold", no_wrap=column in ("Action", "Version"))
    for row in rows:
        table.add_row(*row)
    return table


def _helm(summary: PlanSummary, console: Console, detail: bool) -> None:
    releases = summary.helm_releases
    if not releases:
        return
    console.print()
    with_objects = any(c.helm is not None and c.helm.objects is not None for c in releases)
    rows: list[list[Text]] = []
    chart_is_name = True  # every release is named after its chart
    for change in releases:
        helm = change.helm
        assert helm is not None
        if helm.values_masked:
            values = Text("changed (sensitive)", style="yellow")
        elif any(d.status == "unknown" for d in helm.values_docs):
            values = Text("known after apply", style="dim")
        else:
            values = (
                Text("changed", style="yellow") if helm.values_changed else Text("unchanged", style="dim")
            )
        name = helm.name if isinstance(helm.name, str) and helm.name else _short_address(change)
        chart = helm.chart_name or value_text(helm.chart).strip('"')
        chart_is_name = chart_is_name and chart == name
        version = _version_cell(helm.version_before, helm.version_after, helm.downgrade)
        if helm.version_locked is not None:
            version = Text(f"{helm.version_locked} (charts.lock)", style="green")
        cells = [
            Text(name),
            Text(change.action, style=STYLES.get(change.action, "")),
            Text(value_text(helm.namespace).strip('"') if helm.namespace is not Mark.ABSENT else "default"),
            Text(chart),
            version,
            values,
        ]
        if with_objects:
            objects = helm.objects
            cells.append(
                Text(objects.counts_text(), style="yellow" if objects.objects else "dim")
                if objects is not None
                else Text("—", style="dim")
            )
        rows.append(cells)
    columns = ["Release", "Action", "Namespace", "Chart", "Version", "Values"]
    if with_objects:
        columns.append("Objects")
    table = _helm_table(columns, rows)
    unbounded = console.options.update_width(10_000)
    if chart_is_name and console.measure(table, options=unbounded).maximum > console.width:
        # Too narrow for the same names twice: one Release column folds better than two halves.
        table = _helm_table([c for c in columns if c != "Chart"], [r[:3] + r[4:] for r in rows])
        columns.remove("Chart")
    title = Text(f"Helm releases ({len(releases):,})", style="bold")
    if "Chart" not in columns:
        title.append("  each named after its chart", style="dim")
    console.print(title)
    console.print(table)
    for change in releases:
        helm = change.helm
        assert helm is not None
        if helm.update_reason is not None:
            name = helm.name if isinstance(helm.name, str) and helm.name else _short_address(change)
            console.print(Text(f"  {name} updates: {helm.update_reason}", style="dim"))
    limit = VALUES_LINES_DETAIL if detail else VALUES_LINES
    for change in releases:
        helm = change.helm
        assert helm is not None
        sets = helm_set_changes(change)
        if not helm.values_docs and not sets:
            continue
        console.print(Text(f"  values of {change.address}", style="bold"))
        lines = 0
        many = len(helm.values_docs) > 1
        for doc in helm.values_docs:
            indent = "      " if many else "    "
            if many:
                console.print(Text(f"    document {doc.index} ({doc.status})", style="dim"))
            if doc.note:
                console.print(
                    Text(f"{indent}{doc.note}", style="yellow" if doc.status == "sensitive" else "dim")
                )
            for attr in doc.changes:
                if lines >= limit:
                    break
                console.print(_attr_line(attr, indent))
                lines += 1
            for text_line in doc.text_diff:
                if lines >= limit:
                    break
                style = (
                    "green" if text_line.startswith("+") else "red" if text_line.startswith("-") else "dim"
                )
                console.print(Text(f"{indent}{text_line}", style=style))
                lines += 1
        total = sum(len(d.changes) + len(d.text_diff) for d in helm.values_docs)
        if total > lines:
            console.print(Text(f"    … and {total - lines:,} more values lines (use --detail)", style="dim"))
        _attrs(console, sets, limit, "    ")
    for change in releases:
        _objects(change, console, detail)


def _namespaces(summary: PlanSummary, console: Console, limit: int) -> None:
    namespaces = summary.namespaces
    if not namespaces:
        return
    console.print()
    console.print(Text(f"Namespace labels ({len(namespaces):,})", style="bold"))
    for change in namespaces[:limit]:
        ns = change.namespace
        assert ns is not None
        title = Text(f"  {change.address}")
        if ns.name is not Mark.ABSENT:
            title.append(f"  namespace {value_text(ns.name).strip(chr(34))}", style="dim")
        console.print(title)
        _attrs(console, ns.labels, ATTRS_PER_RESOURCE, "      ")
    if len(namespaces) > limit:
        console.print(_more(len(namespaces) - limit, "namespaces"))


def _outputs(summary: PlanSummary, console: Console, limit: int) -> None:
    outputs = summary.output_changes
    if not outputs:
        return
    console.print()
    console.print(Text(f"Outputs ({len(outputs):,})", style="bold"))
    for out in outputs[:limit]:
        symbol = SYMBOLS.get(out.action, "~").strip() or "~"
        if out.changes:  # the leaves that differ, not two long values with the same beginning
            for attr in out.changes[:OUTPUT_LEAVES]:
                line = Text("  ")
                line.append(f"{symbol:>3} ", style=STYLES.get(out.action, ""))
                line.append(f"{attr.path}: ")
                line.append(change_text(attr.before, attr.after), style=_unknown_style(attr))
                console.print(line)
            if len(out.changes) > OUTPUT_LEAVES:
                console.print(_more(len(out.changes) - OUTPUT_LEAVES, f"changes in {out.name}"))
            continue
        line = Text("  ")
        line.append(f"{symbol:>3} ", style=STYLES.get(out.action, ""))
        line.append(out.name)
        line.append(": ")
        line.append(change_text(out.before, out.after))
        console.print(line)
    if len(outputs) > limit:
        console.print(_more(len(outputs) - limit, "outputs"))


OUTPUT_LEAVES = 20


def _unknown_style(attr: AttrChange) -> str:
    return "dim" if attr.after is Mark.UNKNOWN else ""


def _drift_and_moves(summary: PlanSummary, console: Console, limit: int, detail: bool) -> None:
    if summary.drift:
        console.print()
        console.print(Text(f"Changed outside Terraform ({len(summary.drift):,})", style="bold magenta"))
        for change in summary.drift[:limit]:
            console.print(_change_line(change, full_address=True))
            if detail:
                _attrs(console, change.attributes, ATTRS_PER_RESOURCE, "        ")
        if len(summary.drift) > limit:
            console.print(_more(len(summary.drift) - limit, "drifted objects"))
    moves = summary.moves
    if moves:
        console.print()
        console.print(Text(f"Moved ({len(moves):,})", style="bold blue"))
        for change in moves[:limit]:
            console.print(Text(f"  {change.previous_address} → {change.address}"))
        if len(moves) > limit:
            console.print(_more(len(moves) - limit, "moves"))


def render_rich(
    summary: PlanSummary,
    header: PlanHeader,
    console: Console,
    *,
    detail: bool = False,
    now: datetime | None = None,
    max_per_group: int | None = None,
) -> None:
    """Print the plan view. `detail` adds attribute-level diffs; `now` pins the plan file age (tests)."""
    limit = max_per_group or (PER_GROUP_DETAIL if detail else PER_GROUP)
    _header(summary, header, console, now)
    _counts(summary, console)
    if summary.has_changes or summary.drift:
        _destructive(summary, console, limit)
        _modules(summary, console, limit, detail)
        _helm(summary, console, detail)
        _namespaces(summary, console, limit)
        _outputs(summary, console, limit)
        _drift_and_moves(summary, console, limit, detail)
