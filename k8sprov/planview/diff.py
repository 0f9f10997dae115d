"""Leaf-level diff of two JSON values, honouring unknown and sensitive marks. Pure and allocation-light."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any

from k8sprov.planview.mask import Secrets, has_true, masked
from k8sprov.planview.model import AttrChange, Mark

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
ABSENT = Mark.ABSENT


def join_path(prefix: str, key: str | int) -> str:
    """`a.b[0]["x.y"]`: terraform-style paths; odd keys are quoted."""
    if isinstance(key, int):
        return f"{prefix}[{key}]"
    if _ident(key):
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
    if mark or secrets.active:
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
    walk(before, after, before_sensitive, after_sensitive, after_unknown, secrets or Secrets(), path, result)
    return result


def attribute_changes(before: Any, after: Any, bs: Any, as_: Any, unk: Any,
                      secrets: Secrets) -> tuple[AttrChange, ...]:
    """Every attribute change of one resource, masked (what `ResourceChange.attributes` computes lazily)."""
    found: list[AttrChange] = []
    walk(before, after, bs, as_, unk, secrets, "", found)
    return tuple(found)


def walk(
    before: Any, after: Any, bs: Any, as_: Any, unk: Any, secrets: Secrets, path: str, out: list[AttrChange]
) -> None:
    """diff_values' worker: appends to `out`. `secrets` must not be None."""
    # Hot path (runs for every attribute of every change): plain dict/list checks, marks inlined.
    # Inside a container a mark is a dict, a list, or falsy: `true` returned before we recurse.
    if unk is True:
        out.append(AttrChange(path, ABSENT if before is None else _side(before, bs, secrets), Mark.UNKNOWN))
        return
    if before is None:
        before = ABSENT
    if after is None:
        after = ABSENT
    # An after_unknown structure with no `true` in it (`[{}]`) says nothing is unknown.
    if before == after and (not unk or not has_true(unk)):
        return
    if bs is True or as_ is True:
        out.append(AttrChange(path, _side(before, bs, secrets), _side(after, as_, secrets)))
        return
    tb, ta, tu = type(before), type(after), type(unk)
    if (
        (tb is dict or before is ABSENT)
        and (ta is dict or after is ABSENT)
        and (tb is dict or ta is dict or tu is dict)
    ):
        if tb is dict and ta is dict:
            keys = before.keys() | after.keys()
        else:
            keys = set(before if tb is dict else after if ta is dict else ())
        if tu is dict:
            keys |= unk.keys()
        if not keys:  # {} against nothing
            out.append(AttrChange(path, _side(before, bs, secrets), _side(after, as_, secrets)))
            return
        bs_d = bs if type(bs) is dict else None
        as_d = as_ if type(as_) is dict else None
        unk_d = unk if tu is dict else None
        prefix = path + "." if path else ""
        for key in sorted(keys):
            walk(
                before.get(key, ABSENT) if tb is dict else ABSENT,
                after.get(key, ABSENT) if ta is dict else ABSENT,
                bs_d.get(key) if bs_d else None,
                as_d.get(key) if as_d else None,
                unk_d.get(key) if unk_d else None,
                secrets,
                prefix + key if _ident(key) else join_path(path, key),
                out,
            )
        return
    if (
        (tb is list or before is ABSENT)
        and (ta is list or after is ABSENT)
        and (tb is list or ta is list or tu is list)
    ):
        nb = len(before) if tb is list else 0
        na = len(after) if ta is list else 0
        n = max(nb, na, len(unk) if tu is list else 0)
        if n == 0:
            out.append(AttrChange(path, _side(before, bs, secrets), _side(after, as_, secrets)))
            return
        bs_l = bs if type(bs) is list else None
        as_l = as_ if type(as_) is list else None
        unk_l = unk if tu is list else None
        for i in range(n):
            walk(
                before[i] if i < nb else ABSENT,
                after[i] if i < na else ABSENT,
                bs_l[i] if bs_l and i < len(bs_l) else None,
                as_l[i] if as_l and i < len(as_l) else None,
                unk_l[i] if unk_l and i < len(unk_l) else None,
                secrets,
                f"{path}[{i}]",
                out,
            )
        return
    out.append(AttrChange(path, _side(before, bs, secrets), _side(after, as_, secrets)))


@functools.lru_cache(maxsize=4096)
def _ident(key: str) -> bool:
    return bool(_IDENT.match(key))
