"""Diff of helm_release `values` documents: YAML against YAML by key path, not a text blob.

`values` is a list of YAML strings. Documents are paired by position; each pair is parsed and diffed
leaf by leaf (`controller.replicas: 1 → 2`). A document that is not valid YAML falls back to a short
unified text diff. A document marked sensitive (or revealing a known secret) is masked as a whole:
values strings often embed passwords, and half a document can give a secret away.
"""

from __future__ import annotations

import difflib
from typing import Any

from k8sprov.credentials import is_credential_name
from k8sprov.planview.diff import diff_values
from k8sprov.planview.mask import Secrets, has_true, sub_mark
from k8sprov.planview.model import AttrChange, Mark, ValuesDoc

MAX_TEXT_DIFF_LINES = 200


class _Invalid:
    def __init__(self, error: str) -> None:
        self.error = error


def _jsonable(value: Any) -> Any:
    """YAML allows int/bool/null keys and timestamps; make the tree JSON-like so paths and sorting work."""
    if isinstance(value, dict):
        return {
            ("null" if k is None else str(k).lower() if isinstance(k, bool) else str(k)): _jsonable(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _parse(text: Any) -> Any:
    if not isinstance(text, str):
        return _jsonable(text)  # already structured (some tools write values as objects)
    import yaml  # lazily: only plans with helm values need it

    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is ~5x faster
    try:
        return _jsonable(yaml.load(text, Loader=loader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        return _Invalid(f"not valid YAML{where}")


def parse_values(text: Any) -> Any:
    """A values document as JSON-like data; None when it is not valid YAML."""
    value = _parse(text)
    return None if isinstance(value, _Invalid) else value


def _text_diff(before: Any, after: Any) -> tuple[str, ...]:
    a = before.splitlines() if isinstance(before, str) else []
    b = after.splitlines() if isinstance(after, str) else []
    lines = [
        line
        for line in difflib.unified_diff(a, b, "before", "after", lineterm="", n=1)
        if not line.startswith(("---", "+++"))
    ]
    if len(lines) > MAX_TEXT_DIFF_LINES:
        lines = [*lines[:MAX_TEXT_DIFF_LINES], f"… {len(lines) - MAX_TEXT_DIFF_LINES} more lines"]
    return tuple(lines)


def _hidden(value: Any) -> Any:
    return value if value is Mark.ABSENT or value is Mark.UNKNOWN else Mark.SENSITIVE


def _by_name(change: AttrChange) -> AttrChange:
    """A key whose name says credential (`adminPassword`, `apiToken`: k8sprov.credentials) is masked."""
    if not is_credential_name(change.path):
        return change
    return AttrChange(change.path, _hidden(change.before), _hidden(change.after))


def _docs(value: Any) -> list[Any]:
    if value is None or value is Mark.ABSENT:
        return []
    if isinstance(value, list):
        return value
    return [value]


def diff_values_docs(
    before: Any,
    after: Any,
    *,
    before_mark: Any = None,
    after_mark: Any = None,
    after_unknown: Any = None,
    secrets: Secrets | None = None,
) -> tuple[ValuesDoc, ...]:
    """Per-document diffs of two `values` lists.

    The marks are the `values` parts of before_sensitive, after_sensitive and after_unknown."""
    secrets = secrets or Secrets()
    if after_unknown is True:
        return (ValuesDoc(0, "unknown", note="values known after apply"),)
    b_docs, a_docs = _docs(before), _docs(after)
    result: list[ValuesDoc] = []
    for i in range(
        max(len(b_docs), len(a_docs), len(after_unknown) if isinstance(after_unknown, list) else 0)
    ):
        b = b_docs[i] if i < len(b_docs) else Mark.ABSENT
        a = a_docs[i] if i < len(a_docs) else Mark.ABSENT
        if sub_mark(after_unknown, i) is True:
            result.append(ValuesDoc(i, "unknown", note="known after apply"))
            continue
        if b == a:
            continue
        sensitive = (
            has_true(sub_mark(before_mark, i))
            or has_true(sub_mark(after_mark, i))
            or secrets.reveals(b if b is not Mark.ABSENT else None)
            or secrets.reveals(a if a is not Mark.ABSENT else None)
        )
        if sensitive:
            result.append(ValuesDoc(i, "sensitive", note="document marked sensitive; its diff is hidden"))
            continue
        b_val = _parse(b) if b is not Mark.ABSENT else Mark.ABSENT
        a_val = _parse(a) if a is not Mark.ABSENT else Mark.ABSENT
        if isinstance(b_val, _Invalid) or isinstance(a_val, _Invalid):
            bad = b_val if isinstance(b_val, _Invalid) else a_val
            assert isinstance(bad, _Invalid)
            side = "before" if bad is b_val else "after"
            result.append(ValuesDoc(i, "text", text_diff=_text_diff(b, a), note=f"{side}: {bad.error}"))
            continue
        status = "added" if b is Mark.ABSENT else "removed" if a is Mark.ABSENT else "changed"
        changes: list[AttrChange] = [_by_name(c) for c in diff_values(b_val, a_val, secrets=secrets)]
        if not changes and status == "changed":
            result.append(ValuesDoc(i, "changed", note="text changed, same values (formatting or comments)"))
            continue
        result.append(ValuesDoc(i, status, changes=tuple(changes)))
    return tuple(result)
