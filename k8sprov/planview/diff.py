"""Leaf-level diff of two JSON values, honouring unknown and sensitive marks. Pure and allocation-light."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from k8sprov.planview.mask import Secrets, masked, sub_mark
from k8sprov.planview.model import AttrChange, Mark

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
ABSENT = Mark.ABSENT


def join_path(prefix: str, key: str | int) -> str:
    """`a.b[0]["x.y"]`: terraform-style paths; odd keys are quoted."""
    if isinstance(key, int):
        return f"{prefix}[{key}]"
    if _IDENT.match(key):
        return f"{prefix}.{key}" if prefix else key
    quoted = key.replace("\\", "\\\\").replace('"', '\\"')
    return f'{prefix}["{quoted}"]'


def format_path(parts: Sequence[Any]) -> str:
    path = ""
    for part in parts:
        path = join_path(path, part if isinstance(part, int) and not isinstance(part, bool) else str(part))
    return path


def _empty_mark(mark: Any) -> bool:
    return not mark  # None, False, {} and [] carry no `true`


def _side(value: Any, mark: Any, secrets: Secrets) -> Any:
    if value is ABSENT:
        return ABSENT
    if mark is True:
        return Mark.SENSITIVE
    if mark or secrets:
        return masked(value, mark, secrets)
    return value


def diff_values(
    before: Any,
    after: Any,
    *,
    before_sensitive: Any = None,
    after_sensitive: Any = None,
    after_unknown: Any = None,
    secrets: Secrets | None = None,
    path: str = "",
    out: list[AttrChange] | None = None,
) -> list[AttrChange]:
    """Changed leaves between `before` and `after` (use `Mark.ABSENT` for a missing side).

    A sensitive leaf shows as Mark.SENSITIVE, an unknown one as Mark.UNKNOWN. `null` and absent are the
    same (terraform does not show attributes that go from nothing to null).
    """
    result: list[AttrChange] = [] if out is None else out
    _walk(before, after, before_sensitive, after_sensitive, after_unknown, secrets or Secrets(), path, result)
    return result


def _walk(
    before: Any, after: Any, bs: Any, as_: Any, unk: Any, secrets: Secrets, path: str, out: list[AttrChange]
) -> None:
    if unk is True:
        out.append(
            AttrChange(path, _side(before, bs, secrets) if before is not None else ABSENT, Mark.UNKNOWN)
        )
        return
    if before is None:
        before = ABSENT
    if after is None:
        after = ABSENT
    if _empty_mark(unk) and before == after:
        return
    if bs is True or as_ is True:
        out.append(AttrChange(path, _side(before, bs, secrets), _side(after, as_, secrets)))
        return
    b_map, a_map = isinstance(before, Mapping), isinstance(after, Mapping)
    if (
        (b_map or before is ABSENT)
        and (a_map or after is ABSENT)
        and (b_map or a_map or isinstance(unk, Mapping))
    ):
        keys: dict[str, None] = {}
        if b_map:
            keys.update(dict.fromkeys(before))
        if a_map:
            keys.update(dict.fromkeys(after))
        if isinstance(unk, Mapping):
            keys.update(dict.fromkeys(unk))
        if not keys:  # {} against nothing
            out.append(AttrChange(path, _side(before, bs, secrets), _side(after, as_, secrets)))
            return
        for key in sorted(keys):
            _walk(
                before.get(key, ABSENT) if b_map else ABSENT,
                after.get(key, ABSENT) if a_map else ABSENT,
                sub_mark(bs, key),
                sub_mark(as_, key),
                sub_mark(unk, key),
                secrets,
                join_path(path, key),
                out,
            )
        return
    b_list, a_list = isinstance(before, list), isinstance(after, list)
    if (
        (b_list or before is ABSENT)
        and (a_list or after is ABSENT)
        and (b_list or a_list or isinstance(unk, list))
    ):
        n = max(
            len(before) if b_list else 0,
            len(after) if a_list else 0,
            len(unk) if isinstance(unk, list) else 0,
        )
        if n == 0:
            out.append(AttrChange(path, _side(before, bs, secrets), _side(after, as_, secrets)))
            return
        for i in range(n):
            _walk(
                before[i] if b_list and i < len(before) else ABSENT,
                after[i] if a_list and i < len(after) else ABSENT,
                sub_mark(bs, i),
                sub_mark(as_, i),
                sub_mark(unk, i),
                secrets,
                join_path(path, i),
                out,
            )
        return
    out.append(AttrChange(path, _side(before, bs, secrets), _side(after, as_, secrets)))
