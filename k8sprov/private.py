"""Files only their owner can read: every file k8sprov keeps under `.k8sprov/` may hold a secret.

Saved plans carry every variable's value (sensitive ones included) and the backend settings, the local state
carries whatever the providers returned (a cluster's admin key), Terraform's data dir keeps the backend
config with its credentials, and caches and logs can carry a repository URL with a password. So k8sprov's
own writes there use 0600 files in 0700 folders, whatever the user's umask, and terraform runs with umask
077 (see `UMASK`, used by `k8sprov.terraform`).

The `--json` / `--markdown` summaries are not written through here: they are masked and made to be shared.

Use:
    private_dir(path)                 # mkdir -p, new folders 0700; an existing `path` is tightened
    write_private_atomic(path, data)  # str or bytes, 0600, replaced atomically (a reader never sees half)
    with open_private(path) as fh:    # a log or pid file written as it goes, 0600 (also without `with`)
    tighten(path)                     # an older run's files: drop group/other bits, return what changed
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path
from typing import IO, Any

FILE_MODE = 0o600
DIR_MODE = 0o700
# The umask terraform runs with: the plan file, the local state and its backup, the data dir.
UMASK = 0o077
_OTHERS = 0o077  # group and other permission bits


def private_dir(path: Path) -> Path:
    """Create `path` and any missing parents as 0700 folders; tighten `path` itself if it already exists."""
    missing: list[Path] = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another thread or process made it a moment ago
            folder.mkdir(mode=DIR_MODE)
    if not missing:
        tighten(path, recursive=False)
    return path


def write_private_atomic(path: Path, data: str | bytes, *, encoding: str = "utf-8") -> None:
    """Write `data` to `path` as a 0600 file: a temporary file of its own (safe with concurrent writers),
    then an atomic rename. OSError reaches the caller (a best-effort cache ignores it)."""
    import tempfile

    private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # mkstemp: 0600
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode(encoding) if isinstance(data, str) else data)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def open_private(path: Path, mode: str = "w", **kwargs: Any) -> IO[Any]:
    """`open(path, mode)` for a file written as it goes (a log, a pid file): created 0600, and an existing
    file is tightened before anything is written to it. The caller closes it (or uses `with`)."""
    private_dir(path.parent)
    flags = os.O_CREAT | (os.O_RDWR if "+" in mode or "r" in mode else os.O_WRONLY)
    if "w" in mode:
        flags |= os.O_TRUNC
    if "a" in mode:
        flags |= os.O_APPEND
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0), FILE_MODE)
    try:
        st = os.fstat(fd)
        if st.st_mode & _OTHERS:
            os.fchmod(fd, stat.S_IMODE(st.st_mode) & ~_OTHERS)
        return os.fdopen(fd, mode, **kwargs)
    except BaseException:
        os.close(fd)
        raise


def _tighten_one(path: Path, st: os.stat_result) -> bool:
    if stat.S_ISLNK(st.st_mode) or not st.st_mode & _OTHERS or st.st_uid != os.getuid():
        return False  # a link's own mode means nothing; another user's file is not ours to change
    try:
        path.chmod(stat.S_IMODE(st.st_mode) & ~_OTHERS)
    except OSError:
        return False
    return True


def tighten(path: Path, *, recursive: bool = True) -> list[Path]:
    """Remove group/other permissions from `path` (and, recursively, everything in it; links are not
    followed). 0644 → 0600, 0755 → 0700. Returns the paths that changed; a missing path changes nothing."""
    changed: list[Path] = []
    try:
        st = path.lstat()
    except OSError:
        return changed
    if _tighten_one(path, st):
        changed.append(path)
    if recursive and stat.S_ISDIR(st.st_mode):
        for folder, dirs, files in os.walk(path):
            for name in (*dirs, *files):
                entry = Path(folder, name)
                try:
                    if _tighten_one(entry, entry.lstat()):
                        changed.append(entry)
                except OSError:
                    continue
    return changed


def readable_by_others(path: Path) -> bool:
    """Whether a file's own mode lets group or other read it (False when it does not exist)."""
    try:
        return bool(path.stat().st_mode & (stat.S_IRGRP | stat.S_IROTH))
    except OSError:
        return False


def normal_file_mode() -> int:
    """The mode a new file gets from the user's umask (0644 with the usual 022), read without changing it."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o644
