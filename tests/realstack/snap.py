"""Snapshots of plan views rendered from real-stack plans (K8SPROV_UPDATE_SNAPSHOTS=1 rewrites them)."""

from __future__ import annotations

import os
import re
from pathlib import Path

SNAPSHOTS = Path(__file__).parent / "snapshots"
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}| UTC)?")


def normalise(text: str, root: Path) -> str:
    """The temporary project's path and every timestamp replaced by placeholders."""
    return _TIME.sub("<time>", text.replace(str(root), "<project>"))


def check_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("K8SPROV_UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.is_file(), f"snapshot {path} missing: run with K8SPROV_UPDATE_SNAPSHOTS=1 to create it"
    assert text == path.read_text(encoding="utf-8"), (
        f"output differs from snapshot {name} (K8SPROV_UPDATE_SNAPSHOTS=1 to accept)")
