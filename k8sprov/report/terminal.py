"""The terminal view of `report`: one row per environment, then the totals."""

from __future__ import annotations

from typing import TYPE_CHECKING

from k8sprov.report.model import COLUMNS, FleetReport

if TYPE_CHECKING:
    from rich.console import Console


def print_table(report: FleetReport, console: Console) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table("environment", "profile", *COLUMNS, "drift", "status", box=None)
    for e in report.entries:
        status = f"failed: {e.error}" if e.failed else e.status
        if e.destructive_total and not e.failed:
            status += f" ({e.destructive_total} destructive)"
        table.add_row(Text(e.title), Text(e.profile or ""), *(str(e.count(k)) for k in COLUMNS),
                      str(max(e.drift_total, e.count("drift"))), Text(status))
    totals = report.totals()
    table.add_row("total", "", *(str(totals.get(k, 0)) for k in COLUMNS), "", "")
    console.print(table)
    console.print(f"{len(report.entries)} environments: {len(report.with_changes)} with changes, "
                  f"{len(report.failed)} failed, {report.destructive_total} destructive changes",
                  markup=False, highlight=False)
