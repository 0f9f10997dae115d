"""Snapshots of plan views rendered from real-stack plans (K8SPROV_UPDATE_SNAPSHOTS=1 rewrites them)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.kit import snapshot

SNAPSHOTS = Path(__file__).parent / "snapshots"
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}| UTC)?")


def normalise(text: str, root: Path) -> str:
    """The temporary project's path and every timestamp replaced by placeholders."""
    return _TIME.sub("<time>", text.replace(str(root), "<project>"))


def check_snapshot(name: str, text: str) -> None:
    snapshot.check_snapshot(SNAPSHOTS / name, text)
