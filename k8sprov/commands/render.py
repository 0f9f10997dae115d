"""render: every release of an environment through real Helm, checked; plan's render check."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from k8sprov.completion import env_names, release_names
from k8sprov.context import AppContext

if TYPE_CHECKING:
    from k8sprov.rendering.report import RenderReport


def register(app: typer.Typer) -> None:
    @app.command("render")
    def render(
        ctx: typer.Context,
        env: Annotated[str, typer.Option("--env", "-e", metavar="ENV", show_default=False,
                                         autocompletion=env_names,
                                         help="Environment: infra/envs/<ENV>.tfvars.")],
        release: Annotated[list[str] | None, typer.Option(
            "--release", "-r", metavar="NAME", show_default=False, autocompletion=release_names,
            help="Only this release (repeatable; default: all).")] = None,
        out_dir: Annotated[Path | None, typer.Option(
            "--output-dir", "-o", metavar="DIR", help="Write DIR/<release>.yaml per release (0600).")] = None,
        json_out: Annotated[str | None, typer.Option(
            "--json", metavar="FILE|-", help="Write the report as JSON ('-' = stdout).")] = None,
    ) -> None:
        """Render each release with real Helm as Terraform would, and check it (exit 1 on errors)."""
        from k8sprov.rendering.report import default_checks, find_helm, render_env

        app_ctx: AppContext = ctx.obj
        project = app_ctx.project
        environment = project.environment(env)
        helm = find_helm(project, app_ctx.helm_request())
        report = render_env(project, environment, helm, checks=default_checks(),
                            only=list(dict.fromkeys(release or [])) or None, keep_renders=out_dir is not None)
        if out_dir is not None:
            from k8sprov.rendering.output import write_manifests

            write_manifests(report, out_dir)
        console = app_ctx.err_console if json_out == "-" else app_ctx.console
        from k8sprov.rendering.view import print_report

        print_report(report, console)
        if json_out is not None:
            _write_json(report, json_out)
        if report.exit_code:
            raise typer.Exit(report.exit_code)


def _write_json(report: RenderReport, target: str) -> None:
    import json

    from k8sprov.outfile import write_output

    write_output(target, json.dumps(report.as_dict(), indent=2) + "\n", "--json")


def before_plan(app_ctx: AppContext, names: list[str]) -> None:
    """plan's render check: findings on stderr, one line each; errors stop the plan before Terraform.

    Without Helm it says so in one line and plan goes on; a Helm asked for (--helm, K8SPROV_HELM) that
    is missing or not Helm 3 is an error. Charts that are not vendored are left to plan's chart check."""
    project = app_ctx.project
    if not project.chart_catalog_file.is_file():
        return  # a stack without charts has nothing to render (and pays for no import)
    from k8sprov.errors import ChartError, K8sprovError
    from k8sprov.helm import HelmNotFound
    from k8sprov.rendering.envinputs import stack_inputs
    from k8sprov.rendering.report import default_checks, find_helm, render_env

    stacks = []
    for name in names:
        env = project.environment(name)
        try:
            stacks.append((env, stack_inputs(project, env)))
        except ChartError:
            continue  # plan's chart check names the missing or mismatched archives in one line
    if not stacks:
        return
    request = app_ctx.helm_request()
    try:
        helm = find_helm(project, request)
    except HelmNotFound as err:
        if request:
            raise
        app_ctx.err_console.print(f"notice: render check skipped: {err.message} — {err.hint}; or plan with"
                                  " --no-render to silence this", soft_wrap=True, markup=False)
        return
    checks = default_checks()
    errors = 0
    for env, stack in stacks:
        report = render_env(project, env, helm, checks=checks, stack=stack)
        if report.findings:
            from k8sprov.rendering.view import print_findings

            print_findings(report, app_ctx.err_console)
        errors += report.errors
    if errors:
        raise K8sprovError(f"render found {errors} error(s) in {', '.join(names)}: nothing planned",
                           hint="fix them (k8sprov render --env ENV shows them), or plan with --no-render")
