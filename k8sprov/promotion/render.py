"""Renderers for `diff` and `promote`: rich tables for the terminal, JSON for tools, Markdown for a PR.

Pure functions of the Comparison / Promotion: secrets were masked when those were built, and nothing here
reads a file or prints a value the model does not hold.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from k8sprov.promotion.compare import ChartRow, Comparison, ValuesRow

if TYPE_CHECKING:
    from rich.console import Console

    from k8sprov.promotion.promote import Promotion

UNSET = "—"


def _v(value: Any) -> str:
    if value is None:
        return UNSET
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True)


def _sha(sha: str | None) -> str:
    return f"sha256:{sha[:12]}" if sha else "not locked"


def _chart_cell(version: str | None, sha: str | None) -> str:
    return UNSET if version is None else f"{version} ({_sha(sha)})"


def _status(same: bool) -> str:
    return "same" if same else "differs"


def _chart_status(row: ChartRow, c: Comparison) -> str:
    # Only the unusual direction is marked: B ahead of A, so promoting A to B would move B back.
    return f"differs ({c.b.name} newer)" if row.downgrade else _status(row.same)


def _downgrades(c: Comparison) -> str | None:
    """One line naming what `promote --from A --to B` would move back, if anything."""
    rows = [r for r in c.charts if r.downgrade]
    if not rows:
        return None
    moves = ", ".join(f"{r.chart} {r.b} → {r.a}" for r in rows)
    return f"downgrade: promote --from {c.a.name} --to {c.b.name} would move {c.b.name} back: {moves}"


# ---- JSON ---------------------------------------------------------------------------------------------


def comparison_json(c: Comparison) -> dict[str, Any]:
    def side(s: Any) -> dict[str, Any]:
        return {"name": s.name, "profile": s.profile, "environment": s.env.name if s.env else None}

    return {
        "a": side(c.a),
        "b": side(c.b),
        "compared": "deployed" if c.deployed else "pins",
        "equal": c.equal,
        "charts": [
            {"chart": r.chart, "status": _status(r.same), "newer": r.newer, "downgrade": r.downgrade,
             "a": {"version": r.a, "sha256": r.a_sha256}, "b": {"version": r.b, "sha256": r.b_sha256}}
            for r in c.charts
        ],
        "values": [
            {"chart": r.chart, "status": _status(r.same), "a_file": r.a_file, "b_file": r.b_file,
             "note": r.note, "changes": [{"path": ch.path, "a": ch.a, "b": ch.b} for ch in r.changes]}
            for r in c.values
        ],
        "env": [
            {"variable": r.variable, "a": r.a if r.a_set else None, "b": r.b if r.b_set else None,
             "a_set": r.a_set, "b_set": r.b_set, "sensitive": r.sensitive}
            for r in c.env
        ],
        "env_note": c.env_note,
    }


# ---- Markdown -----------------------------------------------------------------------------------------


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _values_md(rows: list[ValuesRow], a: str, b: str) -> list[str]:
    out: list[str] = []
    for row in rows:
        if row.same and not row.note:
            continue
        out.append(f"**{row.chart}**" + (f" — {_md(row.note)}" if row.note else ""))
        if row.changes:
            out += ["", f"| key | {a} | {b} |", "|---|---|---|"]
            out += [f"| `{_md(ch.path)}` | {_md(_v(ch.a))} | {_md(_v(ch.b))} |" for ch in row.changes]
        out.append("")
    return out


def comparison_markdown(c: Comparison) -> str:
    a, b = c.a.name, c.b.name
    what = "deployed releases" if c.deployed else "chart pins"
    out = [f"### k8sprov diff: `{a}` ↔ `{b}`", "",
           f"{c.a.describe()} vs {c.b.describe()} — " + ("**equal**" if c.equal else "**differ**"), "",
           f"#### Charts ({what})", "", f"| chart | {a} | {b} | |", "|---|---|---|---|"]
    out += [f"| {r.chart} | {_chart_cell(r.a, r.a_sha256)} | {_chart_cell(r.b, r.b_sha256)}"
            f" | {_chart_status(r, c)} |" for r in c.charts]
    downgrades = _downgrades(c)
    if downgrades:
        out += ["", f"**{_md(downgrades)}**"]
    out += ["", "#### Values files", ""]
    values = _values_md(c.values, a, b)
    out += values or ["same for every chart", ""]
    out += ["#### Env files", ""]
    if c.env_note:
        out += [c.env_note, ""]
    elif not c.env:
        out += ["same", ""]
    else:
        out += [f"| variable | {a} | {b} |", "|---|---|---|"]
        out += [f"| `{_md(r.variable)}` | {_md(_v(r.a) if r.a_set else 'unset')} |"
                f" {_md(_v(r.b) if r.b_set else 'unset')} |" for r in c.env]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


# ---- rich ---------------------------------------------------------------------------------------------


def _table(console: Console, *columns: str) -> Any:
    from rich.table import Column, Table

    # Keys and values fold instead of ending in "…": a cut key path is a wrong key path.
    return Table(*(Column(c, overflow="fold") for c in columns), box=None, pad_edge=False, show_edge=False)


def _values_rich(console: Console, rows: list[ValuesRow], a: str, b: str) -> bool:
    shown = False
    for row in rows:
        if row.same and not row.note:
            continue
        shown = True
        console.print(f"  {row.chart}" + (f": {row.note}" if row.note else ""), markup=False, soft_wrap=True)
        if row.changes:
            table = _table(console, "    key", a, b)
            for ch in row.changes:
                table.add_row(f"    {ch.path}", _v(ch.a), _v(ch.b))
            console.print(table)
    return shown


def print_comparison(console: Console, c: Comparison) -> None:
    a, b = c.a.name, c.b.name
    console.print(f"{c.a.describe()}  vs  {c.b.describe()}", markup=False, soft_wrap=True)
    console.print("")
    console.print("deployed releases (from state)" if c.deployed else "chart pins", markup=False)
    table = _table(console, "  chart", a, b, "")
    for r in c.charts:
        table.add_row(f"  {r.chart}", _chart_cell(r.a, r.a_sha256), _chart_cell(r.b, r.b_sha256),
                      _chart_status(r, c))
    console.print(table)
    downgrades = _downgrades(c)
    if downgrades:
        console.print(f"  {downgrades}", markup=False, soft_wrap=True, style="bold red")
    console.print("")
    console.print("values files", markup=False)
    if not _values_rich(console, c.values, a, b):
        console.print("  same for every chart", markup=False)
    console.print("")
    console.print("env files", markup=False)
    if c.env_note:
        console.print(f"  {c.env_note}", markup=False, soft_wrap=True)
    elif not c.env:
        console.print("  same", markup=False)
    else:
        table = _table(console, "  variable", a, b)
        for e in c.env:
            table.add_row(f"  {e.variable}", _v(e.a) if e.a_set else "unset", _v(e.b) if e.b_set else "unset")
        console.print(table)
    console.print("")
    console.print(f"{a} and {b} are " + ("equal" if c.equal else "different"), markup=False)


def print_promotion(console: Console, p: Promotion) -> None:
    src, tgt = p.source, p.target
    head = f"promote {src.describe()} -> {tgt.describe()}"
    console.print(head + (" (dry run: nothing written)" if p.dry_run else ""), markup=False, soft_wrap=True)
    for ch in p.changes:
        console.print(f"  {ch.chart}: {ch.before} -> {ch.after}" + ("  (downgrade)" if ch.downgrade else ""),
                      markup=False)
    console.print("")
    console.print(p.diff.rstrip("\n"), markup=False, soft_wrap=True, highlight=False)
    console.print("")
    console.print(f"values {src.profile} -> {tgt.profile} for the promoted charts (stay per profile; "
                  f"{tgt.profile} does not get {src.profile}'s values):", markup=False, soft_wrap=True)
    if not _values_rich(console, p.values, src.profile, tgt.profile):
        console.print("  same", markup=False)
    console.print("")
    if p.written:
        console.print(f"wrote terraform/modules/provision_k8s/versions.tf; vendored {len(p.vendored)} chart"
                      f"(s) for profile {tgt.profile} into charts/ (charts/charts.lock updated)",
                      markup=False, soft_wrap=True)
    verb = "would remove" if p.dry_run else "removed"
    for name in p.unpinned:
        console.print(f"{verb} charts/{name} (no profile pins it any more)", markup=False, soft_wrap=True)
    console.print(f"next: {p.next_command}", markup=False, soft_wrap=True)
