"""affected and ci matrix: which environments a change touches, in the shapes CI systems fan out on."""

from __future__ import annotations

from typing import Annotated

import typer

from k8sprov.context import AppContext
from k8sprov.errors import UsageError

SinceOption = Annotated[str, typer.Option("--since", metavar="REF", show_default=False,
                                          help="Compare with this git ref (its merge base with HEAD).")]


JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


def affected(ctx: typer.Context, since: SinceOption, as_json: JsonFlag = False) -> None:
    """List the environments whose plan the changes since REF can alter, with the reasons."""
    from k8sprov.affected import affected_since

    app: AppContext = ctx.obj
    report = affected_since(app.project, since)
    if as_json:
        import json

        typer.echo(json.dumps(report.as_dict(), indent=2))
        return
    base = report.base[:12] if report.base else "?"
    if not report.environments:
        typer.echo(f"No environment affected since {since} (merge base {base}).")
    else:
        typer.echo(f"{len(report.environments)} environment(s) affected since {since} (merge base {base}):")
    for env in report.environments:
        typer.echo(f"  {env.name} ({env.profile})")
        for reason in env.reasons:
            typer.echo(f"      {reason}")
    for gone in report.removed:
        typer.echo(f"  {gone.name}: removed ({'; '.join(gone.reasons)}) — its resources stay until destroyed")
    if report.not_affecting:
        typer.echo(f"{len(report.not_affecting)} changed file(s) no plan reads.")


def matrix(ctx: typer.Context,
           since: Annotated[str | None, typer.Option(
               "--since", metavar="REF", show_default=False,
               help="Only environments affected since REF (default: all).")] = None,
           fmt: Annotated[str, typer.Option("--format", metavar="FORMAT",
                                            help="github | gitlab | json.")] = "github",
           include: Annotated[str | None, typer.Option(
               "--include", metavar="FILE", show_default=False,
               help="gitlab: repository file defining .k8sprov-env, .k8sprov-report.")] = None) -> None:
    """Print the affected environments as a GitHub, GitLab or JSON matrix."""
    from k8sprov import cimatrix
    from k8sprov.affected import affected_since, every_environment

    if fmt not in cimatrix.FORMATS:
        raise UsageError(f"--format {fmt!r}: unknown format", hint="use github, gitlab or json")
    if include is not None and fmt != "gitlab":
        raise UsageError("--include is for --format gitlab", hint="drop --include or add --format gitlab")
    app: AppContext = ctx.obj
    report = affected_since(app.project, since) if since is not None else every_environment(app.project)
    typer.echo(cimatrix.render(report, fmt, include=include or cimatrix.DEFAULT_GITLAB_INCLUDE), nl=False)


def register(app: typer.Typer) -> None:
    app.command()(affected)
    ci = typer.Typer(name="ci", help="Feed CI systems: matrices of affected environments.",
                     no_args_is_help=True)
    ci.command()(matrix)
    app.add_typer(ci, name="ci")
