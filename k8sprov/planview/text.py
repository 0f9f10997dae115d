"""Wording shared by the renderers: value formatting, reasons, symbols, the counts line. No rich here."""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from k8sprov.planview.model import ACTIONS, AttrChange, Mark, PlanSummary, ResourceChange

SYMBOLS: dict[str, str] = {
    "create": "+",
    "update": "~",
    "replace": "-/+",
    "delete": "-",
    "read": "<=",
    "no-op": " ",
    "forget": ".",
}

VERBS: dict[str, str] = {
    "create": "create",
    "update": "update in place",
    "replace": "replace",
    "delete": "destroy",
    "read": "read",
    "no-op": "no change",
    "forget": "forget (remove from state, keep the object)",
}

COUNT_WORDS: dict[str, str] = {
    "create": "to add",
    "update": "to change",
    "replace": "to replace",
    "delete": "to destroy",
    "import": "to import",
    "read": "to read",
    "forget": "to forget",
    "moves": "moved",
    "drift": "drifted",
}

STYLES: dict[str, str] = {
    "create": "green",
    "update": "yellow",
    "replace": "bold red",
    "delete": "bold red",
    "read": "cyan",
    "forget": "magenta",
    "import": "cyan",
    "moves": "blue",
    "drift": "magenta",
    "no-op": "dim",
}

REASONS: dict[str, str] = {
    "replace_because_tainted": "tainted",
    "replace_because_cannot_update": "an attribute that forces replacement changed",
    "replace_by_request": "replacement requested (-replace)",
    "replace_by_triggers": "replace_triggered_by",
    "delete_because_no_resource_config": "no longer in the configuration",
    "delete_because_wrong_repetition": "count/for_each changed",
    "delete_because_count_index": "count index out of range",
    "delete_because_each_key": "for_each key removed",
    "delete_because_no_module": "its module is no longer in the configuration",
    "delete_because_no_move_target": "moved to an address not in the configuration",
    "read_because_config_unknown": "its configuration is known only after apply",
    "read_because_dependency_pending": "a dependency has pending changes",
    "read_because_check_nested": "read by a check block",
}

MAX_VALUE = 120


def value_text(value: Any, limit: int = MAX_VALUE) -> str:
    """One line for a value: strings quoted like HCL, structures as compact JSON, long text cut."""
    if isinstance(value, Mark):
        return value.value
    if isinstance(value, str):
        lines = value.count("\n")
        text = json.dumps(value.split("\n", 1)[0] if lines else value, ensure_ascii=False)
        if lines:
            text += f" (+{lines} more line{'s' if lines > 1 else ''})"
    elif value is None:
        text = "null"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float):
        text = str(value)
    else:
        text = json.dumps(_plain(value), ensure_ascii=False, sort_keys=True, separators=(", ", ": "))
    if len(text) > limit:
        text = f"{text[: limit - 1]}… ({len(text)} chars)"
    return text


def _plain(value: Any) -> Any:
    if isinstance(value, Mark):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def change_text(before: Any, after: Any, limit: int = MAX_VALUE) -> str:
    """`a → b`, `+ b` or `- a`."""
    if before is Mark.ABSENT:
        return value_text(after, limit)
    if after is Mark.ABSENT:
        return value_text(before, limit)
    return f"{value_text(before, limit)} → {value_text(after, limit)}"


def attr_symbol(before: Any, after: Any) -> str:
    if before is Mark.ABSENT:
        return "+"
    if after is Mark.ABSENT:
        return "-"
    return "~"


def reason_text(change: ResourceChange) -> str:
    parts: list[str] = []
    if change.replace_paths:
        paths = ", ".join(change.replace_paths)
        parts.append(f"{paths} force{'s' if len(change.replace_paths) == 1 else ''} replacement")
        if change.reason and change.reason != "replace_because_cannot_update":
            parts.append(REASONS.get(change.reason, change.reason.replace("_", " ")))
    elif change.reason:
        parts.append(REASONS.get(change.reason, change.reason.replace("_", " ")))
    if change.deposed:
        parts.append(f"deposed object {change.deposed}")
    if change.moved:
        parts.append(f"moved from {change.previous_address}")
    if change.importing:
        parts.append(f"import {change.import_id}" if change.import_id else "import")
    return "; ".join(parts)


def counts_parts(summary: PlanSummary) -> list[tuple[str, int, str]]:
    """(key, number, words) for the counts line: the big four always, the rest when non-zero."""
    counts = summary.counts
    parts: list[tuple[str, int, str]] = []
    for key in ("create", "update", "replace", "delete"):
        parts.append((key, counts.get(key, 0), COUNT_WORDS[key]))
    for key in ("import", "read", "forget", "moves", "drift"):
        if counts.get(key, 0):
            parts.append((key, counts[key], COUNT_WORDS[key]))
    for key, number in counts.items():  # unknown action combinations
        if key not in ACTIONS and key not in COUNT_WORDS and number:
            parts.append((key, number, key))
    return parts


def counts_line(summary: PlanSummary) -> str:
    text = ", ".join(f"{n:,} {words}" for _, n, words in counts_parts(summary))
    outputs = len(summary.output_changes)
    if outputs:
        text += f"; {outputs:,} output change{'s' if outputs != 1 else ''}"
    return text


def module_label(module: str | None) -> str:
    return module or "root module"


def age_text(created_at: datetime, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    if created_at.tzinfo is None:
        created_at = created_at.replace(tzinfo=UTC)
    seconds = int((now - created_at).total_seconds())
    if seconds < 0:
        return "in the future"
    if seconds < 60:
        return "just now"
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    return "just now"  # pragma: no cover


def created_text(created_at: datetime, now: datetime | None = None) -> str:
    stamp = created_at if created_at.tzinfo else created_at.replace(tzinfo=UTC)
    return f"{stamp.astimezone(UTC):%Y-%m-%d %H:%M} UTC ({age_text(created_at, now)})"


def natural_key(change: ResourceChange) -> tuple[Any, ...]:
    """Address order with numeric indexes in number order (r[2] before r[10]), deposed objects last."""
    index = change.index
    if isinstance(index, int) and not isinstance(index, bool):
        idx: tuple[int, Any] = (0, index)
    elif index is None:
        idx = (-1, 0)
    else:
        idx = (1, str(index))
    return (change.mode != "managed", change.type, change.name, idx, change.address, change.deposed or "")


def group_by_module(
    changes: tuple[ResourceChange, ...] | list[ResourceChange],
) -> dict[str | None, list[ResourceChange]]:
    """Root first, then modules in address order; each group in natural address order."""
    groups: dict[str | None, list[ResourceChange]] = {}
    for change in changes:
        groups.setdefault(change.module, []).append(change)
    for members in groups.values():
        members.sort(key=natural_key)
    return dict(sorted(groups.items(), key=lambda kv: (kv[0] is not None, kv[0] or "")))


def by_resource(changes: list[ResourceChange], top: int = 5) -> str:
    """`null_resource.r ×9,980 (9,980 to add), …`: what a collapsed tail is made of, biggest first."""
    groups: dict[str, list[ResourceChange]] = {}
    for c in changes:
        key = f"{'data.' if c.mode == 'data' else ''}{c.type}.{c.name}"
        groups.setdefault(key, []).append(c)
    ranked = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    parts = [f"{name} ×{len(members):,} ({action_breakdown(members)})" for name, members in ranked[:top]]
    if len(ranked) > top:
        parts.append(f"{len(ranked) - top:,} more resources")
    return ", ".join(parts)


def action_breakdown(changes: list[ResourceChange]) -> str:
    """`2 to add, 1 to destroy` in the fixed action order."""
    tally: dict[str, int] = {}
    for c in changes:
        tally[c.action] = tally.get(c.action, 0) + 1
    order = {a: i for i, a in enumerate(ACTIONS)}
    items = sorted(tally.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
    return ", ".join(f"{n:,} {COUNT_WORDS.get(a, a)}" for a, n in items)


_SET_ATTRS = ("set", "set_list", "set_sensitive")


def helm_set_changes(change: ResourceChange) -> tuple[AttrChange, ...]:
    """The `set`, `set_list` and `set_sensitive` entries of a helm_release change (empty lists left out)."""
    return tuple(
        a
        for a in change.attributes
        if a.path.split("[", 1)[0] in _SET_ATTRS
        and not (a.path in _SET_ATTRS and a.after == [] and a.before in (Mark.ABSENT, []))
    )


MULTILINE_DIFF_LINES = 40


def multiline_diff(before: Any, after: Any, limit: int = MULTILINE_DIFF_LINES) -> list[str] | None:
    """A short unified diff when both sides are multi-line strings (manifests, YAML bodies), else None."""
    if not (isinstance(before, str) and isinstance(after, str) and ("\n" in before or "\n" in after)):
        return None
    lines = [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=1)
        if not line.startswith(("---", "+++"))
    ]
    if len(lines) > limit:
        lines = [*lines[:limit], f"… {len(lines) - limit:,} more diff lines"]
    return lines
