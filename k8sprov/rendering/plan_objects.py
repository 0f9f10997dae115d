"""The Kubernetes objects of each helm_release change, from real Helm renders of both sides of the plan.

Without the helm provider's manifest experiment (which needs a reachable cluster at plan time) the plan
holds no objects; but it holds everything Helm is given: the chart archive (its sha256 is in the release
description), the values documents and the `set` entries, before and after. Rendering both sides offline
gives the same objects view as the experiment. The archive a release was installed from is found in
`charts/` when its digest still matches, else in the archive store (`k8sprov.charts.store`).

Values that differ between two renders of identical inputs (`randAlphaNum`, `now`, generated
certificates) are generated at install: they are copied from one render into the other before comparing,
and only counted, so they never show as changes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from k8sprov.helm import HelmBinary, SetEntry
from k8sprov.rendering.model import ReleaseInputs, ReleaseRender, RenderedObject, ValuesDoc
from k8sprov.rendering.release import render_release

if TYPE_CHECKING:
    from k8sprov.rendering.pipeline import RenderCache

RELEASE_TYPE = "helm_release"
_DIGEST = re.compile(r"\bsha256:([0-9a-f]{64})\b")
_MAX_WORKERS = 4

Renderer = Callable[[ReleaseInputs], ReleaseRender]


@dataclass(frozen=True)
class RenderedSides:
    """One release's objects before and after, keyed as the manifest experiment keys them (JSON text)."""

    before: str | None
    after: str | None
    generated: int = 0  # fields generated at install (they differ between two renders of one input)
    note: str | None = None  # why a side could not be rendered


def plan_kube_version(plan: Mapping[str, Any]) -> str | None:
    """The environment's `kubernetes_version` as the plan recorded it (Helm's default when absent)."""
    variables = plan.get("variables")
    if not isinstance(variables, Mapping):
        return None
    value = (variables.get("kubernetes_version") or {}).get("value")
    return value if isinstance(value, str) and value else None


def manifest_key(obj: RenderedObject) -> str:
    """`[<namespace>/]<lowercase kind[.group]>/<apiVersion>/<name>`, the helm provider's manifest key."""
    group = obj.group
    kind = obj.kind.lower() + (f".{group}" if group else "")
    ns = obj.declared_namespace
    return f"{ns + '/' if ns else ''}{kind}/{obj.api_version}/{obj.name}"


def manifest_objects(objects: Sequence[RenderedObject]) -> dict[str, Any]:
    return {manifest_key(o): o.body for o in objects if o.kind and o.api_version}


def _entries(attrs: Mapping[str, Any]) -> tuple[SetEntry, ...]:
    entries: list[SetEntry] = []
    for attr, sensitive in (("set", False), ("set_sensitive", True)):
        for item in attrs.get(attr) or []:
            if isinstance(item, Mapping) and isinstance(item.get("name"), str):
                value = item.get("value")
                kind = item.get("type")
                entries.append(SetEntry(item["name"], "" if value is None else str(value),
                                        kind if isinstance(kind, str) else None, sensitive=sensitive))
    for item in attrs.get("set_list") or []:
        if isinstance(item, Mapping) and isinstance(item.get("name"), str):
            values = item.get("value") or []
            entries.append(SetEntry(item["name"], "{" + ",".join(str(v) for v in values) + "}"))
    return tuple(entries)


def side_inputs(attrs: Mapping[str, Any], *, terraform_dir: Path, archive_for: Callable[[Path, str | None],
                Path | None], kube_version: str | None, api_versions: Sequence[str]) -> ReleaseInputs | str:
    """What Helm is given for one side of a release change, or why it cannot be known here."""
    chart = attrs.get("chart")
    name, namespace = attrs.get("name"), attrs.get("namespace") or "default"
    if not isinstance(chart, str) or not isinstance(name, str):
        return "the chart or release name is not known before apply"
    values = attrs.get("values") or []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        return "its values are not known before apply"
    description = attrs.get("description")
    match = _DIGEST.search(description) if isinstance(description, str) else None
    sha256 = match.group(1) if match else None
    archive = archive_for(terraform_dir / chart, sha256)
    if archive is None:
        short = f"sha256:{sha256[:12]}…" if sha256 else Path(chart).name
        return (f"the archive it was installed from ({short}) is no longer in charts/ nor in the archive "
                "store; vendor that version once with k8sprov update-charts to compare its objects")
    # The release description (`<release> <version> sha256:<hex>`) names the version the archive holds;
    # the chart's name is the archive's name without it (as the environment's render names both).
    words = description.split() if isinstance(description, str) else []
    described = len(words) >= 3 and words[2].startswith("sha256:")
    version = words[1] if described else str(attrs.get("version") or "")
    chart_name = Path(chart).name.removesuffix(".tgz").removesuffix(f"-{version}")
    return ReleaseInputs(name=name, namespace=str(namespace), chart=chart_name, version=version,
                         archive=str(archive), archive_sha256=sha256,
                         values=tuple(ValuesDoc(f"values[{i}]", v) for i, v in enumerate(values)),
                         sets=_entries(attrs), kube_version=kube_version, api_versions=tuple(api_versions))


def _through(cache: RenderCache, helm: HelmBinary, fresh: Renderer) -> Renderer:
    """Renders from the environment's render cache where the inputs match (plan's render check has just
    rendered the side being installed), else fresh."""
    from k8sprov.rendering.pipeline import release_key

    def render(inputs: ReleaseInputs) -> ReleaseRender:
        hit = cache.load(inputs, release_key(inputs, helm.version))
        return hit.render if hit is not None else fresh(inputs)

    return render


def archive_finder(state_dir: Path) -> Callable[[Path, str | None], Path | None]:
    """The archive with this digest: the chart path itself when it still has it, else the store's copy."""
    from k8sprov.charts.lock import sha256_file
    from k8sprov.charts.store import find

    hashed: dict[Path, str] = {}

    def archive_for(path: Path, sha256: str | None) -> Path | None:
        if path.is_file():
            if sha256 is None:
                return path
            if path not in hashed:
                hashed[path] = sha256_file(path)
            if hashed[path] == sha256:
                return path
        return find(state_dir, sha256) if sha256 else None

    return archive_for


def _paths(a: Any, b: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Leaf paths where `a` and `b` differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        out: list[tuple[Any, ...]] = []
        for key in a.keys() | b.keys():
            if a.get(key) != b.get(key):
                out.extend(_paths(a.get(key), b.get(key), (*prefix, key)))
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [p for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y
                for p in _paths(x, y, (*prefix, i))]
    return [prefix]


def _copy_at(source: Any, target: Any, path: tuple[Any, ...]) -> bool:
    """Set `target` at `path` to `source`'s value there; False when `target` lacks the parent."""
    for step in path[:-1]:
        try:
            source, target = source[step], target[step]
        except (KeyError, IndexError, TypeError):
            return False
    last = path[-1]
    try:
        target[last] = source[last]
    except (KeyError, IndexError, TypeError):
        return False
    return True


def settle_generated(first: dict[str, Any], second: dict[str, Any], before: dict[str, Any] | None) -> int:
    """Fields that differ between two renders of the same inputs: copied from `first` into `before` (so
    they are not compared) and counted."""
    generated = 0
    for key, obj in first.items():
        other = second.get(key)
        if other is None or other == obj:
            continue
        for path in _paths(obj, other):
            generated += 1
            if before is not None and key in before and path:
                _copy_at(obj, before[key], path)
    return generated


def render_plan_objects(plan: Mapping[str, Any], *, terraform_dir: Path, state_dir: Path, helm: HelmBinary,
                        kube_version: str | None,
                        api_versions: Mapping[str, Sequence[str]] | None = None,
                        renderer: Renderer | None = None,
                        cache: RenderCache | None = None) -> dict[str, RenderedSides]:
    """Address -> rendered sides for every helm_release create, update or replace that carries no manifest
    of its own. Renders run in parallel; a side Helm cannot render becomes a note, never an error.

    `api_versions`: release name -> the CRD group/versions of the releases installed before it (what
    `.Capabilities.APIVersions` sees), the same for both sides, as the environment's render uses."""
    render = renderer or (lambda inputs: render_release(helm, inputs))
    fresh = render
    if renderer is None and cache is not None:
        render = _through(cache, helm, fresh)
    archive_for = archive_finder(state_dir)
    jobs: dict[str, tuple[ReleaseInputs | str | None, ReleaseInputs | str | None]] = {}
    for rc in plan.get("resource_changes") or []:
        if not isinstance(rc, Mapping) or rc.get("type") != RELEASE_TYPE or rc.get("mode") == "data":
            continue
        change = rc.get("change") or {}
        actions = list(change.get("actions") or [])
        if actions in (["no-op"], ["read"], ["delete"]) or not isinstance(change, Mapping):
            continue
        before, after = change.get("before"), change.get("after")
        if any(isinstance(side, Mapping) and (side.get("manifest") or side.get("resources"))
               for side in (before, after)):
            continue  # the provider's own objects (manifest experiment) are shown instead
        sides = []
        for side in (before, after):
            sides.append(side_inputs(side, terraform_dir=terraform_dir, archive_for=archive_for,
                                     kube_version=kube_version,
                                     api_versions=(api_versions or {}).get(str(side.get("name")), ()))
                         if isinstance(side, Mapping) else None)
        jobs[str(rc.get("address"))] = (sides[0], sides[1])

    tasks: dict[tuple[str, str], ReleaseInputs] = {}
    for address, (b, a) in jobs.items():
        if isinstance(a, ReleaseInputs):
            tasks[(address, "after")] = a
            if isinstance(b, ReleaseInputs):
                tasks[(address, "before")] = b
                tasks[(address, "again")] = a  # a second render of the same inputs: what is generated
    def run(task: tuple[tuple[str, str], ReleaseInputs]) -> ReleaseRender:
        # The second render of the same inputs must really run: that is how generated values show.
        return fresh(task[1]) if task[0][1] == "again" else render(task[1])

    with ThreadPoolExecutor(max_workers=min(_MAX_WORKERS, max(1, len(tasks)))) as pool:
        done = dict(zip(tasks, pool.map(run, tasks.items()), strict=True))

    result: dict[str, RenderedSides] = {}
    for address, (b, a) in jobs.items():
        if not isinstance(a, ReleaseInputs):
            if isinstance(a, str):
                result[address] = RenderedSides(None, None, note=f"objects not rendered: {a}")
            continue
        after = done[(address, "after")]
        if after.failure is not None:
            result[address] = RenderedSides(None, None, note=f"objects not rendered: {after.failure.message}")
            continue
        after_objects = manifest_objects(after.objects)
        if b is None:
            result[address] = RenderedSides(None, json.dumps(after_objects, sort_keys=True))
            continue
        if isinstance(b, str):
            result[address] = RenderedSides(None, None, note=f"objects before not rendered: {b}")
            continue
        before = done[(address, "before")]
        if before.failure is not None:
            result[address] = RenderedSides(None, None,
                                            note=f"objects before not rendered: {before.failure.message}")
            continue
        before_objects = manifest_objects(before.objects)
        again = manifest_objects(done[(address, "again")].objects)
        generated = settle_generated(after_objects, again, before_objects)
        result[address] = RenderedSides(json.dumps(before_objects, sort_keys=True),
                                        json.dumps(after_objects, sort_keys=True), generated=generated)
    return result
