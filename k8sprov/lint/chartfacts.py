"""What a chart archive says about its values, read straight from the .tgz (nothing is extracted to disk).

`ChartFacts.tree` is one node per key path the chart knows (JSON-ready, so it can be cached):
`{"c": {key: node}, "t": default's type, "f": 1 if free-form, "o": 1 if unsure, "a": [path it mirrors]}`.
Known = the default `values.yaml` (subcharts under their name or alias, `global` always) ∪ what the
templates read ∪ anything under a map they consume whole. Facts are cached by the archive's sha256.
"""

from __future__ import annotations

import contextlib
import io
import json
import posixpath
import tarfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import k8sprov.lint.gotemplate as gotemplate
from k8sprov.private import write_private_atomic

FACTS_VERSION = 1  # bump when what is read from a chart changes: cached facts of older readers are dropped
Node = dict[str, Any]
Path_ = tuple[str, ...]

_MAX_MEMBER = 16 * 1024 * 1024
_MAX_TOTAL = 128 * 1024 * 1024


class ChartReadError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class ChartFacts:
    chart: str
    version: str
    tree: Node
    # values.schema.json of the chart or a subchart: where it applies, the schema, and the dependency
    # conditions that switch the subchart off (Helm validates enabled charts only).
    schemas: list[dict[str, Any]] = field(default_factory=list)
    defaults: dict[str, Any] | None = None  # the chart's coalesced defaults, kept when a schema needs them

    def to_json(self) -> dict[str, Any]:
        return {"v": FACTS_VERSION, "chart": self.chart, "version": self.version, "tree": self.tree,
                "schemas": self.schemas, "defaults": self.defaults}

    @classmethod
    def from_json(cls, data: Any) -> ChartFacts:
        if not isinstance(data, dict) or data.get("v") != FACTS_VERSION or not isinstance(
                data.get("tree"), dict):
            raise ValueError("not chart facts of this version")
        return cls(chart=str(data["chart"]), version=str(data["version"]), tree=data["tree"],
                   schemas=list(data.get("schemas") or []), defaults=data.get("defaults"))


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "num"
    if isinstance(value, str):
        return "str"
    if isinstance(value, dict):
        return "map"
    if isinstance(value, list):
        return "list"
    return "str"


# -- reading the archive ----------------------------------------------------------------------------

@dataclass
class _Chart:
    files: dict[str, bytes] = field(default_factory=dict)  # path inside the chart folder -> bytes
    subcharts: dict[str, _Chart] = field(default_factory=dict)  # folder under charts/ -> chart


def _wanted(rel: str) -> bool:
    return rel in ("Chart.yaml", "values.yaml", "values.schema.json") or rel.startswith("templates/") or (
        rel.startswith("charts/") and rel.endswith((".tgz", ".tar.gz")))


def _read_tar(data: bytes, depth: int = 0) -> _Chart:
    """The chart in an archive's bytes, subcharts (folders or nested archives) included."""
    if depth > 4:
        raise ChartReadError("subcharts nested too deep")
    top = _Chart()
    total = 0
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            for member in tar:
                if not member.isfile():
                    continue
                parts = posixpath.normpath(member.name).split("/")
                if len(parts) < 2 or ".." in parts or parts[0] in ("", "."):
                    continue
                chart, rest = top, parts[1:]
                # argo-cd/charts/redis-ha/templates/x.yaml -> subchart "redis-ha", file templates/x.yaml
                while len(rest) > 2 and rest[0] == "charts":
                    chart = chart.subcharts.setdefault(rest[1], _Chart())
                    rest = rest[2:]
                rel = "/".join(rest)
                if not _wanted(rel):
                    continue
                if member.size > _MAX_MEMBER:
                    raise ChartReadError(f"{member.name} is {member.size} bytes")
                total += member.size
                if total > _MAX_TOTAL:
                    raise ChartReadError("archive unpacks to too many bytes")
                handle = tar.extractfile(member)
                if handle is None:
                    continue
                raw = handle.read()
                if rel.startswith("charts/") and "/" not in rel[len("charts/"):]:
                    nested = _read_tar(raw, depth + 1)
                    name = rel[len("charts/"):].rsplit(".t", 1)[0]
                    chart.subcharts[name] = nested
                else:
                    chart.files[rel] = raw
    except ChartReadError:
        raise
    except (tarfile.TarError, EOFError, zlib.error, OSError) as err:
        raise ChartReadError(f"not a readable chart archive ({err.__class__.__name__})") from None
    return top


def _yaml(raw: bytes | None, what: str) -> Any:
    import yaml

    if raw is None:
        return None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(raw, Loader=loader)
    except yaml.YAMLError:
        raise ChartReadError(f"{what} is not valid YAML") from None


# -- building the facts ---------------------------------------------------------------------------

def _node(tree: Node, path: Path_) -> Node:
    node = tree
    for key in path:
        node = node.setdefault("c", {}).setdefault(key, {})
    return node


def _add_defaults(tree: Node, path: Path_, value: Any, *, override: bool) -> None:
    node = _node(tree, path)
    if override or "t" not in node:
        node["t"] = type_name(value)
    if isinstance(value, dict):
        for key, child in value.items():
            _add_defaults(tree, (*path, str(key)), child, override=override)


def coalesce(base: Any, over: Any) -> Any:
    """Helm's merge of values: maps merge key by key, anything else in `over` wins, null deletes."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, value in over.items():
            if value is None:
                out.pop(key, None)
            else:
                out[key] = coalesce(out.get(key), value)
        return out
    return base if over is None else over


def facts_from_archive(data: bytes) -> ChartFacts:
    """Pure: the ChartFacts of a chart archive's bytes."""
    chart = _read_tar(data)
    meta = _yaml(chart.files.get("Chart.yaml"), "Chart.yaml")
    if not isinstance(meta, dict):
        raise ChartReadError("no Chart.yaml in the archive")
    tree: Node = {"c": {"global": {"t": "map", "o": 1}}}
    templates: list[tuple[str, Path_]] = []
    schemas: list[dict[str, Any]] = []
    defaults = _collect(chart, meta, (), tree, templates, schemas, conditions=[])
    facts = gotemplate.analyze(templates)
    for path in facts.read:
        _node(tree, path)
    for path in facts.opaque:
        _node(tree, path)["o"] = 1
    for path in facts.free:
        _node(tree, path)["f"] = 1
    for path, shape in facts.alias.items():
        _node(tree, path)["a"] = list(shape)
        _node(tree, shape)
    return ChartFacts(chart=str(meta.get("name", "")), version=str(meta.get("version", "")), tree=tree,
                      schemas=schemas, defaults=defaults if schemas else None)


def _collect(chart: _Chart, meta: dict[str, Any], prefix: Path_, tree: Node,
             templates: list[tuple[str, Path_]], schemas: list[dict[str, Any]],
             conditions: list[list[str]]) -> dict[str, Any]:
    """Walk one chart and its subcharts; return its coalesced defaults (its own values.yaml wins)."""
    values = _yaml(chart.files.get("values.yaml"), f"{'/'.join(prefix) or 'chart'} values.yaml")
    own: dict[str, Any] = values if isinstance(values, dict) else {}
    for key, value in own.items():
        if prefix and key == "global":
            _add_defaults(tree, ("global",), value, override=False)
        else:
            _add_defaults(tree, (*prefix, str(key)), value, override=True)
    for rel, raw in chart.files.items():
        if rel.startswith("templates/"):
            templates.append((raw.decode("utf-8", errors="replace"), prefix))
    raw_deps = meta.get("dependencies")
    deps: list[Any] = raw_deps if isinstance(raw_deps, list) else []
    coalesced = dict(own)
    for folder, sub in chart.subcharts.items():
        sub_meta = _yaml(sub.files.get("Chart.yaml"), f"charts/{folder}/Chart.yaml")
        if not isinstance(sub_meta, dict):
            continue
        name = str(sub_meta.get("name") or folder)
        entries = [d for d in deps if isinstance(d, dict) and d.get("name") == name] or [{"name": name}]
        for dep in entries:
            key = str(dep.get("alias") or name)
            cond = [c.strip().split(".") for c in str(dep.get("condition") or "").split(",") if c.strip()]
            for path in cond:
                _node(tree, (*prefix, *path))
            for tag in dep.get("tags") or []:
                _node(tree, ("tags", str(tag)))
            sub_prefix = (*prefix, key)
            _node(tree, sub_prefix)
            sub_defaults = _collect(sub, sub_meta, sub_prefix, tree, templates, schemas,
                                    conditions + [[*prefix, *p] for p in cond])
            # Re-apply the parent's overrides of this subchart so their types win over the subchart's.
            if isinstance(own.get(key), dict):
                _add_defaults(tree, sub_prefix, own[key], override=True)
            coalesced[key] = coalesce(sub_defaults, own.get(key))
    raw_schema = chart.files.get("values.schema.json")
    if raw_schema is not None:
        try:
            schema = json.loads(raw_schema)
        except ValueError:
            where = "/".join(prefix) or "chart"
            raise ChartReadError(f"{where} values.schema.json is not valid JSON") from None
        schemas.append({"prefix": list(prefix), "schema": schema, "conditions": conditions})
    return coalesced


# -- cache -------------------------------------------------------------------------------------------

def load_facts(archive: Path, cache_dir: Path | None) -> ChartFacts:
    """Facts of one archive: from the cache when its sha256 is known there, else read and cached."""
    import hashlib

    data = archive.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    cache_file = cache_dir / f"{digest}.json" if cache_dir is not None else None
    if cache_file is not None:
        try:
            return ChartFacts.from_json(json.loads(cache_file.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            pass  # missing or broken: read the archive and write it again
    facts = facts_from_archive(data)
    if cache_file is not None:
        write_private(cache_file, json.dumps(facts.to_json(), separators=(",", ":")))
    return facts


def write_private(path: Path, text: str) -> None:
    """A cache file only the user can read (chart facts hold values; var files may hold secrets)."""
    with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
        write_private_atomic(path, text)
