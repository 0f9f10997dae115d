"""Read `helm template` output into objects: one YAML document each, with Helm's `# Source:` line."""

from __future__ import annotations

import re
from typing import Any

import yaml

from k8sprov.rendering.model import RenderedObject

_SOURCE = re.compile(r"^# Source: (?P<source>.+)$", re.MULTILINE)
_SEPARATOR = re.compile(r"^---[ \t]*$", re.MULTILINE)


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The C loader (~5x faster), plus YAML 1.1's `=` value tag read as the plain string it is in YAML 1.2:
    prometheus-operator-crds renders an enum item written as a bare `=` (AlertmanagerConfig matchType)."""


def _value_tag(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    return str(loader.construct_scalar(node))  # type: ignore[arg-type]


_Loader.add_constructor("tag:yaml.org,2002:value", _value_tag)


def load_yaml(text: str) -> Any:
    """One YAML document, read as Kubernetes does (JSON-compatible values)."""
    return yaml.load(text, Loader=_Loader)


def parse_manifest(text: str, *, release: str, namespace: str) -> tuple[RenderedObject, ...]:
    """Every non-empty document of a rendered manifest, in Helm's order (CRDs first with --include-crds).

    A `List` kind is unwrapped into its items, as kubectl and Helm do."""
    objects: list[RenderedObject] = []
    for chunk in _SEPARATOR.split(text):
        if not chunk.strip():
            continue
        match = _SOURCE.search(chunk)
        source = match.group("source").strip() if match else ""
        body = load_yaml(chunk)
        if not isinstance(body, dict):
            continue
        items = body.get("items") if str(body.get("kind", "")).endswith("List") else None
        for item in (items if isinstance(items, list) else [body]):
            if isinstance(item, dict) and item:
                objects.append(RenderedObject(release=release, release_namespace=namespace, source=source,
                                              body=item))
    return tuple(objects)
