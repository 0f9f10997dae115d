"""Helm values as the tests handle them: nested mappings merged the way Helm layers values files."""

from __future__ import annotations

from typing import Any


def deep_merge(into: dict[str, Any], new: dict[str, Any]) -> None:
    """Merge `new` into `into` in place: mappings merge key by key, anything else replaces."""
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            deep_merge(into[key], value)
        else:
            into[key] = value
