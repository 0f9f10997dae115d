"""The one source of truth for charts: `local.chart_catalog` and `local.chart_versions` in versions.tf.

`parse_catalog` is pure (HCL data in, Catalog out); `load_catalog` reads the file with python-hcl2 and keeps a
small JSON cache under .k8sprov/cache/ keyed by the file's size and mtime, because `k8sprov plan` reads the
catalog on every run and lark is slow to start.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from k8sprov.charts.model import ChartSpec, Pin
from k8sprov.errors import ProjectError
from k8sprov.private import write_private_atomic
from k8sprov.project import PROFILES, Project

_CACHE_VERSION = 3


@dataclass(frozen=True)
class Catalog:
    charts: dict[str, ChartSpec]  # by catalog key, in install order
    versions: dict[str, dict[str, str]]  # profile -> catalog key -> version

    @property
    def profiles(self) -> list[str]:
        known = [p for p in PROFILES if p in self.versions]
        return known + sorted(p for p in self.versions if p not in PROFILES)

    def pins(self, profiles: list[str] | None = None) -> list[Pin]:
        """Every (chart, version) the given profiles (default: all) pin, with the profiles pinning it."""
        chosen = self.profiles if profiles is None else profiles
        by_key: dict[tuple[str, str], list[str]] = {}
        for profile in chosen:
            for key, version in self.versions.get(profile, {}).items():
                by_key.setdefault((key, version), []).append(profile)
        order = {key: i for i, key in enumerate(self.charts)}
        pins = [Pin(self.charts[key], version, tuple(profs)) for (key, version), profs in by_key.items()]
        return sorted(pins, key=lambda p: (order[p.spec.key], p.name, p.version))

    def lockstep(self, key: str) -> list[str]:
        """The charts released in lockstep with `key` (its release group, `key` included), install order."""
        group = self.charts[key].release_group
        if group is None:
            return [key]
        return [k for k, spec in self.charts.items() if spec.release_group == group]

    def pinned_archives(self) -> set[str]:
        return {pin.archive_name for pin in self.pins()}


def _block(data: dict[str, Any], name: str) -> Any:
    for block in data.get("locals", []):
        if isinstance(block, dict) and name in block:
            return block[name]
    return None


def parse_catalog(data: dict[str, Any], where: str) -> Catalog:
    """Turn parsed versions.tf into a Catalog; every problem names the file and the entry."""
    raw_catalog = _block(data, "chart_catalog")
    raw_versions = _block(data, "chart_versions")
    if not isinstance(raw_catalog, dict) or not isinstance(raw_versions, dict):
        raise ProjectError(
            f"{where}: needs locals chart_catalog and chart_versions (maps)",
            hint="see docs/charts.md, where versions come from",
        )
    charts: dict[str, ChartSpec] = {}
    for key, entry in raw_catalog.items():
        if not isinstance(entry, dict):
            raise ProjectError(f"{where}: chart_catalog[{key!r}] must be an object")
        repository = entry.get("repository")
        if not isinstance(repository, str) or not repository:
            raise ProjectError(f"{where}: chart_catalog[{key!r}] has no repository")
        chart = entry.get("chart", key)
        oci = entry.get("oci")
        group = entry.get("release_group")
        try:
            order = int(entry.get("order", 0))
        except (TypeError, ValueError):
            raise ProjectError(f"{where}: chart_catalog[{key!r}].order must be a number") from None
        signed_by = entry.get("signed_by")
        fingerprint = None
        if signed_by is not None:
            from k8sprov.supply.keys import normalize_fingerprint

            fingerprint = normalize_fingerprint(signed_by) if isinstance(signed_by, str) else None
            if fingerprint is None:
                raise ProjectError(
                    f"{where}: chart_catalog[{key!r}].signed_by must be a 40-hex-digit key fingerprint",
                    hint="copy it from gpg --fingerprint or the chart's artifacthub.io/signKey annotation",
                )
        charts[str(key)] = ChartSpec(
            key=str(key),
            chart=str(chart),
            repository=repository,
            namespace=str(entry.get("namespace", "")),
            order=order,
            oci=str(oci) if isinstance(oci, str) and oci else None,
            release_group=str(group) if isinstance(group, str) and group else None,
            signed_by=fingerprint,
        )
    charts = dict(sorted(charts.items(), key=lambda kv: (kv[1].order, kv[0])))
    versions: dict[str, dict[str, str]] = {}
    for profile, pins in raw_versions.items():
        if not isinstance(pins, dict):
            raise ProjectError(f"{where}: chart_versions[{profile!r}] must be a map of chart = version")
        for key, version in pins.items():
            if key not in charts:
                raise ProjectError(
                    f"{where}: chart_versions[{profile!r}] pins {key!r}, which is not in chart_catalog",
                    hint="add it to chart_catalog or remove the pin",
                )
            if not isinstance(version, str | int | float) or not str(version).strip():
                raise ProjectError(f"{where}: chart_versions[{profile!r}][{key!r}] must be a version string")
        versions[str(profile)] = {str(k): str(v).strip() for k, v in pins.items()}
    return Catalog(charts=charts, versions=versions)


def _cache_file(project: Project) -> Path:
    return project.state_dir / "cache" / "catalog.json"


def load_catalog(project: Project, *, use_cache: bool = True,
                 on_parse: Callable[[], object] | None = None) -> Catalog:
    """The catalog of versions.tf, from the cache while the file is unchanged. `on_parse` is called before
    a real parse (python-hcl2, 0.1-0.3 s) so a caller can start slow work of its own beside it."""
    path = project.chart_catalog_file
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise ProjectError(
            f"{path.relative_to(project.root)}: file not found",
            hint="the chart catalog lives in terraform/modules/provision_k8s/versions.tf",
        ) from None
    stamp = [stat.st_size, stat.st_mtime_ns]
    cache = _cache_file(project)
    if use_cache:
        try:
            cached = json.loads(cache.read_text(encoding="utf-8"))
            if cached.get("v") == _CACHE_VERSION and cached.get("stamp") == stamp:
                return Catalog(
                    charts={k: ChartSpec(**v) for k, v in cached["charts"].items()},
                    versions=cached["versions"],
                )
        except (OSError, ValueError, KeyError, TypeError):
            pass
    if on_parse is not None:
        on_parse()
    from k8sprov.hcl import load_hcl

    catalog = parse_catalog(load_hcl(path), str(path.relative_to(project.root)))
    if use_cache:
        with contextlib.suppress(OSError):
            write_private_atomic(
                cache,
                json.dumps(
                    {
                        "v": _CACHE_VERSION,
                        "stamp": stamp,
                        "charts": {k: asdict(v) for k, v in catalog.charts.items()},
                        "versions": catalog.versions,
                    }
                ),
            )
    return catalog
