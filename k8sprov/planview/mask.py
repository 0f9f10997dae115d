"""Sensitive-value masking.

Terraform keeps sensitive values in `before`/`after` and only *marks* them in `before_sensitive` /
`after_sensitive` (a bool, or a structure mirroring the value with `true` at sensitive leaves). We mask
by those marks, and as a second line of defence we remember every string known to be secret (marked
attribute values, sensitive outputs, sensitive variables) and mask any other string that contains one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from k8sprov.planview.model import Mark

# Shorter secrets are matched only as whole strings, to avoid masking half the plan for a "1".
_SUBSTRING_MIN = 6
_EXACT_MIN = 3


def sub_mark(mark: Any, key: str | int) -> Any:
    """The mark of a child: `true` covers the whole subtree, a dict/list mirrors the value."""
    if not mark:
        return None
    if mark is True:
        return True
    if isinstance(mark, Mapping) and isinstance(key, str):
        return mark.get(key)
    if isinstance(mark, list) and isinstance(key, int):
        return mark[key] if 0 <= key < len(mark) else None
    return None


def has_true(mark: Any) -> bool:
    """Whether any part of a mark structure is `true`."""
    if mark is True:
        return True
    if isinstance(mark, Mapping):
        return any(has_true(v) for v in mark.values())
    if isinstance(mark, list):
        return any(has_true(v) for v in mark)
    return False


def iter_strings(value: Any) -> Iterable[str]:
    """Every string (keys excluded) inside a JSON value; numbers count as their text."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int | float):
        yield str(value)
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from iter_strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from iter_strings(v)


def marked_values(value: Any, mark: Any) -> Iterable[Any]:
    """The parts of `value` that `mark` flags as sensitive."""
    if mark is True:
        yield value
    elif isinstance(mark, Mapping) and isinstance(value, Mapping):
        for key, sub in mark.items():
            if sub and key in value:
                yield from marked_values(value[key], sub)
    elif isinstance(mark, list) and isinstance(value, list):
        for i, sub in enumerate(mark):
            if sub and i < len(value):
                yield from marked_values(value[i], sub)


# Substring search costs (strings shown) × (secrets searched for): beyond this many long secrets the rest
# are matched as whole strings only. Variables and outputs are added first, so they keep substring search;
# values marked in resources are masked by their marks anyway, this is the second line of defence.
MAX_SUBSTRING_SECRETS = 64


class Secrets:
    """Strings known to be secret; `hit(s)` says whether a string reveals one."""

    def __init__(self) -> None:
        self._search: list[str] = []  # searched for inside other strings
        self._exact: set[str] = set()  # matched as whole strings
        self.active = False  # a plain attribute: checked in hot loops

    def add_value(self, value: Any) -> None:
        for text in iter_strings(value):
            if len(text) < _EXACT_MIN or text in self._exact:
                continue
            self._exact.add(text)
            if len(text) >= _SUBSTRING_MIN and len(self._search) < MAX_SUBSTRING_SECRETS:
                self._search.append(text)
        self.active = bool(self._exact)

    def with_values(self, values: Iterable[Any]) -> Secrets:
        """A copy that also knows `values`: secrets that matter to one part of the plan only."""
        other = Secrets()
        other._search = list(self._search)
        other._exact = set(self._exact)
        for value in values:
            other.add_value(value)
        other.active = bool(other._exact)
        return other

    def __bool__(self) -> bool:
        return self.active

    def hit(self, text: str) -> bool:
        if text in self._exact:
            return True
        return any(secret in text for secret in self._search)

    def scrub(self, text: str) -> str:
        """Replace every secret inside free text (diagnostics) by the mask."""
        if text in self._exact:
            return Mark.SENSITIVE.value
        for secret in sorted(self._search, key=len, reverse=True):
            text = text.replace(secret, Mark.SENSITIVE.value)
        return text

    def reveals(self, value: Any) -> bool:
        """Whether any string inside a JSON value reveals a secret."""
        if not self.active:
            return False
        return any(self.hit(t) for t in iter_strings(value))


def masked(value: Any, mark: Any, secrets: Secrets) -> Any:
    """A copy of `value` safe to show: marked parts and strings revealing a secret become Mark.SENSITIVE."""
    if mark is True:
        return Mark.SENSITIVE
    if isinstance(value, str):
        return Mark.SENSITIVE if secrets.active and secrets.hit(value) else value
    if isinstance(value, Mapping):
        return {k: masked(v, sub_mark(mark, k), secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v, sub_mark(mark, i), secrets) for i, v in enumerate(value)]
    if (
        secrets.active
        and isinstance(value, int | float)
        and not isinstance(value, bool)
        and secrets.hit(str(value))
    ):
        return Mark.SENSITIVE
    return value
