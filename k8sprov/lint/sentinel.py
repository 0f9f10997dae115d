"""Keys lint cannot follow through the templates, settled by one real render with sentinel values.

Reading templates finds most of what a chart uses, but not what it passes on whole (`toYaml
.Values.server.podLabels`, `tpl`, helpers of helpers). For each key lint is unsure of, every string in
its value is replaced by a unique sentinel and the chart is rendered once with Helm: a key whose
sentinel reaches the output is used, and its warning goes. A typo's sentinel reaches nothing, so typos
keep theirs. Numbers and booleans are left as they are (a sentinel in their place could change what the
templates do); a key holding only those stays unsure. The answer is kept by the archive's and the values
file's hashes.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable, Sequence
from typing import Any

from k8sprov.lint.model import Finding, Path_

_PREFIX = "k8sprov-lint-sentinel-"

# (values YAML text) -> rendered manifest, or None when Helm could not render it
Render = Callable[[str], str | None]


def _mark_strings(value: Any, make: Callable[[], str]) -> tuple[Any, list[str]]:
    """`value` with every string leaf replaced by a fresh sentinel, and the sentinels used."""
    if isinstance(value, str):
        sentinel = make()
        return sentinel, [sentinel]
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        used: list[str] = []
        for key, item in value.items():
            out[key], more = _mark_strings(item, make)
            used += more
        return out, used
    if isinstance(value, list):
        items: list[Any] = []
        used = []
        for item in value:
            marked, more = _mark_strings(item, make)
            items.append(marked)
            used += more
        return items, used
    return value, []


def _get(data: Any, path: Path_) -> tuple[dict[Any, Any], Any] | None:
    """(parent mapping, key as written) of `path` in the parsed values, matching keys as lint shows them."""
    node = data
    for step in path[:-1]:
        if not isinstance(node, dict):
            return None
        node = next((v for k, v in node.items() if _key(k) == step), None)
    if not isinstance(node, dict):
        return None
    key = next((k for k in node if _key(k) == path[-1]), None)
    return (node, key) if key is not None else None


def _key(raw: Any) -> str:
    return "true" if raw is True else "false" if raw is False else str(raw)


def settle(findings: Sequence[Finding], data: Any, render: Render) -> list[Finding]:
    """`findings` without the unsure-key warnings whose values reach the rendered output."""
    unsure = [f for f in findings if f.unsure_key is not None]
    if not unsure or not isinstance(data, dict):
        return list(findings)
    import yaml

    marked = copy.deepcopy(data)
    counter = iter(range(1, 1 << 30))
    sentinels: dict[int, list[str]] = {}
    for index, finding in enumerate(unsure):
        assert finding.unsure_key is not None
        found = _get(marked, finding.unsure_key)
        if found is None:
            continue
        parent, key = found
        parent[key], sentinels[index] = _mark_strings(parent[key], lambda: f"{_PREFIX}{next(counter)}")
    if not any(sentinels.values()):
        return list(findings)
    output = render(yaml.safe_dump(marked, sort_keys=False))
    if output is None:
        return list(findings)
    used = {id(unsure[i]) for i, marks in sentinels.items() if any(m in output for m in marks)}
    return [f for f in findings if id(f) not in used]


def cache_key(archive_sha256: str, text: str, paths: Sequence[Path_]) -> str:
    digest = hashlib.sha256()
    for part in (archive_sha256, text, repr(sorted(paths))):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()
