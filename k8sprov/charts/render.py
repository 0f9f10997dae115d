"""What the chart commands print: progress (rich bars on a terminal, plain lines otherwise) and tables."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from k8sprov.charts.model import ChartResult, Outcome, Pin

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

    from k8sprov.charts.catalog import Catalog
    from k8sprov.charts.vendor import VendorReport

_STYLE = {
    Outcome.DOWNLOADED: "green",
    Outcome.VERIFIED: "cyan",
    Outcome.SKIPPED: "dim",
    Outcome.FAILED: "bold red",
}


def human_size(size: int | None) -> str:
    if size is None:
        return "-"
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


class PlainReporter:
    """One line per chart that needed work, for logs and CI (skipped charts stay quiet)."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._lock = threading.Lock()

    def start(self, pins: list[Pin], downloads: int) -> None:
        pass

    def progress(self, pin: Pin, done: int, total: int | None) -> None:
        pass

    def finished(self, result: ChartResult) -> None:
        if result.outcome is Outcome.SKIPPED:
            return
        pin = result.pin
        if result.outcome is Outcome.FAILED:
            line = f"failed      {pin.name} {pin.version}: {result.error}"
        else:
            entry = result.entry
            assert entry is not None
            size, short = human_size(entry.size), entry.sha256[:12]
            signed = f", signed by {entry.signer[-16:]}" if entry.signer else ""
            line = f"{result.outcome.value:<11} {pin.name} {pin.version} ({size}, sha256 {short}{signed})"
        with self._lock:
            self.console.print(line, markup=False, highlight=False, soft_wrap=True)

    def stop(self) -> None:
        pass


class RichReporter(PlainReporter):
    """Bytes per chart and overall, on a terminal."""

    def __init__(self, console: Console) -> None:
        super().__init__(console)
        self._progress: Progress | None = None
        self._tasks: dict[Pin, TaskID] = {}
        self._overall: TaskID | None = None
        self._sizes: dict[Pin, int] = {}
        self._done: dict[Pin, int] = {}

    def start(self, pins: list[Pin], downloads: int) -> None:
        if not downloads:
            return
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        self._progress = Progress(
            TextColumn("{task.description:<36}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=self.console,
            transient=False,
        )
        self._overall = self._progress.add_task("all charts", total=None)
        self._progress.start()

    def progress(self, pin: Pin, done: int, total: int | None) -> None:
        progress = self._progress
        if progress is None:
            return
        with self._lock:
            if pin not in self._tasks:
                self._tasks[pin] = progress.add_task(f"{pin.name} {pin.version}", total=total)
            if total is not None:
                self._sizes[pin] = total
            self._done[pin] = done
            progress.update(self._tasks[pin], completed=done, total=total)
            if self._overall is not None:
                known = sum(self._sizes.values())
                progress.update(self._overall, completed=sum(self._done.values()), total=known or None)

    def finished(self, result: ChartResult) -> None:
        if self._progress is None:
            super().finished(result)
            return
        with self._lock:
            task = self._tasks.get(result.pin)
            if task is not None:
                status = result.outcome.value
                self._progress.update(task, description=f"{result.pin.name} {result.pin.version} {status}")
        if result.outcome is Outcome.FAILED:
            self._progress.console.print(
                f"failed {result.pin.name} {result.pin.version}: {result.error}",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def reporter_for(console: Console) -> PlainReporter:
    from k8sprov.terminal import is_plain

    return PlainReporter(console) if is_plain(console) else RichReporter(console)


def results_table(report: VendorReport) -> Any:
    from rich.table import Table

    table = Table(box=None, pad_edge=False, header_style="bold")
    for column, justify in (
        ("chart", "left"),
        ("version", "left"),
        ("profiles", "left"),
        ("size", "right"),
        ("sha256", "left"),
        ("outcome", "left"),
    ):
        table.add_column(column, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for result in report.results:
        entry = result.entry
        table.add_row(
            result.pin.name,
            result.pin.version,
            ",".join(result.pin.profiles),
            human_size(entry.size) if entry else "-",
            entry.sha256[:12] if entry else "-",
            f"[{_STYLE[result.outcome]}]{result.outcome.value}[/]",
        )
    return table


def summary_line(report: VendorReport) -> str:
    counts = {o: sum(1 for r in report.results if r.outcome is o) for o in Outcome}
    parts = [f"{counts[o]} {o.value}" for o in Outcome if counts[o]]
    if report.pruned:
        parts.append(f"{len(report.pruned)} pruned")
    return (
        f"{len(report.results)} charts: "
        + ", ".join(parts or ["nothing to do"])
        + f"; lock {report.lock_file.name}; {report.requests} requests in {report.seconds:.2f}s"
    )


def catalog_rows(catalog: Catalog, latest: dict[str, str | None] | None,
                 signers: dict[tuple[str, str], str | None] | None = None) -> list[dict[str, Any]]:
    """Pure: one row per chart with its version per profile, drift, who signs it (`signers`: the lock's
    signer per (chart, version)) and (optionally) the newest stable."""
    from k8sprov.charts.versions import parse

    rows = []
    for key, spec in catalog.charts.items():
        versions = {p: catalog.versions[p].get(key) for p in catalog.profiles}
        pinned = sorted({v for v in versions.values() if v}, key=lambda v: parse(v) or (0, 0, 0, ()))
        row: dict[str, Any] = {
            "name": spec.chart,
            "key": key,
            "repository": spec.repository,
            "oci": spec.oci,
            "namespace": spec.namespace,
            "order": spec.order,
            "versions": versions,
            "drift": len(pinned) > 1,
            "signed_by": spec.signed_by,
            "signature": _signature(spec.chart, spec.signed_by, pinned, signers or {}),
        }
        if latest is not None:
            newest = latest.get(key)
            row["latest"] = newest
            newest_key = parse(newest) if newest else None
            row["outdated"] = sorted(
                p
                for p, v in versions.items()
                if v and newest_key is not None and (parse(v) or (0, 0, 0, ())) < newest_key
            )
        rows.append(row)
    return rows


def catalog_table(catalog: Catalog, rows: list[dict[str, Any]], with_latest: bool) -> Any:
    from rich.markup import escape
    from rich.table import Table

    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("chart", overflow="fold")
    for profile in catalog.profiles:
        table.add_column(profile)
    if with_latest:
        table.add_column("latest")
    table.add_column("drift")
    table.add_column("signature")
    for row in rows:
        versions: dict[str, str | None] = row["versions"]
        present = [v for v in versions.values() if v]
        common = max(set(present), key=present.count) if present else None
        cells = []
        for profile in catalog.profiles:
            version = versions[profile]
            text = escape(version) if version else "-"
            if row["drift"] and version and version != common:
                text = f"[yellow]{text}*[/]"
            elif with_latest and profile in row.get("outdated", []):
                text = f"[magenta]{text}[/]"
            cells.append(text)
        if with_latest:
            cells.append(escape(row["latest"] or "?"))
        cells.append("[yellow]drift[/]" if row["drift"] else "")
        cells.append(_signature_cell(row))
        table.add_row(escape(row["name"]), *cells)
    return table


def print_table(console: Console, table: Any) -> None:
    """Logs are not terminals: never truncate or fold a chart name there, whatever COLUMNS says."""
    if console.is_terminal:
        console.print(table)
        return
    width = console.width
    console.width = max(width, 160)
    try:
        console.print(table)
    finally:
        console.width = width


def _signature(chart: str, signed_by: str | None, versions: list[str],
               signers: dict[tuple[str, str], str | None]) -> str:
    if signed_by is None:
        return "unsigned"
    if versions and all(signers.get((chart, v)) == signed_by for v in versions):
        return "verified"
    return "not verified yet"


def _signature_cell(row: dict[str, Any]) -> str:
    if row["signed_by"] is None:
        return "[dim]unsigned[/]"
    who = f"signed by {row['signed_by'][-16:]}"
    return who if row["signature"] == "verified" else f"[yellow]{who}: not verified yet[/]"
