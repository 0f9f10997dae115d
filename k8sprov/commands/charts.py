"""update-charts and charts: vendor the pinned Helm charts, and show what each profile pins.

Thin on purpose: parse options, call k8sprov.charts, render. httpx, hcl2 and rich load inside the bodies.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from k8sprov.completion import env_names, profile_names
from k8sprov.context import AppContext

_ENV_HELP = "Only the charts of this environment's profile."
_PROFILE_HELP = "Only the charts of this profile."
# NAME is a chart name or a repository URL; URL a classic repository or oci://registry/path (docs/charts.md).
_MIRROR_HELP = "Mirror, repeatable \\[env: K8SPROV_CHART_MIRRORS]."

# Options of every command that downloads charts (update-charts, charts --outdated, promote).
MirrorOption = Annotated[
    list[str] | None, typer.Option("--mirror", metavar="NAME=URL", help=_MIRROR_HELP, show_default=False)]
PreferOciOption = Annotated[
    bool, typer.Option("--prefer-oci", help="Fetch from each chart's `oci` source instead.")]
TimeoutOption = Annotated[float | None, typer.Option(
    "--timeout", min=0.1, metavar="SEC", show_default=False,
    help="Timeout \\[env: K8SPROV_HTTP_TIMEOUT; default 30].")]
InsecureHttpOption = Annotated[
    bool, typer.Option("--allow-insecure-http", help="Allow plain http to non-loopback hosts.")]


def register(app: typer.Typer) -> None:
    @app.command("update-charts")
    def update_charts(
        ctx: typer.Context,
        env: Annotated[str | None, typer.Option("--env", "-e", metavar="ENV", help=_ENV_HELP,
                                                show_default=False, autocompletion=env_names)] = None,
        profile: Annotated[
            str | None, typer.Option("--profile", "-p", metavar="PROFILE", help=_PROFILE_HELP,
                                     show_default=False, autocompletion=profile_names)
        ] = None,
        check: Annotated[
            bool,
            typer.Option(
                "--check", help="Offline: fail unless charts/ matches the pins."
            ),
        ] = False,
        prune: Annotated[bool, typer.Option("--prune", help="Remove archives no profile pins.")] = False,
        mirror: MirrorOption = None,
        jobs: Annotated[
            int, typer.Option("--jobs", "-j", min=1, max=32, metavar="N", help="Parallel downloads.")
        ] = 4,
        prefer_oci: PreferOciOption = False,
        timeout: TimeoutOption = None,
        allow_insecure_http: InsecureHttpOption = False,
    ) -> None:
        """Download the pinned Helm charts into charts/, verified, and record them in charts/charts.lock."""
        from k8sprov.charts.catalog import load_catalog
        from k8sprov.charts.vendor import select_profiles

        app_ctx: AppContext = ctx.obj
        project = app_ctx.project
        profiles = select_profiles(load_catalog(project), project, env, profile)
        if check:
            _check(app_ctx, profiles, prune)
            return
        from k8sprov.charts.http import HttpSettings
        from k8sprov.charts.render import print_table, reporter_for, results_table, summary_line
        from k8sprov.charts.sources import MIRRORS_ENV, parse_mirrors
        from k8sprov.charts.vendor import Vendor, VendorOptions
        from k8sprov.errors import ChartError

        options = VendorOptions(
            profiles=profiles,
            prune=prune,
            jobs=jobs,
            prefer_oci=prefer_oci,
            mirrors=parse_mirrors(mirror or [], os.environ.get(MIRRORS_ENV)),
            http=HttpSettings.from_env(timeout=timeout, allow_insecure_http=allow_insecure_http),
        )
        report = Vendor(project, options, reporter_for(app_ctx.err_console)).run()
        console = app_ctx.console
        print_table(console, results_table(report))
        for name in report.pruned:
            console.print(f"pruned {name}", markup=False, soft_wrap=True)
        console.print(summary_line(report), markup=False, soft_wrap=True)
        if report.failed:
            details = "; ".join(f"{r.pin.name} {r.pin.version}: {r.error}" for r in report.failed)
            raise ChartError(
                f"{len(report.failed)} of {len(report.results)} charts failed: {details}",
                hint="nothing unverified was written to charts/; fix the source and run again",
            )

    @app.command("charts")
    def charts(
        ctx: typer.Context,
        as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
        outdated: Annotated[
            bool,
            typer.Option(
                "--outdated", help="Also look up newer releases (network)."
            ),
        ] = False,
        mirror: MirrorOption = None,
        allow_insecure_http: InsecureHttpOption = False,
    ) -> None:
        """Show chart versions per profile, drift between profiles, and (--outdated) newer releases."""
        import json

        from k8sprov.charts.catalog import load_catalog
        from k8sprov.charts.render import catalog_rows, catalog_table, print_table

        app_ctx: AppContext = ctx.obj
        project = app_ctx.project
        catalog = load_catalog(project)
        latest = None
        if outdated:
            from k8sprov.charts.http import HttpSettings
            from k8sprov.charts.outdated import latest_versions
            from k8sprov.charts.sources import MIRRORS_ENV, parse_mirrors

            latest = latest_versions(
                project,
                catalog,
                mirrors=parse_mirrors(mirror or [], os.environ.get(MIRRORS_ENV)),
                settings=HttpSettings.from_env(allow_insecure_http=allow_insecure_http),
            )
        from k8sprov.charts.lock import read_lock

        signers = {key: entry.signer for key, entry in read_lock(project.charts_dir).items()}
        rows = catalog_rows(catalog, latest, signers)
        if as_json:
            typer.echo(json.dumps({"profiles": catalog.profiles, "charts": rows}, indent=2))
            return
        print_table(app_ctx.console, catalog_table(catalog, rows, with_latest=outdated))
        drift = [r["name"] for r in rows if r["drift"]]
        if drift:
            app_ctx.console.print(
                f"drift between profiles: {', '.join(drift)} (* differs from the others)",
                markup=False,
                soft_wrap=True,
            )
        if latest is not None:
            behind = [
                f"{r['name']} ({', '.join(r['outdated'])} < {r['latest']})" for r in rows if r["outdated"]
            ]
            app_ctx.console.print(
                "outdated: " + ("; ".join(behind) if behind else "none"), markup=False, soft_wrap=True
            )


def _check(app_ctx: AppContext, profiles: list[str] | None, prune: bool) -> None:
    from k8sprov.charts.vendor import check_vendored
    from k8sprov.errors import ChartError, UsageError

    if prune:
        raise UsageError("--check and --prune are exclusive", hint="--check never changes charts/")
    diff = check_vendored(app_ctx.project, profiles)
    console = app_ctx.console
    for line in diff.problems():
        console.print(line, markup=False, soft_wrap=True)
    if not diff.clean:
        scope = f" --profile {profiles[0]}" if profiles else ""
        raise ChartError(
            f"charts/ does not match the pins: {len(diff.problems())} problem(s)",
            hint=f"run k8sprov update-charts{scope}" + (" --prune" if diff.unpinned else ""),
        )
    console.print(f"{len(diff.ok)} chart archive(s) match charts/charts.lock", markup=False, soft_wrap=True)
