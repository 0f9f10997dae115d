"""Files the user names on the command line (`--json FILE`, `--markdown FILE`, `bundle -o FILE`): checked
before any work starts, written whole or not at all, and a failure is one line naming the option."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from k8sprov.errors import CannotWrite, os_error


def check_target(path: Path, option: str) -> None:
    """Refuse a target whose folder is missing or is a file, or which is a folder itself, before a plan
    runs for minutes only to fail at the end. (Permissions are left to the write: root writes anywhere.)"""
    parent = path.parent
    what = f"cannot write the {option} file {path}"
    if path.is_dir():
        raise CannotWrite(f"{what}: it is a folder", hint=f"name a file, e.g. {path / 'plan.json'}")
    if not parent.exists():
        raise CannotWrite(f"{what}: the folder {parent} does not exist",
                          hint="create it first, or pick another path")
    if not parent.is_dir():
        raise CannotWrite(f"{what}: {parent} is a file, not a folder", hint="pick another path")


def write_text(path: Path, text: str, option: str) -> None:
    """Write through a temporary file in the same folder and rename: a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as err:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise os_error(err, f"cannot write the {option} file {path}") from None


def write_output(target: str, text: str, option: str) -> None:
    """`-` is stdout, flushed so the text comes before anything printed after it; else `write_text`."""
    if target == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_text(Path(target), text, option)
