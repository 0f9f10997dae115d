"""images and sbom: what an environment deploys — its container images and its bill of materials."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from k8sprov.completion import env_names
from k8sprov.context import AppContext


def _envs(app_ctx: AppContext, env: str | None, every: bool) -> list[str]:
    from k8sprov.errors import UsageError

    if bool(env) == every:
        raise UsageError("pass --env ENV or --all", hint="one of them, not both")
    if env:
        app_ctx.project.environment(env)  # an unknown name is an error here, before any render
        return [env]
    names = app_ctx.project.env_names
    if not names:
        raise UsageError("no environments in infra/envs/", hint="add infra/envs/<ENV>.tfvars")
    return names


def _write(text: str, target: str) -> None:
    if target == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from k8sprov.charts.lock import write_atomically

    write_atomically(Path(target), text.encode("utf-8"))


def register(app: typer.Typer) -> None:
    @app.command("images")
    def images(
        ctx: typer.Context,
        env: Annotated[str | None, typer.Option("--env", "-e", metavar="ENV", show_default=False,
                                                autocompletion=env_names,
                                                help="Environment: infra/envs/<ENV>.tfvars.")] = None,
        every: Annotated[bool, typer.Option("--all", help="Every environment, deduplicated.")] = False,
        json_out: Annotated[str | None, typer.Option(
            "--json", metavar="FILE|-", help="Write the list as JSON ('-' = stdout).")] = None,
    ) -> None:
        """List every container image the releases will pull, where it is used, and if it is pinned."""
        import json

        from k8sprov.rendering.report import find_helm
        from k8sprov.supply.inventory import image_inventory
        from k8sprov.supply.view import print_images

        app_ctx: AppContext = ctx.obj
        names = _envs(app_ctx, env, every)
        helm = find_helm(app_ctx.project, app_ctx.helm_request())
        inventory = image_inventory(app_ctx.project, names, helm)
        print_images(inventory, app_ctx.err_console if json_out == "-" else app_ctx.console)
        if json_out is not None:
            _write(json.dumps(inventory.as_dict(), indent=2) + "\n", json_out)

    @app.command("sbom")
    def sbom(
        ctx: typer.Context,
        env: Annotated[str, typer.Option("--env", "-e", metavar="ENV", show_default=False,
                                         autocompletion=env_names,
                                         help="Environment: infra/envs/<ENV>.tfvars.")],
        output: Annotated[str, typer.Option(
            "--output", "-o", metavar="FILE|-", help="Where to write it ('-' = stdout).")] = "-",
    ) -> None:
        """Write a CycloneDX 1.6 JSON bill of materials: charts, images, providers, Terraform."""
        from k8sprov.rendering.report import find_helm
        from k8sprov.supply.sbom import environment_sbom

        app_ctx: AppContext = ctx.obj
        project = app_ctx.project
        environment = project.environment(env)
        helm = find_helm(project, app_ctx.helm_request())
        text = environment_sbom(project, environment, helm)
        _write(text, output)
        if output != "-":
            app_ctx.console.print(f"wrote {output} (CycloneDX 1.6, valid)", markup=False, soft_wrap=True)
