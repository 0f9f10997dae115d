"""What lint reports: findings with a severity, a place (file:line), the key path and what to do."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

Path_ = tuple[str, ...]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    severity: Severity
    file: str  # relative to the project root
    line: int | None
    path: str  # key path as the user writes it (`configs.params."server.insecure"`), or "" for the file
    message: str
    suggestion: str | None = None  # the known key meant, when one is close
    # The chart archive is not vendored, so the keys could not be checked: `plan` stops on that with its
    # own one-line error right after lint, and leaves these out.
    chart_missing: bool = field(default=False, compare=False)
    # A key lint could not follow through the templates (its warning may be settled by a render).
    unsure_key: Path_ | None = field(default=None, compare=False)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file

    def as_dict(self) -> dict[str, Any]:
        return {"severity": str(self.severity), "file": self.file, "line": self.line, "path": self.path,
                "message": self.message, "suggestion": self.suggestion}

    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.file, self.line or 0, self.path, self.message)


def show_path(path: Iterable[str]) -> str:
    """Keys joined with dots; a key that holds a dot (or is empty) is quoted so it is never read as two."""
    out = []
    for key in path:
        plain = key and all(c.isalnum() or c in "_-/" for c in key)
        out.append(key if plain else '"' + key.replace('"', '\\"') + '"')
    return ".".join(out)


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to a mistyped key, or None when nothing is close enough to be a guess."""
    pool = [c for c in candidates if c != word]
    if not pool:
        return None
    lowered = {c.lower(): c for c in pool}
    if word.lower() in lowered:  # case slip: `Replicas` for `replicas`
        return lowered[word.lower()]
    match = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    if match:
        return match[0]
    # A shortened name (`prod` for `production`) is still an obvious guess.
    starts = [c for c in pool if len(word) >= 3 and c.lower().startswith(word.lower())]
    return starts[0] if len(starts) == 1 else None


def did_you_mean(suggestion: str | None) -> str:
    return f"; did you mean {suggestion!r}?" if suggestion else ""


def is_number(text: str) -> bool:
    """Whether a string spells a number (a quoted number in YAML or HCL)."""
    try:
        float(text)
    except ValueError:
        return False
    return True
