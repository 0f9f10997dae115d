"""Small JSON caches under .k8sprov/cache/: facts k8sprov keeps so that it need not redo slow work.

python-hcl2 builds its parser on every start (0.1-1 s) and `terraform version` is a process start: the
profile of a var file, its connection settings, doctor's facts of a .tf file and a binary's version are
each kept by a key that changes when their source does (its content hash, or a binary's path, mtime and
size). A cache is a file of key -> value, newest last and bounded, written private (var files may hold
secrets); a missing, broken or unwritable cache only costs the time it was meant to save.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path
from typing import Any


def content_key(path: Path) -> str:
    """The sha256 of a file's bytes (OSError reaches the caller)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


class JsonCache:
    def __init__(self, path: Path, limit: int) -> None:
        self.path = path
        self.limit = limit
        self._entries: dict[str, Any] | None = None

    def _load(self) -> dict[str, Any]:
        if self._entries is None:
            try:
                loaded = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                loaded = None
            self._entries = loaded if isinstance(loaded, dict) else {}
        return self._entries

    def get(self, key: str) -> Any:
        """The value kept for `key`, or None."""
        return self._load().get(key)

    def put(self, key: str, value: Any) -> None:
        """Keep `value` as the newest entry; the oldest fall off past the limit."""
        from k8sprov.private import write_private_atomic

        entries = self._load()
        entries.pop(key, None)
        entries[key] = value
        self._entries = dict(list(entries.items())[-self.limit:])
        with contextlib.suppress(OSError, TypeError, ValueError):
            write_private_atomic(self.path, json.dumps(self._entries, default=str))
