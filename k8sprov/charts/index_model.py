"""What a classic repository's `index.yaml` holds for vendoring: entries by chart name, digests normalised.

Below both readers of an index — the line scanner (`index_scan`) and the repository client (`classic`) —
so neither imports the other for its types.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IndexEntry:
    version: str
    urls: tuple[str, ...]
    digest: str | None  # lowercase hex sha256, "sha256:" prefix stripped


Index = dict[str, list[IndexEntry]]


def normalize_digest(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().lower().removeprefix("sha256:")
