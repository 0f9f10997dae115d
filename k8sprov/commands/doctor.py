"""doctor: check everything a first plan needs, for every environment at once, each item with its fix."""

from __future__ import annotations

from typing import Annotated

import typer

from k8sprov.completion import env_names
from k8sprov.context import AppContext


def register(app: typer.Typer) -> None:
    @app.command("doctor")
    def doctor(
        ctx: typer.Context,
        env: Annotated[list[str] | None, typer.Option(
            "--env", "-e", metavar="ENV", show_default=False, autocompletion=env_names,
            help="Check this environment (repeatable; default: all of them).")] = None,
        offline: Annotated[bool, typer.Option(
            "--offline", help="Skip every network item (API server, Talos, pg, registry).")] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output (for CI).")] = False,
        timeout: Annotated[float, typer.Option(
            "--timeout", min=0.1, metavar="SECONDS", help="Per network item.")] = 3.0,
    ) -> None:
        """Check project, Terraform, providers, charts, cluster connection and backend; exit 1 on any ✘."""
        from k8sprov import doctor as library

        app = ctx.obj
        assert isinstance(app, AppContext)
        report = library.run(app.project, list(dict.fromkeys(env or [])),
                             terraform_request=app.terraform_request(), offline=offline, timeout=timeout,
                             helm_request=app.helm_request())
        if as_json:
            import json

            typer.echo(json.dumps(report.as_dict(), indent=2))
        else:
            _render(app, report)
        if report.failed:
            raise typer.Exit(1)


def _render(app: AppContext, report: object) -> None:
    from rich.markup import escape
    from rich.table import Table

    from k8sprov.doctor import FAIL, MARKS, OK, Report

    assert isinstance(report, Report)
    console = app.console
    style = {OK: "green", FAIL: "bold red"}
    for checklist in report.checklists:
        console.print(f"[bold]{escape(checklist.title)}[/]", soft_wrap=True)
        table = Table(box=None, show_header=False, padding=(0, 1), pad_edge=False)
        table.add_column(width=2)
        table.add_column(no_wrap=True)
        table.add_column(overflow="fold")
        for item in checklist.items:
            mark = MARKS[item.status]
            text = escape(item.message) + (f"\n[dim]fix:[/] {escape(item.fix)}" if item.fix else "")
            table.add_row(f"[{style.get(item.status, 'dim')}]{mark}[/]", escape(item.name), text)
        console.print(table)
    counts = report.counts()
    console.print(f"{counts[OK]} ok, {counts[FAIL]} failed, {counts['skip']} skipped", soft_wrap=True)
