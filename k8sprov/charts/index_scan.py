"""A line reader for `index.yaml` as Helm and chart-releaser write it, ~10× faster than libyaml.

Real indexes are megabytes (argo-helm's ~1.5 MB, prometheus-community's more) and vendoring needs three
fields per entry: `version`, `urls` and `digest`. Helm writes them in one fixed block layout (Go's YAML
emitter, two-space indentation, lists at their key's indentation):

    entries:
      argo-cd:
      - annotations:
          artifacthub.io/changes: |
            - kind: changed
        digest: 4b…
        urls:
        - https://github.com/…/argo-cd-10.1.1.tgz
        version: 10.1.1

In that layout a line's indentation says what it is: column 2 starts a chart (`name:`) or an entry (`- `),
column 4 is a key of the entry or an item of its last list, and anything deeper (annotations, block
strings, maintainers) belongs to a key vendoring does not read. `scan_index` reads exactly that and answers
None for anything else — flow style, anchors, escapes, tabs, another indentation — so the caller falls back
to a full YAML parse and no index is ever read differently from what a YAML parser would make of it.
"""

from __future__ import annotations

import re

from k8sprov.charts.index_model import Index, IndexEntry, normalize_digest

_WANTED = ("version", "digest", "urls")
# Plain scalars YAML 1.1 would read as a number, a boolean or null ("1.10" is the float 1.1): left to YAML.
_TYPED = re.compile(
    r"[-+]?(\d[\d_]*)?(\.[\d_]*)?([eE][-+]?\d+)?|0x[0-9a-fA-F_]+|0o?[0-7_]+|[-+]?\.(inf|Inf|INF)|"
    r"\.(nan|NaN|NAN)|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|"
    r"~|null|Null|NULL|\d+(:[0-5]?\d)+(\.\d*)?"
)


def _scalar(text: str) -> str | None:
    """A plain or single-quoted scalar as YAML reads it; None for anything this reader does not handle."""
    text = text.strip()
    if not text:
        return None
    first = text[0]
    if first == "'":
        if len(text) < 2 or not text.endswith("'"):
            return None
        inner = text[1:-1]
        if "'" in inner.replace("''", ""):
            return None
        return inner.replace("''", "'")
    if first == '"':
        inner = text[1:-1]
        if len(text) < 2 or not text.endswith('"') or "\\" in inner or '"' in inner:
            return None
        return inner
    # Plain scalars: refuse the indicators that would make YAML read them as something else.
    if first in "&*!|>%@`[{#,?:-" or " #" in text or ": " in text or _TYPED.fullmatch(text):
        return None
    return text


def scan_index(text: str) -> Index | None:
    """index.yaml text -> entries by chart, or None when the text is not in Helm's own layout."""
    if "\t" in text or "\r" in text:
        return None
    index: Index = {}
    entries: list[IndexEntry] | None = None  # the current chart's list
    fields: dict[str, object] | None = None  # the current entry
    list_key: str | None = None  # the wanted key (urls) whose list items follow at column 4
    last_key: str | None = None  # the entry's last key at column 4 (its list items follow at column 4)
    in_entries = False
    seen_entries = False

    def close() -> bool:
        nonlocal fields
        if fields is None:
            return True
        version = fields.get("version")
        if not isinstance(version, str):
            return False  # an entry without a readable version: let YAML decide
        urls = fields.get("urls", ())
        digest = fields.get("digest")
        assert entries is not None
        entries.append(IndexEntry(version=version, urls=tuple(urls) if isinstance(urls, list) else (),
                                  digest=normalize_digest(digest)))
        fields = None
        return True

    for line in text.split("\n"):
        if not line or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        if indent == 0:
            if not close():
                return None
            key, sep, rest = line.partition(":")
            if not sep or key.startswith(("-", "'", '"', "?", "{", "[")) or line.startswith("---"):
                return None
            in_entries = key == "entries"
            if in_entries:
                if seen_entries or rest.strip():
                    return None  # a second entries key, or entries in flow style
                seen_entries = True
            entries = None
            continue
        if not in_entries:
            continue
        if indent == 2:
            body = line[2:]
            if body.startswith("- "):
                if entries is None or not close():
                    return None
                fields, list_key, last_key = {}, None, None
                body = body[2:]
                if body.startswith(" "):
                    return None
                indent, line = 4, "    " + body  # the entry's first key sits on the dash line
            else:
                if not close():
                    return None
                name, sep, rest = body.partition(":")
                chart = _scalar(name) if sep and not rest.strip() else None
                if chart is None or chart in index:
                    return None
                entries = index[chart] = []
                continue
        if fields is None:
            return None
        if indent == 4:
            body = line[4:]
            if body.startswith("- "):
                if last_key is None:
                    return None
                if list_key is None:
                    continue  # an item of a list vendoring does not read (keywords, dependencies)
                value = _scalar(body[2:])
                items = fields[list_key]
                if value is None or not isinstance(items, list):
                    return None
                items.append(value)
                continue
            key, sep, rest = body.partition(":")
            if not sep or key in fields or (rest and not rest.startswith(" ")):
                return None
            list_key, last_key = None, key
            if key in _WANTED:
                if not rest.strip():
                    if key != "urls":
                        return None
                    fields[key] = []
                    list_key = key
                elif key == "urls":
                    if rest.strip() != "[]":
                        return None
                    fields[key] = []
                else:
                    value = _scalar(rest)
                    if value is None:
                        return None
                    fields[key] = value
            continue
        if indent < 4 or (list_key is not None and not fields[list_key]):
            return None  # odd indentation, or a wanted list written deeper than Helm writes it
        # Deeper: the body of a key vendoring does not read (annotations, maintainers, block strings).
    if not close() or not seen_entries:
        return None
    return index
