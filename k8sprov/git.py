"""The one module that runs git: which files changed since a ref, and what a file held at that ref.

Every call runs in the project folder with paths relative to it (`--relative`, `./` in `git show`), so a
project that lives in a subfolder of a larger repository sees only its own files, named as k8sprov names
them. Output is NUL-separated (`-z`): file names with spaces or non-ASCII letters arrive unquoted.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from k8sprov.errors import K8sprovError, UsageError

# What git needs to answer the same way on every machine: no pager, no prompt, no locale-dependent quoting.
_ENV = {"GIT_PAGER": "cat", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "GIT_OPTIONAL_LOCKS": "0"}
_OPTIONS = ("-c", "core.quotepath=off", "-c", "diff.renames=false", "-c", "color.ui=never")


class GitError(K8sprovError):
    """git is missing, or answered something k8sprov did not expect."""


@dataclass(frozen=True)
class Change:
    """One changed file: `status` is git's letter (A added, M modified, D deleted, T type changed)."""

    status: str
    path: str  # relative to the project root, with forward slashes


def _git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    binary = shutil.which("git")
    if binary is None:
        raise GitError("git not found on PATH", hint="install git (affected environments come from git)")
    try:
        proc = subprocess.run([binary, *_OPTIONS, *args], cwd=cwd, env={**os.environ, **_ENV},
                              capture_output=True, timeout=120, check=False)
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} did not answer within 120 s", hint="check the repository") from None
    if check and proc.returncode != 0:
        first = (proc.stderr.decode("utf-8", "replace").strip().splitlines() or ["(no message)"])[-1]
        raise GitError(f"git {args[0]} failed: {first}", hint="run it yourself to see why")
    return proc


def resolve(cwd: Path, ref: str) -> str:
    """The commit `ref` names; one-line errors for a folder outside git and for a ref git does not know."""
    if ref.startswith("-"):  # never let a ref be read as an option
        raise UsageError(f"unknown git ref {ref!r}", hint="pass a branch, tag or commit")
    proc = _git(cwd, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}", check=False)
    if proc.returncode != 0 and b"not a git repository" in proc.stderr:
        raise UsageError(f"{cwd}: not a git repository",
                         hint="run inside a clone of the project (affected environments come from git)")
    if proc.returncode != 0 and b"dubious ownership" in proc.stderr:  # CI containers run as another user
        raise UsageError(f"{cwd}: git refuses a repository owned by another user",
                         hint=f"trust it: git config --global --add safe.directory {cwd}")
    if proc.returncode != 0:
        raise UsageError(
            f"unknown git ref {ref!r}",
            hint=f"fetch it first (git fetch origin {ref.removeprefix('origin/')}); in CI check out with"
                 f" full history (GitHub: fetch-depth: 0, GitLab: GIT_DEPTH: 0)")
    return proc.stdout.decode().strip()


def merge_base(cwd: Path, commit: str) -> str:
    """Where HEAD branched from `commit`: a pull request's own changes, not what its target gained since.
    No common history (or no HEAD yet): `commit` itself."""
    proc = _git(cwd, "merge-base", commit, "HEAD", check=False)
    return proc.stdout.decode().strip() if proc.returncode == 0 and proc.stdout.strip() else commit


def changes_since(cwd: Path, commit: str, untracked_under: tuple[str, ...]) -> list[Change]:
    """Files that differ between `commit` and the working tree (staged or not), and untracked files under
    the given folders (ignored files left out), each once, sorted by path."""
    diff = _git(cwd, "diff", "--name-status", "-z", "--no-renames", "--relative", commit, "--").stdout
    found: dict[str, Change] = {}
    words = diff.decode("utf-8", "surrogateescape").split("\0")
    for status, path in zip(words[0::2], words[1::2], strict=False):
        if status and path:
            found[path] = Change(status=status[0], path=path)
    if untracked_under:
        listed = _git(cwd, "ls-files", "--others", "--exclude-standard", "-z", "--",
                      *untracked_under).stdout
        for path in listed.decode("utf-8", "surrogateescape").split("\0"):
            if path and path not in found:
                found[path] = Change(status="A", path=path)
    return [found[path] for path in sorted(found)]


def show(cwd: Path, commit: str, path: str) -> bytes | None:
    """The bytes of `path` (relative to `cwd`) at `commit`; None when it did not exist there."""
    proc = _git(cwd, "show", f"{commit}:./{path}", check=False)
    return proc.stdout if proc.returncode == 0 else None
