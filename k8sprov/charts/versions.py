"""Pure version logic: parse SemVer 2 (a leading "v" tolerated), spot pre-releases, pick the newest stable."""

from __future__ import annotations

import re
from collections.abc import Iterable

_SEMVER = re.compile(
    r"^v?(?P<major>0|[1-9]\d*)(?:\.(?P<minor>0|[1-9]\d*))?(?:\.(?P<patch>0|[1-9]\d*))?"
    r"(?:-(?P<pre>[0-9A-Za-z.-]+))?(?:\+(?P<build>[0-9A-Za-z.-]+))?$"
)

Key = tuple[int, int, int, tuple[tuple[int, int | str], ...]]


def parse(version: str) -> Key | None:
    """A sort key for a SemVer version (build metadata ignored), or None if it is not one."""
    m = _SEMVER.match(version.strip())
    if not m:
        return None
    pre = m.group("pre")
    # A release sorts after all of its pre-releases: mark releases with a sentinel that compares highest.
    pre_key: tuple[tuple[int, int | str], ...] = ((2, 0),)
    if pre:
        pre_key = tuple((0, int(p)) if p.isdigit() else (1, p) for p in pre.split("."))
    return (int(m.group("major")), int(m.group("minor") or 0), int(m.group("patch") or 0), pre_key)


def is_stable(version: str) -> bool:
    m = _SEMVER.match(version.strip())
    return bool(m) and not m.group("pre")  # type: ignore[union-attr]


def newest_stable(versions: Iterable[str]) -> str | None:
    """The highest SemVer release (pre-releases and non-SemVer strings ignored), or None."""
    best: tuple[Key, str] | None = None
    for version in versions:
        key = parse(version)
        if key is None or not is_stable(version):
            continue
        if best is None or key > best[0]:
            best = (key, version)
    return best[1] if best else None


def same_version(a: str, b: str) -> bool:
    """Pins and index entries match exactly, or up to a leading "v" (some repositories tag v1.2.3)."""
    return a == b or a.lstrip("v") == b.lstrip("v")


def is_downgrade(before: str, after: str) -> bool:
    """`after` sorts below `before` (both SemVer); a version that does not parse is never a downgrade."""
    old, new = parse(before), parse(after)
    return old is not None and new is not None and new < old
