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
from k8sprov.commands import (  # noqa: E402
    bundle,
    charts,
    ci,
    doctor,
    drift,
    lint,
    promotion,
    render,
    report,
    supply,
)

for _commands in (core, drift, charts, lint, render, supply, promotion, bundle, doctor, ci, report):
    _commands.register(app)


def _report(err: K8sprovError, debug: bool, plain: bool) -> None:
    from rich.markup import escape

    from k8sprov.terminal import make_console

    console = make_console(stderr=True, plain=plain, soft_wrap=True)
    console.print(f"[bold red]error:[/] {escape(err.one_line())}")
    if debug and err.detail:
        console.print(escape(err.detail))


def _usage_error(err: typer.TyperException) -> K8sprovError:
    """Click's usage errors (unknown option, missing or bad value) as our one line, naming the command's
    --help. Click's own "Possible options" guesses by the whole word, dashes included, and so offers
    --jobs for --bogus: only an option close in its name is suggested."""
    from k8sprov.errors import UsageError

    ctx = getattr(err, "ctx", None)
    command = getattr(ctx, "command_path", None) or "k8sprov"
    option = getattr(err, "option_name", None)
    unknown = type(err).__name__ == "NoSuchOption"
    text = err.message if unknown else err.format_message()
    message = (text[:1].lower() + text[1:]).rstrip(".")
    if unknown and isinstance(option, str) and ctx is not None:
        import difflib

        known = [o for param in ctx.command.params for o in (*param.opts, *param.secondary_opts)
                 if o.startswith("--")]
        close = difflib.get_close_matches(option.lstrip("-"), [o.lstrip("-") for o in known], n=1,
                                          cutoff=0.75)
        if close:
            message += f" (did you mean --{close[0]}?)"
    return UsageError(message, hint=f"see {command} --help")


def _quiet_broken_pipe() -> None:
    """The reader of stdout went away (`k8sprov diff a b | head -1`): stop without a word, like other Unix
    tools. Point stdout at /dev/null so the interpreter's last flush has nowhere to fail."""
    import contextlib

    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    sys.exit(int(ExitCode.BROKEN_PIPE))


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
    from k8sprov.context import plain_requested
    from k8sprov.errors import os_error

    args = argv if argv is not None else sys.argv[1:]
    debug = "--debug" in args
    plain = plain_requested("--no-color" in args)
    registered = (app.registered_commands, app.registered_groups)
    app.registered_commands, app.registered_groups = _invoked_only(args)
    try:
        code = app(args=args, prog_name="k8sprov", standalone_mode=False)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's last flush
    except K8sprovError as err:
        _fail(err, debug, plain)
    except typer.Exit as exit_:
        sys.exit(exit_.exit_code)
    except typer.Abort:
        sys.exit(int(ExitCode.INTERRUPTED))
    except typer.TyperException as err:
        # Typer's usage errors carry click's exit code 2, which we keep for "changes present".
        # No traceback for them, --debug or not: the line says all there is.
        if getattr(err, "exit_code", 1) == 2:
            _fail(_usage_error(err), False, plain)
        _fail(K8sprovError(err.format_message()), False, plain)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(int(ExitCode.INTERRUPTED))
    except BrokenPipeError:
        _quiet_broken_pipe()
    except SystemExit as exit_:
        # Typer meets a closed pipe (typer.echo) with its own exit 1 after wrapping stdout so that
        # flushing it can no longer fail: the same quiet ending as every other closed pipe.
        if type(sys.stdout).__name__ == "PacifyFlushWrapper":
            _quiet_broken_pipe()
        raise exit_
    except OSError as err:  # a file k8sprov had to write: a missing or read-only folder, a full disk
        _fail(os_error(err), debug, plain)
    finally:
        app.registered_commands, app.registered_groups = registered
    sys.exit(int(code) if isinstance(code, int) else 0)


def _fail(err: K8sprovError, debug: bool, plain: bool) -> None:
    try:
        _report(err, debug, plain)
        if debug:
            import traceback

            traceback.print_exc()
    except BrokenPipeError:
        pass
    sys.exit(int(err.exit_code))
