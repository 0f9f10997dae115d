"""Pinned signing keys: a catalog entry's `signed_by` fingerprint and its armored key under infra/keys/."""

from __future__ import annotations

import re
from pathlib import Path

KEYS_DIR = Path("infra") / "keys"
_FINGERPRINT = re.compile(r"^[0-9A-F]{40}$")


def normalize_fingerprint(value: str) -> str | None:
    """The fingerprint in upper case without the spaces gpg prints, or None when it is not 40 hex digits."""
    compact = value.replace(" ", "").upper()
    return compact if _FINGERPRINT.match(compact) else None


def key_file(root: Path, fingerprint: str) -> Path:
    return root / KEYS_DIR / f"{fingerprint}.asc"


def short(fingerprint: str) -> str:
    """The last 16 digits (the long key id) — what people compare by eye."""
    return fingerprint[-16:]
