"""The command line: global options, command registration and the single error boundary.

Commands live in `k8sprov.commands.*`; they parse options, call one library function and render its result.
Heavy imports (httpx, hcl2, python-terraform) happen inside command bodies so `k8sprov --help` stays fast.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from k8sprov import __version__, fastparams, helpview
from k8sprov.commands import core
from k8sprov.context import AppContext
from k8sprov.errors import ExitCode, K8sprovError

fastparams.install()  # no pydantic TypeAdapter unless an option's value needs converting (~0.2 s)
helpview.install()  # flags show no `<bool>` metavar in --help

app = typer.Typer(
    name="k8sprov",
    help="Provision a Kubernetes cluster's platform layer with Terraform and vendored Helm charts.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"k8sprov {__version__}")
        raise typer.Exit()


@app.callback()
def _global(
    ctx: typer.Context,
    project_dir: Annotated[
        Path | None,
        typer.Option("-C", "--project-dir", metavar="DIR", show_default=False,
                     help="Project folder (holds terraform/ and infra/envs/)."),
    ] = None,
    terraform: Annotated[
        str | None,
        typer.Option("--terraform", metavar="PATH", show_default=False,
                     help="Terraform or OpenTofu binary \\[env: K8SPROV_TERRAFORM]."),
    ] = None,
    helm: Annotated[
        str | None,
        typer.Option("--helm", metavar="PATH", show_default=False,
                     help="Helm 3 binary for render, images, sbom \\[env: K8SPROV_HELM]."),
    ] = None,
    no_color: Annotated[bool, typer.Option("--no-color", help="Plain output (also NO_COLOR).")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Full terraform output and tracebacks.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    ctx.obj = AppContext(project_dir=project_dir, terraform=terraform, helm=helm, no_color=no_color,
                         debug=debug)


# Command modules import typer and small k8sprov modules; heavy imports wait for each command's body.
from k8sprov.commands import bundle, charts, doctor, lint, promotion, render, supply  # noqa: E402

for _commands in (core, charts, lint, render, supply, promotion, bundle, doctor):
    _commands.register(app)


def _report(err: K8sprovError, debug: bool) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console(stderr=True, highlight=False)
    console.print(f"[bold red]error:[/] {escape(err.one_line())}", soft_wrap=True)
    if debug and err.detail:
        console.print(escape(err.detail), soft_wrap=True)


# Global options that take a value (the word after them is no command name).
_VALUE_OPTIONS = frozenset({"-C", "--project-dir", "--terraform", "--helm"})
_EAGER_OPTIONS = frozenset({"-h", "--help", "--version", "--install-completion", "--show-completion"})


def _invoked_only(args: list[str]) -> tuple[list[typer.models.CommandInfo], list[typer.models.TyperInfo]]:
    """The registered commands and groups of the command being run (all of them when that is unclear).

    Typer turns every registered command into a click command before it runs one (~10 ms, on every run,
    before terraform can start); only the one being run is needed, except for help and completion."""
    from typer.main import get_command_name

    everything = (app.registered_commands, app.registered_groups)
    if "_K8SPROV_COMPLETE" in os.environ:
        return everything
    words = iter(args)
    for word in words:
        if word in _EAGER_OPTIONS:
            return everything
        if word in _VALUE_OPTIONS:
            next(words, None)
        elif not word.startswith("-"):
            commands = [c for c in app.registered_commands
                        if (c.name or get_command_name(c.callback.__name__ if c.callback else "")) == word]
            groups = [g for g in app.registered_groups if g.name == word]
            return (commands, groups) if commands or groups else everything
    return everything


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `k8sprov` script: every error leaves here as one line and a named exit code."""
    args = argv if argv is not None else sys.argv[1:]
    debug = "--debug" in args
    registered = (app.registered_commands, app.registered_groups)
    app.registered_commands, app.registered_groups = _invoked_only(args)
    try:
        code = app(args=args, prog_name="k8sprov", standalone_mode=False)
    except K8sprovError as err:
        _report(err, debug)
        if debug:
            import traceback

            traceback.print_exc()
        sys.exit(int(err.exit_code))
    except typer.Exit as exit_:
        sys.exit(exit_.exit_code)
    except typer.Abort:
        sys.exit(int(ExitCode.INTERRUPTED))
    except typer.TyperException as err:
        # Typer's usage errors carry click's exit code 2, which we keep for "changes present".
        show = getattr(err, "show", None)
        if callable(show):
            show()
        else:
            print(f"error: {err.message}", file=sys.stderr)
        sys.exit(int(ExitCode.USAGE if getattr(err, "exit_code", 1) == 2 else ExitCode.ERROR))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(int(ExitCode.INTERRUPTED))
    finally:
        app.registered_commands, app.registered_groups = registered
    sys.exit(int(code) if isinstance(code, int) else 0)
