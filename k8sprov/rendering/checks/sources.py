"""Where an offending value can be found in a release's values documents: `file:line`, best effort.

The rendered object no longer says which values key produced a field, so the values documents are read
with their line numbers and searched for a scalar equal to the offending value, preferring one whose key
is the field's own name (`memory: 1Gb` for `...limits.memory`), and the last document (it wins the merge).
Values that are everywhere (true, small numbers) are only matched under the field's own key."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from k8sprov.rendering.model import ValuesDoc


@dataclass(frozen=True)
class _Scalar:
    key: str | None
    value: Any
    line: int


class _Constructor(yaml.constructor.SafeConstructor):
    pass


def _scalars(text: str) -> list[_Scalar]:
    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return []
    constructor = _Constructor()
    found: list[_Scalar] = []

    def walk(node: yaml.Node, key: str | None) -> None:
        if isinstance(node, yaml.ScalarNode):
            try:
                value = constructor.construct_object(node)
            except yaml.YAMLError:
                value = node.value
            found.append(_Scalar(key, value, node.start_mark.line + 1))
        elif isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                name = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else None
                if name is not None:
                    found.append(_Scalar(None, name, key_node.start_mark.line + 1))  # a key can offend too
                walk(value_node, name)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                walk(item, key)

    if root is not None:
        walk(root, None)
    return found


def _same(a: Any, b: Any) -> bool:
    if type(a) is type(b):
        return bool(a == b)
    numbers = isinstance(a, int | float) and isinstance(b, int | float)
    return numbers and not isinstance(a, bool) and not isinstance(b, bool) and a == b


def _distinctive(value: Any) -> bool:
    if isinstance(value, str):
        return len(value) >= 2
    return isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool)
                                        and abs(value) >= 10)


class ValuesLocator:
    """Search a release's values documents; each document is read once, on the first search."""

    def __init__(self, docs: Sequence[ValuesDoc]) -> None:
        self._docs = docs
        self._read: list[list[_Scalar]] | None = None

    def find(self, value: Any, field: str | None) -> str | None:
        if value is None or isinstance(value, dict | list):
            return None
        if self._read is None:
            self._read = [_scalars(doc.text) for doc in self._docs]
        for doc, scalars in zip(reversed(self._docs), reversed(self._read), strict=True):
            keyed = [s for s in scalars if field is not None and s.key == field and _same(s.value, value)]
            if keyed:
                return f"{doc.origin}:{keyed[0].line}"
        if not _distinctive(value):
            return None
        for doc, scalars in zip(reversed(self._docs), reversed(self._read), strict=True):
            loose = [s for s in scalars if _same(s.value, value)]
            if loose:
                return f"{doc.origin}:{loose[0].line}"
        return None
