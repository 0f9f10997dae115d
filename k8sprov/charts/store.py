"""Every chart archive k8sprov has verified, kept by content: `.k8sprov/archives/<sha256>.tgz`.

`charts/` holds only what the profiles pin now; the plan view needs the archive a release was installed
from to render its objects before the change, and a release's description names that archive's sha256.
Copies are hard links where the file system allows (no extra space), else copies; private like the rest
of `.k8sprov/`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

from k8sprov.private import private_dir


def store_dir(state_dir: Path) -> Path:
    return state_dir / "archives"


def find(state_dir: Path, sha256: str) -> Path | None:
    path = store_dir(state_dir) / f"{sha256.lower()}.tgz"
    return path if path.is_file() else None


def keep(state_dir: Path, archive: Path, sha256: str) -> None:
    """Keep `archive` (already verified to have `sha256`) under its digest; best effort, never fails."""
    with contextlib.suppress(OSError):
        folder = private_dir(store_dir(state_dir))
        dest = folder / f"{sha256.lower()}.tgz"
        if dest.is_file():
            return
        part = folder / f".{dest.name}.{os.getpid()}.part"
        part.unlink(missing_ok=True)
        try:
            os.link(archive, part)
        except OSError:
            shutil.copyfile(archive, part)
        part.replace(dest)
