"""Asking before apply and destroy: y/N, or the environment's name typed out for dangerous operations."""

from __future__ import annotations

import sys
from typing import TextIO

from k8sprov.errors import ConfirmationRefused, ExitCode


class NoTerminal(ConfirmationRefused):
    exit_code = ExitCode.USAGE


def require_terminal(auto_approve: bool, stdin: TextIO | None = None) -> None:
    """Refuse at once, before any planning or terraform run, when a question could not be asked."""
    if not auto_approve and not (stdin or sys.stdin).isatty():
        raise NoTerminal("no terminal to ask for confirmation on",
                         hint="pass --auto-approve to run unattended")


def confirm(question: str, *, type_to_confirm: str | None, auto_approve: bool,
            stdin: TextIO | None = None, stdout: TextIO | None = None) -> None:
    """Return when the user agreed; raise otherwise. Never waits on a stdin that is not a terminal."""
    if auto_approve:
        return
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    require_terminal(auto_approve, stdin)
    if type_to_confirm is not None:
        stdout.write(f"{question}\n  Type the environment name ({type_to_confirm}) to confirm: ")
    else:
        stdout.write(f"{question} [y/N]: ")
    stdout.flush()
    answer = stdin.readline()
    if not answer:
        stdout.write("\n")
        raise ConfirmationRefused("cancelled: no answer (end of input)")
    answer = answer.strip()
    agreed = answer == type_to_confirm if type_to_confirm is not None else answer.lower() in ("y", "yes")
    if not agreed:
        raise ConfirmationRefused("cancelled: not confirmed", hint="nothing was changed")
