"""Terraform version constraints (`required_version`), as pure functions.

Implements the constraint syntax Terraform documents: comma-separated `=`, `!=`, `>`, `>=`, `<`, `<=`
and `~>` (pessimistic: `~> 1.5` allows 1.x ≥ 1.5, `~> 1.5.0` allows 1.5.x), bare versions meaning `=`.
Pre-release suffixes (`1.6.0-beta1`) sort before the release.
"""

from __future__ import annotations

import re

_VERSION = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?$")
_CLAUSE = re.compile(r"^\s*(=|!=|>=|<=|>|<|~>)?\s*(\S+)\s*$")

Version = tuple[int, int, int, tuple[int, str]]


def parse_version(text: str) -> Version:
    match = _VERSION.match(text.strip())
    if not match:
        raise ValueError(f"not a version: {text!r}")
    major, minor, patch, pre = match.groups()
    # A release sorts after any of its pre-releases.
    pre_key = (0, pre) if pre else (1, "")
    return int(major), int(minor or 0), int(patch or 0), pre_key


def _segments(text: str) -> int:
    return len(text.lstrip("v").split("-")[0].split("."))


def satisfies(version: str, constraint: str) -> bool:
    """True when `version` meets every clause of `constraint` (an empty constraint allows anything)."""
    have = parse_version(version)
    for clause in filter(None, (c.strip() for c in constraint.split(","))):
        match = _CLAUSE.match(clause)
        if not match:
            raise ValueError(f"not a version constraint: {clause!r}")
        op, wanted_text = match.group(1) or "=", match.group(2)
        wanted = parse_version(wanted_text)
        if op == "~>":
            segments = _segments(wanted_text)
            if have < wanted:
                return False
            # ~> 1.5 pins the major; ~> 1.5.0 pins major and minor.
            if segments <= 2 and have[0] != wanted[0]:
                return False
            if segments == 3 and have[:2] != wanted[:2]:
                return False
            continue
        ok = {
            "=": have == wanted,
            "!=": have != wanted,
            ">": have > wanted,
            ">=": have >= wanted,
            "<": have < wanted,
            "<=": have <= wanted,
        }[op]
        if not ok:
            return False
    return True
