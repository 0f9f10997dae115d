"""The pull-request comment (`report --markdown`): totals per environment, destructive changes, details.

It stays under GitHub's 65,536-character limit for a comment: when the whole would not fit, details are
left out environment by environment (those without destructive changes or failures first, from the end),
and the comment says which and where the full report is. The first line is a hidden marker, so a CI step
can find its own comment and update it instead of adding another.
"""

from __future__ import annotations

import html

from k8sprov.report.model import COLUMNS, EnvEntry, FleetReport

MARKER = "<!-- k8sprov-report -->"
LIMIT = 65_000  # GitHub's limit is 65,536; the rest is room for what a CI step adds around it
_ESCAPES = str.maketrans({"|": "&#124;", "*": "&#42;", "`": "&#96;", "[": "&#91;", "]": "&#93;",
                          "\n": " ", "\r": " "})


def cell(text: object) -> str:
    """Text safe in a Markdown table cell and in inline HTML: no markup, no column break, one line."""
    return html.escape("" if text is None else str(text), quote=True).translate(_ESCAPES)


def code(text: object) -> str:
    return f"<code>{cell(text)}</code>"


def counts_phrase(e: EnvEntry) -> str:
    if e.failed:
        return f"plan failed: {e.error or 'no reason recorded'}"
    parts = [f"{e.count(k)} to {k}" for k in COLUMNS if e.count(k)]
    if e.drift_total or e.count("drift"):
        parts.append(f"{max(e.drift_total, e.count('drift'))} drifted")
    return ", ".join(parts) if parts else "no changes"


def _status(e: EnvEntry) -> str:
    if e.failed:
        return "❌ failed"
    if e.destructive_total:
        return "⚠️ destroys"
    return "changes" if e.has_changes else "✅ no changes"


def _head(report: FleetReport) -> list[str]:
    n = len(report.entries)
    lines = [MARKER, f"## k8sprov plans: {n} environment{'s' if n != 1 else ''}", ""]
    facts = [f"**{len(report.with_changes)} with changes**",
             f"{n - len(report.with_changes) - len(report.failed)} without"]
    if report.failed:
        facts.append(f"**{len(report.failed)} failed**")
    if report.destructive_total:
        facts.append(f"**{report.destructive_total} destructive**")
    lines += [" · ".join(facts), ""]
    lines.append("| environment | profile | " + " | ".join(COLUMNS) + " | drift | status |")
    lines.append("|---|---|" + "---:|" * (len(COLUMNS) + 1) + "---|")
    for e in report.entries:
        numbers = [str(e.count(k)) for k in COLUMNS] + [str(max(e.drift_total, e.count("drift")))]
        lines.append(f"| {cell(e.title)} | {cell(e.profile or '')} | " + " | ".join(numbers)
                     + f" | {_status(e)} |")
    totals = report.totals()
    drift = sum(max(e.drift_total, e.count("drift")) for e in report.entries)
    lines.append("| **total** | | " + " | ".join(f"**{totals.get(k, 0)}**" for k in COLUMNS)
                 + f" | **{drift}** | |")
    lines.append("")
    return lines


def _destructive(report: FleetReport, budget: int) -> list[str]:
    if not report.destructive_total:
        return []
    lines = [f"### ⚠️ Destructive changes ({report.destructive_total})", "",
             "| environment | address | action | reason |", "|---|---|---|---|"]
    used = sum(len(line) + 1 for line in lines)
    shown = 0
    for e in report.entries:
        for d in e.destructive:
            row = (f"| {cell(e.title)} | {code(d['address'])} | {cell(d['action'])} | "
                   f"{cell(d['reason'] or '')} |")
            if used + len(row) + 1 > budget:
                break
            lines.append(row)
            used += len(row) + 1
            shown += 1
    if shown < report.destructive_total:
        lines.append(f"| … | {report.destructive_total - shown} more (see the full report) | | |")
    lines.append("")
    return lines


def _failures(report: FleetReport) -> list[str]:
    if not report.failed:
        return []
    lines = [f"### ❌ Failed plans ({len(report.failed)})", ""]
    lines += [f"- **{cell(e.title)}**: {cell(e.error or 'no reason recorded')}" for e in report.failed]
    return [*lines, ""]


def _version(r: dict[str, object]) -> str:
    before, after = r.get("version_before"), r.get("version_after")
    if before and after and before != after:
        return f"{cell(before)} → **{cell(after)}**"
    if after and not before:
        return f"new: **{cell(after)}**"
    if before and not after:
        return f"{cell(before)} → removed"
    return cell(after or before or "")


def _details(e: EnvEntry) -> str:
    lines = [f"<details><summary><b>{cell(e.title)}</b>: {cell(counts_phrase(e))}</summary>", ""]
    if not e.detailed:
        lines += ["Counts only (from a `plan --all --json` document).", ""]
    if e.modules:
        lines += ["**Changes by module**", "", "| module | " + " | ".join(COLUMNS) + " | other |",
                  "|---|" + "---:|" * (len(COLUMNS) + 1)]
        for module, by_action in e.modules.items():
            other = sum(v for k, v in by_action.items() if k not in COLUMNS)
            lines.append(f"| {code(module)} | " + " | ".join(str(by_action.get(k, 0)) for k in COLUMNS)
                         + f" | {other} |")
        lines.append("")
    changed = [r for r in e.releases if r["action"] != "no-op"]
    if changed:
        lines += ["**Helm releases**", "", "| release | namespace | chart | version | action |",
                  "|---|---|---|---|---|"]
        for r in changed:
            lines.append(f"| {cell(r['name'])} | {cell(r['namespace'] or '')} | {cell(r['chart'] or '')} | "
                         f"{_version(r)} | {cell(r['action'])} |")
        lines.append("")
    unchanged = [r for r in e.releases if r["action"] == "no-op"]
    if unchanged:
        lines += ["**Unchanged releases**: " + ", ".join(f"{cell(r['name'])} {cell(r['version_after'] or '')}"
                                                        for r in unchanged), ""]
    if e.namespaces:
        lines += ["**Namespaces**: " + ", ".join(f"{code(n['name'])} ({cell(n['action'])})"
                                                 for n in e.namespaces), ""]
    if e.drift:
        lines += [f"**Drift** (changed outside Terraform, {e.drift_total}): "
                  + ", ".join(f"{code(d['address'])} ({cell(d['action'])})" for d in e.drift), ""]
    if e.omitted:
        lines += ["Left out of this summary: " + ", ".join(f"{n} {k}" for k, n in sorted(e.omitted.items())),
                  ""]
    lines += ["</details>", ""]
    return "\n".join(lines)


def to_markdown(report: FleetReport, *, limit: int = LIMIT) -> str:
    head = "\n".join(_head(report)) + "\n"
    failures = "\n".join(_failures(report))
    # the destructive table may use half of what the totals leave; details are trimmed before it
    destructive = "\n".join(_destructive(report, (limit - len(head) - len(failures)) // 2))
    details = {e.title: _details(e) for e in report.entries}
    skipped = ""
    if report.skipped:
        skipped = (f"<sub>Skipped {len(report.skipped)} file(s) that are not plan summaries: "
                   + ", ".join(code(s.path) for s in report.skipped[:20])
                   + (" …" if len(report.skipped) > 20 else "") + "</sub>\n")
    left_out: list[str] = []
    # who loses details first: no destructive change and no failure, then the rest; from the end each time
    order = sorted(reversed(report.entries), key=lambda e: bool(e.destructive_total or e.failed))

    def compose() -> str:
        body = [head, failures, destructive, "### Details\n\n"]
        gone = set(left_out)
        body += [details[e.title] for e in report.entries if e.title not in gone]
        if left_out:
            names = ", ".join(cell(n) for n in left_out[:30]) + (" …" if len(left_out) > 30 else "")
            body.append(f"> **Details of {len(left_out)} environment(s) left out** ({names}) to stay under "
                        "GitHub's 65,536-character comment limit. The full report is this job's JSON or HTML "
                        "artefact (`k8sprov report --json FILE --html FILE`).\n")
        body.append(skipped)
        return "\n".join(part for part in body if part)

    text = compose()
    excess = len(text) - limit
    for e in order:  # first by the sizes of the blocks, then exactly (the note grows with each name)
        if excess <= 0:
            break
        left_out.append(e.title)
        excess -= len(details[e.title]) + 1
    text = compose()
    while len(text) > limit and len(left_out) < len(order):
        left_out.append(order[len(left_out)].title)
        text = compose()
    if len(text) > limit:  # thousands of environments: even the totals do not fit
        note = ("\n\n> **Cut here** to stay under GitHub's 65,536-character comment limit; the full report "
                "is this job's JSON or HTML artefact.\n")
        text = text[: limit - len(note)].rsplit("\n", 1)[0] + note
    return text
