"""One error family for the whole tool, each error with a one-line message, a hint and a named exit code.

Library code raises these; only the CLI boundary (`k8sprov.cli.main`) turns them into a printed line and
an exit status. Messages must never contain secrets: they are printed as they are, `--debug` included.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit statuses, documented in the README. 64 (EX_USAGE) keeps bad input apart from 2 = changes."""

    OK = 0
    ERROR = 1
    CHANGES = 2
    USAGE = 64
    INTERRUPTED = 130
    TERMINATED = 143


class K8sprovError(Exception):
    """Base of every error k8sprov reports: `message` names the subject, `hint` says how to fix it."""

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str, *, hint: str | None = None, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        # Long text (full terraform output) shown only with --debug.
        self.detail = detail

    def one_line(self) -> str:
        return f"{self.message} — {self.hint}" if self.hint else self.message


class UsageError(K8sprovError):
    """Bad input from the user: unknown environment, malformed var file, conflicting flags."""

    exit_code = ExitCode.USAGE


class ProjectError(UsageError):
    """The project layout or one of its files is missing or malformed."""


class TerraformNotFound(K8sprovError):
    """No usable terraform (or tofu) binary."""


class TerraformError(K8sprovError):
    """A terraform command failed; `detail` holds its full output."""


class PlanError(K8sprovError):
    """A saved plan cannot be used (stale, another environment, another Terraform version)."""


class ConfirmationRefused(K8sprovError):
    """The user did not confirm, or could not be asked."""


class ChartError(K8sprovError):
    """A chart could not be fetched, verified or found in the lock."""


class Interrupted(K8sprovError):
    """Stopped by SIGINT (Ctrl-C)."""

    exit_code = ExitCode.INTERRUPTED


class Terminated(K8sprovError):
    """Stopped by SIGTERM (CI runners send it on cancel)."""

    exit_code = ExitCode.TERMINATED
