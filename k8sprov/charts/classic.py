"""Classic Helm repositories: `index.yaml`, fetched once per repository per run, cached on disk.

The cache (.k8sprov/cache/index/) keeps the ETag / Last-Modified of the last answer and a compact JSON copy of
the entries (name -> version, urls, digest), so a 304 costs no YAML parsing. YAML is parsed with libyaml's
CSafeLoader when PyYAML has it (argo-helm's 1.5 MB index: ~0.5 s instead of ~2 s).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
from pathlib import Path
from typing import Any

from k8sprov.charts.http import FetchError, Http
from k8sprov.charts.index_model import Index, IndexEntry, normalize_digest
from k8sprov.charts.index_scan import scan_index
from k8sprov.charts.sources import host_of, redact, repo_base
from k8sprov.private import write_private_atomic

__all__ = ["ClassicRepos", "Index", "IndexEntry", "normalize_digest", "parse_index", "parse_index_yaml"]


def parse_index(text: bytes, where: str) -> Index:
    """Pure: index.yaml bytes -> entries by chart name (only the fields vendoring needs).

    Indexes in Helm's own layout are read line by line (`index_scan`); anything else goes to libyaml."""
    try:
        scanned = scan_index(text.decode("utf-8"))
    except UnicodeDecodeError:
        scanned = None
    return scanned if scanned is not None else parse_index_yaml(text, where)


def parse_index_yaml(text: bytes, where: str) -> Index:
    """index.yaml bytes -> entries, through a full YAML parse (any layout YAML allows)."""
    import yaml

    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(text, Loader=loader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        raise FetchError(f"{where}: index.yaml is not valid YAML{at}", host=host_of(where)) from None
    if not isinstance(data, dict) or not isinstance(data.get("entries"), dict):
        raise FetchError(f"{where}: index.yaml has no entries", host=host_of(where))
    index: Index = {}
    for name, versions in data["entries"].items():
        if not isinstance(versions, list):
            continue
        items: list[IndexEntry] = []
        for raw in versions:
            if not isinstance(raw, dict) or raw.get("version") is None:
                continue
            urls = raw.get("urls") or []
            items.append(
                IndexEntry(
                    version=str(raw["version"]),
                    urls=tuple(str(u) for u in urls if isinstance(u, str)) if isinstance(urls, list) else (),
                    digest=normalize_digest(raw.get("digest")),
                )
            )
        index[str(name)] = items
    return index


def _dump(index: Index) -> dict[str, list[list[Any]]]:
    return {name: [[e.version, list(e.urls), e.digest] for e in entries] for name, entries in index.items()}


def _load(data: dict[str, list[list[Any]]]) -> Index:
    return {name: [IndexEntry(str(v), tuple(u), d) for v, u, d in entries] for name, entries in data.items()}


class ClassicRepos:
    """Index fetching for one run: each repository's index at most once, conditionally, then from memory."""

    def __init__(self, http: Http, cache_dir: Path) -> None:
        self.http = http
        self.cache_dir = cache_dir / "index"
        self._memo: dict[str, Index] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self.not_modified: set[str] = set()

    def _cache_file(self, index_url: str) -> Path:
        return self.cache_dir / (hashlib.sha256(index_url.encode()).hexdigest()[:32] + ".json")

    def index(self, repository: str) -> Index:
        url = repo_base(repository) + "index.yaml"
        with self._guard:
            lock = self._locks.setdefault(url, threading.Lock())
        with lock:
            if url not in self._memo:
                self._memo[url] = self._fetch(url)
            return self._memo[url]

    def _fetch(self, url: str) -> Index:
        cache = self._cache_file(url)
        cached: dict[str, Any] | None = None
        try:
            cached = json.loads(cache.read_text(encoding="utf-8"))
            if not isinstance(cached, dict) or cached.get("url") != url:
                cached = None
        except (OSError, ValueError):
            cached = None
        headers: dict[str, str] = {}
        if cached:
            if cached.get("etag"):
                headers["If-None-Match"] = cached["etag"]
            if cached.get("last_modified"):
                headers["If-Modified-Since"] = cached["last_modified"]
        response = self.http.get(url, headers, ok=(200, 304))
        if response.status == 304:
            try:
                index = _load(cached["entries"]) if cached else None
            except (KeyError, TypeError, ValueError, AttributeError):
                index = None
            if index is not None:
                self.not_modified.add(url)
                return index
            response = self.http.get(url)  # a damaged cache: ask again, unconditionally
        index = parse_index(response.body, redact(url))
        record = {
            "url": url,
            "etag": response.headers.get("etag"),
            "last_modified": response.headers.get("last-modified"),
            "entries": _dump(index),
        }
        # The record names the repository URL, which may carry a password: a private file.
        with contextlib.suppress(OSError):
            write_private_atomic(cache, json.dumps(record))
        return index
