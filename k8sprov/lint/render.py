"""Findings for people: one line each (`file:line: severity: path: message`), coloured on a terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from k8sprov.lint.model import Finding, Severity

if TYPE_CHECKING:
    from rich.console import Console

    from k8sprov.lint.run import LintReport


def finding_line(f: Finding) -> str:
    path = f"{f.path}: " if f.path else ""
    return f"{f.where}: {f.severity}: {path}{f.message}"


def summary_line(report: LintReport) -> str:
    def n(count: int, word: str) -> str:
        return f"{count} {word}{'' if count == 1 else 's'}"

    counts = f"{n(report.errors, 'error')}, {n(report.warnings, 'warning')}"
    return f"lint: {counts} in {n(len(report.files), 'file')}"


def print_report(report: LintReport, console: Console, *, summary: bool = True) -> None:
    from rich.markup import escape

    styles = {Severity.ERROR: "bold red", Severity.WARNING: "yellow"}
    for f in report.findings:
        if console.is_terminal:
            path = f"[bold]{escape(f.path)}[/]: " if f.path else ""
            console.print(f"[dim]{escape(f.where)}:[/] [{styles[f.severity]}]{f.severity}[/]: {path}"
                          f"{escape(f.message)}", soft_wrap=True, highlight=False)
        else:
            console.print(finding_line(f), markup=False, soft_wrap=True, highlight=False)
    if summary:
        console.print(summary_line(report), markup=False, soft_wrap=True, highlight=False)
