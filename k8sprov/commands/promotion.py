"""diff and promote: compare two environments or profiles, and move chart pins from one profile to another.

Thin on purpose: parse options, call k8sprov.promotion, render. hcl2, rich and terraform load in the bodies.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer

from k8sprov.commands.charts import InsecureHttpOption, MirrorOption, PreferOciOption, TimeoutOption
from k8sprov.completion import chart_names, env_or_profile_names
from k8sprov.context import AppContext
from k8sprov.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from collections.abc import Callable

    from k8sprov.project import Project
    from k8sprov.promotion.deployed import DeployedRelease

_SIDE_HELP = "An environment (infra/envs/NAME.tfvars) or a profile."


def register(app: typer.Typer) -> None:
    @app.command("diff")
    def diff(
        ctx: typer.Context,
        a: Annotated[str, typer.Argument(metavar="A", help=_SIDE_HELP, show_default=False,
                                         autocompletion=env_or_profile_names)],
        b: Annotated[str, typer.Argument(metavar="B", help=_SIDE_HELP, show_default=False,
                                         autocompletion=env_or_profile_names)],
        deployed: Annotated[
            bool,
            typer.Option("--deployed", help="Compare what each state records as running, not the pins."),
        ] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
        markdown: Annotated[bool, typer.Option("--markdown", help="Markdown (for a pull request).")] = False,
        detailed_exitcode: Annotated[
            bool, typer.Option("--detailed-exitcode", help="Exit 2 when A and B differ (0 when equal).")
        ] = False,
    ) -> None:
        """Compare two environments or profiles: chart pins and digests, values files, env files."""
        from k8sprov.charts.catalog import load_catalog
        from k8sprov.promotion.compare import compare, resolve_side

        if as_json and markdown:
            raise UsageError("--json and --markdown are exclusive", hint="pass one of them")
        app_ctx: AppContext = ctx.obj
        project = app_ctx.project
        catalog = load_catalog(project)
        side_a, side_b = resolve_side(project, catalog, a), resolve_side(project, catalog, b)
        states = None
        if deployed:
            from k8sprov.promotion.deployed import deployed_releases

            for side in (side_a, side_b):
                if side.env is None:
                    raise UsageError(f"--deployed needs environments: {side.name} is only a profile",
                                     hint="name environments (infra/envs/<env>.tfvars), whose state is read")
            states = (deployed_releases(app_ctx, side_a.name), deployed_releases(app_ctx, side_b.name))
        result = compare(project, catalog, side_a, side_b, states)
        if as_json:
            import json

            from k8sprov.promotion.render import comparison_json

            typer.echo(json.dumps(comparison_json(result), indent=2))
        elif markdown:
            from k8sprov.promotion.render import comparison_markdown

            typer.echo(comparison_markdown(result), nl=False)
        else:
            from k8sprov.promotion.render import print_comparison

            print_comparison(app_ctx.console, result)
        if detailed_exitcode and not result.equal:
            raise typer.Exit(int(ExitCode.CHANGES))

    @app.command("promote")
    def promote(
        ctx: typer.Context,
        source: Annotated[str, typer.Option("--from", metavar="SOURCE", show_default=False,
                                            help="Promote from this env or profile.",
                                            autocompletion=env_or_profile_names)],
        target: Annotated[str, typer.Option("--to", metavar="TARGET", show_default=False,
                                            help="Promote to this env or profile.",
                                            autocompletion=env_or_profile_names)],
        chart: Annotated[
            list[str] | None,
            typer.Option("--chart", metavar="NAME", help="Only this chart (repeatable).",
                         show_default=False, autocompletion=chart_names),
        ] = None,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the change; write nothing.")] = False,
        require_deployed: Annotated[
            bool,
            typer.Option("--require-deployed",
                         help="Refuse unless the source's state runs them."),
        ] = False,
        force: Annotated[
            bool, typer.Option("--force", help="Allow splitting charts released in lockstep.")
        ] = False,
        allow_downgrade: Annotated[
            bool, typer.Option("--allow-downgrade", help="Allow moving a pin back to an older version.")
        ] = False,
        mirror: MirrorOption = None,
        prefer_oci: PreferOciOption = False,
        timeout: TimeoutOption = None,
        allow_insecure_http: InsecureHttpOption = False,
    ) -> None:
        """Move the target profile's chart pins in versions.tf to the source's, and vendor them."""
        from k8sprov.promotion.promote import apply_promotion, plan_promotion
        from k8sprov.promotion.render import print_promotion

        app_ctx: AppContext = ctx.obj
        project = app_ctx.project
        reader: Callable[[str], dict[str, DeployedRelease]] | None = None
        if require_deployed:
            from functools import partial

            from k8sprov.promotion.deployed import deployed_releases

            reader = partial(deployed_releases, app_ctx)

        promotion = plan_promotion(project, source, target, chart or [], force=force, dry_run=dry_run,
                                   allow_downgrade=allow_downgrade, deployed=reader)
        console = app_ctx.console
        if promotion.nothing_to_do:
            console.print(f"nothing to promote: {promotion.target.profile} already pins what "
                          f"{promotion.source.profile} pins" + (" for " + ", ".join(chart) if chart else ""),
                          markup=False, soft_wrap=True)
            return
        settings = _VendorSettings(mirror or [], prefer_oci, timeout, allow_insecure_http)

        def vendor(proj: Project, profile: str) -> list[str]:
            return _vendor(app_ctx, proj, profile, settings)

        apply_promotion(project, promotion, vendor)
        print_promotion(console, promotion)


@dataclass(frozen=True)
class _VendorSettings:
    mirror: list[str]
    prefer_oci: bool
    timeout: float | None
    allow_insecure_http: bool


def _vendor(app_ctx: AppContext, project: Project, profile: str, settings: _VendorSettings) -> list[str]:
    """update-charts --profile PROFILE, as a library call; a failed chart raises (the caller rolls back)."""
    from k8sprov.charts.http import HttpSettings
    from k8sprov.charts.render import reporter_for
    from k8sprov.charts.sources import MIRRORS_ENV, parse_mirrors
    from k8sprov.charts.vendor import Vendor, VendorOptions
    from k8sprov.errors import ChartError

    options = VendorOptions(
        profiles=[profile],
        mirrors=parse_mirrors(settings.mirror, os.environ.get(MIRRORS_ENV)),
        prefer_oci=settings.prefer_oci,
        http=HttpSettings.from_env(timeout=settings.timeout,
                                   allow_insecure_http=settings.allow_insecure_http),
    )
    report = Vendor(project, options, reporter_for(app_ctx.err_console)).run()
    if report.failed:
        details = "; ".join(f"{r.pin.name} {r.pin.version}: {r.error}" for r in report.failed)
        raise ChartError(
            f"vendoring for profile {profile} failed, promotion rolled back: {details}",
            hint="versions.tf, charts/ and charts.lock are as before; fix the source and run again",
        )
    return [r.pin.archive_name for r in report.results]
