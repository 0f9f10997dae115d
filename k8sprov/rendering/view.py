"""The terminal view of a render report: objects by kind per release, findings one line each, and the
Pod Security level of every namespace beside the strictest level its pods meet."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from k8sprov.rendering.model import Severity
from k8sprov.rendering.report import RenderReport

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow"}


def print_report(report: RenderReport, console: Console) -> None:
    console.print(f"[bold]{escape(report.environment)}[/] (profile {escape(report.profile)}): "
                  f"Kubernetes {report.kube_version}, Helm {escape(report.helm)}", soft_wrap=True)
    for release in report.releases:
        state = "template failed" if release.failed else f"{release.objects} objects"
        note = ", cached" if release.cached else ""
        chart = escape(release.version if release.chart == release.name
                       else f"({release.chart} {release.version})")
        console.print(f"[bold]{escape(release.name)}[/] {chart} → namespace {escape(release.namespace)}: "
                      f"{state}{note}", soft_wrap=True)
        if release.kinds:
            table = Table("kind", "count", box=None, padding=(0, 1, 0, 2))
            for kind, count in release.kinds.items():
                table.add_row(escape(kind), str(count))
            console.print(table)
    print_findings(report, console)
    if report.namespaces:
        console.print("[bold]Pod Security[/] (the level each namespace enforces; the strictest level all"
                      " its pods meet)", soft_wrap=True)
        table = Table("namespace", "enforced", "pods meet", box=None, padding=(0, 1, 0, 2))
        for row in report.namespaces:
            measured = row.strictest or "(not measured)"
            weaker = row.strictest is not None and _rank(row.strictest) < _rank(row.enforced)
            table.add_row(escape(row.namespace), escape(row.enforced),
                          f"[bold red]{escape(measured)}[/]" if weaker else escape(measured))
        console.print(table)
    if not report.checks:
        console.print("only Helm's own template check ran: k8sprov.rendering.checks is not installed",
                      soft_wrap=True)
    console.print(f"{report.errors} error(s), {report.warnings} warning(s)", soft_wrap=True)


def print_findings(report: RenderReport, console: Console) -> None:
    for finding in report.findings:
        style = _STYLE.get(finding.severity, "")
        console.print(f"[{style}]{escape(finding.one_line())}[/]" if style else escape(finding.one_line()),
                      soft_wrap=True)


def _rank(level: str) -> int:
    return {"privileged": 0, "baseline": 1, "restricted": 2}.get(level, -1)
