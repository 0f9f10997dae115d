"""Snapshot files for rendered views: compare, or rewrite them with K8SPROV_UPDATE_SNAPSHOTS=1."""

from __future__ import annotations

import os
from pathlib import Path


def check_snapshot(path: Path, text: str) -> None:
    """Compare `text` with the file at `path`; K8SPROV_UPDATE_SNAPSHOTS=1 rewrites it instead."""
    if os.environ.get("K8SPROV_UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.is_file(), f"snapshot {path} missing: run with K8SPROV_UPDATE_SNAPSHOTS=1 to create it"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"output differs from snapshot {path} (K8SPROV_UPDATE_SNAPSHOTS=1 to accept)"
