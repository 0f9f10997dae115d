"""bundle, bundle verify, bundle unpack: one verified file with everything an environment needs offline.

Thin on purpose: parse options, call k8sprov.bundle, print. The library loads inside the bodies.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from k8sprov.completion import env_names
from k8sprov.context import AppContext

bundle_app = typer.Typer(
    help="Pack one environment into a verified file for air-gapped sites; verify or unpack one.",
    invoke_without_command=True,
    no_args_is_help=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@bundle_app.callback()
def create(
    ctx: typer.Context,
    env: Annotated[str | None, typer.Option("--env", "-e", metavar="ENV", help="Environment to bundle.",
                                            show_default=False, autocompletion=env_names)] = None,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", metavar="FILE", help="Bundle file \\[default: k8sprov-ENV-PROFILE.tar.gz].",
        show_default=False)] = None,
    include_backend_secrets: Annotated[bool, typer.Option(
        "--include-backend-secrets", help="Bundle a backend file holding credentials.")] = False,
    platform: Annotated[list[str] | None, typer.Option(
        "--platform", metavar="OS_ARCH", help="Also mirror providers for OS_ARCH (registry needed).",
        show_default=False)] = None,
) -> None:
    """Write k8sprov-<env>-<profile>.tar.gz: modules, env files, charts, providers, bundle.json."""
    if ctx.invoked_subcommand is not None:
        return
    from k8sprov.errors import UsageError

    if env is None:
        raise UsageError("bundle needs --env ENV (or a subcommand: verify, unpack)",
                         hint="k8sprov bundle --env production")
    from k8sprov.bundle.service import create_bundle

    app: AppContext = ctx.obj
    result = create_bundle(app, env, output, include_backend_secrets=include_backend_secrets,
                           platforms=platform or [])
    console = app.console
    console.print(f"{result.path}: {result.members} members, {result.size} bytes"
                  f" ({', '.join(result.platforms) or 'no'} providers)", markup=False, soft_wrap=True)
    if result.images is not None:
        console.print(f"{result.images} image(s) listed in supply/images.txt; bill of materials in"
                      " supply/sbom.cdx.json", markup=False, soft_wrap=True)
    if result.supply_missing:
        app.err_console.print(f"notice: no image list or SBOM in the bundle: {result.supply_missing}",
                              markup=False, soft_wrap=True)
    console.print(f"aggregate sha256: {result.aggregate}", markup=False, soft_wrap=True)


@bundle_app.command("verify")
def verify(ctx: typer.Context,
           file: Annotated[Path, typer.Argument(help="Bundle file.", show_default=False)]) -> None:
    """Check every member against bundle.json: exit 0 with the aggregate digest, else 1 naming the problem."""
    from k8sprov.bundle.archive import verify as verify_file
    from k8sprov.bundle.signatures import check_signatures

    app: AppContext = ctx.obj
    result = verify_file(file)
    signed = check_signatures(file, result)
    m = result.manifest
    app.console.print(f"{file}: OK, {result.members} members, {result.total_bytes} bytes unpacked"
                      f" (environment {m.get('environment')}, profile {m.get('profile')})",
                      markup=False, soft_wrap=True)
    for line in signed:
        app.console.print(f"signature ok: {line}", markup=False, soft_wrap=True)
    app.console.print(f"aggregate sha256: {result.aggregate}", markup=False, soft_wrap=True)


@bundle_app.command("unpack")
def unpack(ctx: typer.Context,
           file: Annotated[Path, typer.Argument(help="Bundle file.", show_default=False)],
           directory: Annotated[Path, typer.Argument(metavar="DIR", help="New or empty folder.",
                                                     show_default=False)]) -> None:
    """Verify, then extract into DIR: a k8sprov project that installs providers from its own mirror."""
    from k8sprov.bundle.archive import unpack as unpack_file
    from k8sprov.bundle.signatures import check_signatures

    app: AppContext = ctx.obj
    result = unpack_file(file, directory, check=lambda verified: check_signatures(file, verified))
    env = result.manifest.get("environment")
    app.console.print(f"{directory}: unpacked {result.members} members of {file}", markup=False,
                      soft_wrap=True)
    app.console.print(f"aggregate sha256: {result.aggregate}", markup=False, soft_wrap=True)
    app.console.print(f"next: k8sprov -C {directory} plan --env {env}", markup=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.add_typer(bundle_app, name="bundle")
