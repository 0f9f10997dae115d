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
    CANT_WRITE = 73  # EX_CANTCREAT: a file or folder could not be written (missing or read-only place)
    INTERRUPTED = 130
    BROKEN_PIPE = 141  # 128 + SIGPIPE: the reader of stdout went away (`| head`); nothing is printed
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


class CannotWrite(K8sprovError):
    """A file or folder k8sprov writes cannot be created: a missing or read-only folder, a full disk."""

    exit_code = ExitCode.CANT_WRITE


def _fix_for(err: OSError, path: str, *, chosen: bool) -> str:
    """How to fix a file error; `chosen` when the user named the path (then another path is a way out)."""
    import errno
    from pathlib import PurePath

    parent = PurePath(path).parent
    other = ", or pick another path" if chosen else ""
    fixes = {
        errno.ENOENT: f"create the folder {parent} first{other}",
        errno.ENOTDIR: f"a part of that path is a file where a folder belongs: move the file away{other}",
        errno.EISDIR: f"that is a folder: move it away{other}",
        errno.EEXIST: f"a file is where a folder belongs: move it away{other}",
        errno.EACCES: f"give the user running k8sprov write access there{other}",
        errno.EPERM: f"give the user running k8sprov write access there{other}",
        errno.EROFS: f"that file system is read-only: run from a writable copy of the project{other}",
        errno.ENOSPC: "the disk is full: free some space and run again",
        errno.EDQUOT: "the disk quota is used up: free some space and run again",
    }
    return fixes.get(err.errno or 0, f"check that path and run again{other}")


_TEMPORARY = (".part", ".tmp", ".partial")


def os_error(err: OSError, what: str | None = None, *, chosen: bool | None = None) -> CannotWrite:
    """One line for a file error: what could not be written (or the path), the system's reason, the fix.

    `what` names the target in the user's words ("cannot write the --json file plan.json"); without it
    the error's own path leads, so a failure deep in the library still names the file. `chosen`: the user
    named the path, so another path is a way out (the default when `what` is given). A temporary file
    (written first, then renamed) is named by its folder: its random name means nothing to anyone."""
    from pathlib import PurePath

    path = str(err.filename) if err.filename is not None else ""
    name = PurePath(path).name
    temporary = name.startswith(".") and (name.endswith(_TEMPORARY) or ".unpack-" in name)
    reason = err.strerror.lower() if err.strerror else err.__class__.__name__
    if what:
        subject = what if temporary or not path or what.endswith(path) else f"{what} ({path})"
    elif temporary:
        subject = f"cannot write in {PurePath(path).parent}"
    else:
        subject = path or "a file operation failed"
    named = what is not None if chosen is None else chosen
    return CannotWrite(f"{subject}: {reason}", hint=_fix_for(err, path, chosen=named))
