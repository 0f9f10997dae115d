"""lint: check env files and Helm values files before Terraform or Helm sees them; plan's pre-flight."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from k8sprov.completion import env_names
from k8sprov.context import AppContext
from k8sprov.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from k8sprov.lint import LintReport


def register(app: typer.Typer) -> None:
    @app.command("lint")
    def lint(
        ctx: typer.Context,
        env: Annotated[list[str] | None, typer.Option(
            "--env", "-e", metavar="ENV", show_default=False, autocompletion=env_names,
            help="Lint this environment and its profile's values (repeatable).")] = None,
        all_envs: Annotated[bool, typer.Option("--all", help="Every environment (the default).")] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Machine-readable findings on stdout.")] = False,
        strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too (exit 1).")] = False,
    ) -> None:
        """Find unknown keys and type mistakes in infra/envs/*.tfvars and infra/values/ (exit 1 on errors)."""
        from k8sprov.lint import lint_project

        app_ctx: AppContext = ctx.obj
        if env and all_envs:
            raise UsageError("--all and --env exclude each other", hint="pass one of them")
        from k8sprov.lint.run import find_helm

        report = lint_project(app_ctx.project, env or None, helm=find_helm(app_ctx.helm_request()))
        if as_json:
            import json

            typer.echo(json.dumps(report.as_dict(strict), indent=2))
        else:
            from k8sprov.lint.render import print_report

            print_report(report, app_ctx.console)
        code = report.exit_code(strict)
        if code:
            raise typer.Exit(int(ExitCode.ERROR))


def before_plan(app_ctx: AppContext, env_names: list[str]) -> None:
    """plan's pre-flight: print findings (on stderr), stop on errors, never on warnings."""
    from k8sprov.errors import K8sprovError
    from k8sprov.lint import lint_project
    from k8sprov.lint.render import print_report

    for name in env_names:  # unknown names, unparseable var files, bad profiles: plan's own one-line errors
        app_ctx.project.environment(name)
    from k8sprov.lint.run import find_helm

    report: LintReport = lint_project(app_ctx.project, env_names, helm=find_helm(app_ctx.helm_request()))
    report.findings = [f for f in report.findings if not f.chart_missing]  # plan's chart check says it
    if report.findings:
        print_report(report, app_ctx.err_console, summary=False)
    if report.errors:
        raise K8sprovError(f"lint found {report.errors} error(s) in {', '.join(env_names)}: nothing planned",
                           hint="fix them (k8sprov lint shows them again), or plan with --no-lint")
