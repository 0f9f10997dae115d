"""report: merge the per-environment plan summaries of a CI matrix into one comment, JSON and page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from k8sprov.context import AppContext
from k8sprov.errors import ExitCode, UsageError


def _check_target(path: Path) -> None:
    """Before anything is written: every output's folder exists (no half of the outputs on an error)."""
    if path.is_dir():
        raise UsageError(f"cannot write {path}: it is a folder", hint="give a file name")
    if not path.parent.is_dir():
        raise UsageError(f"cannot write {path}: the folder {path.parent} does not exist",
                         hint="create it first")


def register(app: typer.Typer) -> None:
    @app.command("report")
    def report(
        ctx: typer.Context,
        # strings, converted here: a list of Path makes Typer build a pydantic adapter (~0.2 s per run)
        paths: Annotated[list[str], typer.Argument(
            metavar="PATH", show_default=False,
            help="Plan summaries (plan --json files) or folders searched for them.")],
        markdown_out: Annotated[str | None, typer.Option(
            "--markdown", metavar="FILE|-", help="Write the pull-request comment ('-' = stdout).")] = None,
        json_out: Annotated[str | None, typer.Option(
            "--json", metavar="FILE|-", help="Write the merged JSON ('-' = stdout).")] = None,
        html_out: Annotated[str | None, typer.Option(
            "--html", metavar="FILE", help="Write one self-contained HTML page.")] = None,
        detailed_exitcode: Annotated[bool, typer.Option(
            "--detailed-exitcode", help="Exit 2 if an environment has changes, 1 if a plan failed.")]
        = False,
    ) -> None:
        """Merge many environments' plan summaries into one PR comment, JSON and HTML page."""
        import json

        from k8sprov.outfile import write_output
        from k8sprov.report import read_summaries, to_html, to_json, to_markdown

        app_ctx: AppContext = ctx.obj
        if [markdown_out, json_out, html_out].count("-") > 1:
            raise UsageError("only one output can go to stdout (-)", hint="write the others to files")
        for target in (markdown_out, json_out, html_out):
            if target is not None and target != "-":
                _check_target(Path(target))
        merged = read_summaries([Path(p) for p in paths])
        # every output is rendered before the first is written
        outputs: list[tuple[str, str, str]] = []
        if markdown_out is not None:
            outputs.append((markdown_out, to_markdown(merged), "--markdown"))
        if json_out is not None:
            outputs.append((json_out, json.dumps(to_json(merged), indent=2) + "\n", "--json"))
        if html_out is not None:
            outputs.append((html_out, to_html(merged), "--html"))
        for skipped in merged.skipped:
            app_ctx.err_console.print(f"note: skipped {skipped.path}: {skipped.reason}", soft_wrap=True,
                                      markup=False, highlight=False)
        for target, text, option in outputs:
            write_output(target, text, option)
        if not any(target == "-" for target, _, _ in outputs):
            from k8sprov.report.terminal import table_text

            write_output("-", table_text(merged), "table")
        if detailed_exitcode and merged.exit_code() != ExitCode.OK:
            raise typer.Exit(int(merged.exit_code()))
