"""Wording of a release's Kubernetes objects, shared by the rich and Markdown views. No rich here.

Each line is (kind, text[, depth]): kind "+", "-", "~" for an object or a field and "ctx" for a context
line of a text diff (the symbol leads the text), "note" for a line about the release as a whole, "dim"
for a remark. Renderers only style and indent.
"""

from __future__ import annotations

from k8sprov.planview.model import ObjectChange, ReleaseObjects
from k8sprov.planview.text import attr_symbol, change_text, multiline_diff

OBJECT_SYMBOLS = {"create": "+", "delete": "-", "update": "~"}
Line = tuple[str, str]


def kinds_text(objects: ReleaseObjects, top: int = 8) -> str:
    """`57 objects: ConfigMap ×9, Deployment ×7, … 3 more kinds`."""
    kinds = objects.by_kind()
    parts = [f"{kind} ×{n:,}" for kind, n in kinds[:top]]
    if len(kinds) > top:
        parts.append(f"{len(kinds) - top:,} more kinds")
    n = len(objects.objects)
    return f"{n:,} object{'s' if n != 1 else ''}: {', '.join(parts)}" if parts else "no objects"


def object_title(o: ObjectChange, *, detail: bool) -> str:
    text = f"{OBJECT_SYMBOLS.get(o.action, '?')} {o.title}"
    if o.action != "update":
        return text
    if o.version_before is not None:
        group = f"{o.group}/" if o.group else ""
        text += f"  (apiVersion {group}{o.version_before} → {group}{o.version})"
    if o.is_crd and not detail:
        others = len(o.changes) - o.schema_paths
        if o.schema_paths:
            text += f": {o.schema_paths:,} schema path{'s' if o.schema_paths != 1 else ''} changed"
            if others > 0:
                text += f", {others:,} other field{'s' if others != 1 else ''}"
        return text
    if o.rolls:
        text += "  (pods will roll)"
    return text


def field_lines(o: ObjectChange, limit: int) -> list[Line]:
    lines: list[Line] = []
    for attr in o.changes[:limit]:
        path = attr.path or "(object)"
        text_diff = multiline_diff(attr.before, attr.after)
        if text_diff is None:
            symbol = attr_symbol(attr.before, attr.after)
            lines.append((symbol, f"{symbol} {path}: {change_text(attr.before, attr.after)}"))
            continue
        lines.append(("~", f"~ {path}:"))
        # a unified diff line: its own symbol first, then the text ("ctx" for context and hunk lines)
        for d in text_diff:
            lines.append((d[:1] if d[:1] in ("+", "-") else "ctx", f"{d[:1] or ' '}   {d[1:]}"))
    if len(o.changes) > limit:
        lines.append(("dim", f"… and {len(o.changes) - limit:,} more fields"))
    return lines


def object_lines(objects: ReleaseObjects, *, detail: bool, max_objects: int, max_fields: int) -> list[
    tuple[str, str, int]
]:
    """(kind, text, depth) lines for one release: depth 0 = object or note, 1 = field of an object."""
    out: list[tuple[str, str, int]] = []
    if objects.note:
        out.append(("note", objects.note, 0))
    if objects.status in ("create", "delete"):
        out.append(("dim", kinds_text(objects), 0))
        if detail:
            shown = objects.objects[:max_objects]
            out.extend((OBJECT_SYMBOLS[o.action], object_title(o, detail=True), 0) for o in shown)
            if len(objects.objects) > max_objects:
                out.append(("dim", f"… and {len(objects.objects) - max_objects:,} more objects", 0))
        return out
    if objects.status != "diff":
        return out
    chart_line = objects.chart_line()
    if chart_line:
        out.append(("note", chart_line, 0))
        if detail:
            rolling = objects.rolling_for_chart_metadata
            if rolling:
                names = ", ".join(o.title for o in rolling[:max_objects])
                more = f", … {len(rolling) - max_objects:,} more" if len(rolling) > max_objects else ""
                out.append(("dim", f"rolling: {names}{more}", 1))
    listed = objects.listed
    for o in listed[:max_objects]:
        out.append((OBJECT_SYMBOLS.get(o.action, "~"), object_title(o, detail=detail), 0))
        if o.action == "update" and (detail or not o.is_crd):
            out.extend((kind, text, 1) for kind, text in field_lines(o, max_fields))
    if len(listed) > max_objects:
        rest = listed[max_objects:]
        tally = ", ".join(
            f"{n:,} {word}"
            for word, n in (
                ("added", sum(1 for o in rest if o.action == "create")),
                ("removed", sum(1 for o in rest if o.action == "delete")),
                ("changed", sum(1 for o in rest if o.action == "update")),
            )
            if n
        )
        out.append(("dim", f"… and {len(rest):,} more objects ({tally})", 0))
    if not listed and not chart_line:
        out.append(("dim", "no object changes", 0))
    return out


def counts_cell(objects: ReleaseObjects | None) -> str:
    """The Helm table's Objects cell: `+2 ~5 -1`, `known after apply`, `—` when the plan has none."""
    if objects is None:
        return "—"
    return objects.counts_text()


def locked_version_text(version: str) -> str:
    return f"{version} (charts.lock)"

