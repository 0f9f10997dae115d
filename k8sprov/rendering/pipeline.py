"""Render a stack's releases with real Helm: install order for CRDs, a thread pool for the rest, a cache.

A release sees, as `--api-versions`, every group/version the CRDs of the releases installed before it
serve: on a cluster those exist by the time Helm installs it (charts gate ServiceMonitors and the like on
`.Capabilities.APIVersions.Has`). "Before" is what Terraform guarantees: provision.tf's `depends_on`,
followed through (argo-cd after the CRD release, not after kyverno), else the catalog's `order`. A
release waits only for those of its earlier releases whose archive can define CRDs (a quick scan, kept
by archive sha256), and only until their CRDs' group/versions are read from Helm's output (a shallow
read of the CRD documents: reading a whole manifest takes seconds); the others render at once, side by
side. Helm runs as a process, so reading one release's manifest overlaps the Helm run of the next.
(Reader processes were tried: on two cores their start and the JSON round trip cost more than the
GIL does.) Should the shallow read ever disagree with the whole one, the
releases that used it render again.

Each release's render is kept under `.k8sprov/cache/render/` by a key of everything it was made from
(archive sha256, values bytes, `set` entries — a hash, never a plain secret —, Kubernetes and API
versions, Helm's version); the files are private (0600): a manifest holds Secrets.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from k8sprov.helm import HelmBinary
from k8sprov.rendering.envinputs import Release
from k8sprov.rendering.model import Finding, ReleaseInputs, ReleaseRender, RenderedObject, Severity

if TYPE_CHECKING:
    from concurrent.futures import Future

_CACHE_VERSION = 1
_KEEP_RENDERS = 48  # cached renders kept (newest); a profile has four releases
_CRD = b"CustomResourceDefinition"


@dataclass(frozen=True)
class Rendered:
    """One release's render and where it came from: `manifest` is Helm's output (for `-o` files)."""

    render: ReleaseRender
    manifest: str
    key: str
    crd_api_versions: tuple[str, ...]
    cached: bool


def crd_api_versions(objects: Iterable[RenderedObject]) -> list[str]:
    """"group/version" for each served version of the CRDs among `objects`, sorted."""
    found: set[str] = set()
    for obj in objects:
        if obj.kind != "CustomResourceDefinition" or not obj.api_version.startswith("apiextensions.k8s.io/"):
            continue
        spec = obj.body.get("spec")
        if not isinstance(spec, dict) or not spec.get("group"):
            continue
        for version in spec.get("versions") or []:
            if isinstance(version, dict) and version.get("name") and version.get("served", True):
                found.add(f"{spec['group']}/{version['name']}")
    return sorted(found)


def release_key(inputs: ReleaseInputs, helm_version: str) -> str:
    """The cache key of a render: a hash of every input, values and `set` values only as their hashes."""
    def digest(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    material = {
        "v": _CACHE_VERSION, "helm": helm_version, "name": inputs.name, "namespace": inputs.namespace,
        "chart": inputs.chart, "version": inputs.version, "archive": inputs.archive_sha256,
        "values": [digest(doc.text) for doc in inputs.values],
        "sets": [[s.name, s.type, s.sensitive, digest(s.value)] for s in inputs.sets],
        "kube": inputs.kube_version, "api": sorted(inputs.api_versions), "crds": inputs.include_crds,
    }
    return digest(json.dumps(material, sort_keys=True))


class RenderCache:
    """Renders by key (one private JSON file each) and a small index: key -> CRD api-versions."""

    def __init__(self, folder: Path) -> None:
        from k8sprov.jsoncache import JsonCache

        self.folder = folder
        self.index = JsonCache(folder / "index.json", limit=4 * _KEEP_RENDERS)
        self._lock = threading.Lock()  # renders finish on the pool's threads

    def crd_api_versions(self, key: str) -> tuple[str, ...] | None:
        hit = self.index.get(key)
        return tuple(hit) if isinstance(hit, list) else None

    def load(self, inputs: ReleaseInputs, key: str) -> Rendered | None:
        try:
            data = json.loads(self.path_of(key).read_text(encoding="utf-8"))
            if data.get("v") != _CACHE_VERSION:
                return None
            failure = Finding(**{**data["failure"], "severity": Severity(data["failure"]["severity"])}) \
                if data.get("failure") else None
            objects = tuple(RenderedObject(release=inputs.name, release_namespace=inputs.namespace,
                                           source=source, body=body)
                            for source, body in data["objects"])
            return Rendered(ReleaseRender(inputs=inputs, objects=objects, failure=failure),
                            data["manifest"], key, tuple(data["crd_api_versions"]), cached=True)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def store(self, rendered: Rendered) -> None:
        from dataclasses import asdict

        from k8sprov.private import write_private_atomic

        failure = asdict(rendered.render.failure) if rendered.render.failure else None
        head = {"v": _CACHE_VERSION, "manifest": rendered.manifest, "failure": failure,
                "crd_api_versions": list(rendered.crd_api_versions)}
        with contextlib.suppress(OSError, TypeError, ValueError):
            objects = objects_as_json(rendered.render.objects)
            text = json.dumps(head, separators=(",", ":"))[:-1] + ',"objects":' + objects + "}"
            write_private_atomic(self.path_of(rendered.key), text)
            with self._lock:
                self.index.put(rendered.key, list(rendered.crd_api_versions))
                self._prune()

    def path_of(self, key: str) -> Path:
        return self.folder / f"release-{key}.json"

    def _prune(self) -> None:
        def age(path: Path) -> int:
            try:
                return path.stat().st_mtime_ns
            except OSError:
                return 0

        for old in sorted(self.folder.glob("release-*.json"), key=age)[:-_KEEP_RENDERS]:
            old.unlink(missing_ok=True)


def defines_crds(archive: Path, cache: RenderCache | None, sha256: str | None) -> bool:
    """Whether any file of the chart archive mentions CustomResourceDefinition (so later releases wait for
    its render). Errs on yes: a wrong yes only costs parallelism, a wrong no would hide api-versions."""
    key = f"crds:{sha256}" if sha256 else None
    if cache is not None and key is not None:
        hit = cache.index.get(key)
        if isinstance(hit, bool):
            return hit
    import tarfile

    found = True
    with contextlib.suppress(OSError, tarfile.TarError, EOFError):
        found = False
        with tarfile.open(archive, "r:*") as tar:
            for member in tar:
                if not member.isfile():
                    continue
                if member.name.endswith(".tgz"):
                    found = True  # a packed subchart: assume yes rather than unpack it
                    break
                handle = tar.extractfile(member)
                if handle is not None and _CRD in handle.read():
                    found = True
                    break
    if cache is not None and key is not None:
        cache.index.put(key, found)
    return found


_SEPARATOR = re.compile(r"^---[ \t]*$", re.MULTILINE)
# spec.group and spec.versions[].name / served sit at most 6 spaces deep in a CRD
_SHALLOW_LINE = re.compile(r"^ {0,6}[^ \n].*$", re.MULTILINE)


def shallow_crd_api_versions(text: str) -> list[str] | None:
    """crd_api_versions of a manifest from its CRD documents' top lines only (their schemas are most of
    the bytes); None when a document does not read that way (then the whole manifest decides)."""
    import yaml

    from k8sprov.rendering.manifest import load_yaml

    objects = []
    for chunk in _SEPARATOR.split(text):
        if "CustomResourceDefinition" not in chunk:
            continue
        try:
            body = load_yaml("\n".join(_SHALLOW_LINE.findall(chunk)))
        except yaml.YAMLError:
            return None
        if isinstance(body, dict):
            objects.append(RenderedObject(release="", release_namespace="", source="", body=body))
    return crd_api_versions(objects)


def objects_as_json(objects: Iterable[RenderedObject]) -> str:
    # default=str: YAML 1.1 reads an unquoted 2024-01-01 as a date, which JSON has no type for
    return json.dumps([[o.source, o.body] for o in objects], separators=(",", ":"), default=str)


def render_stack(helm: HelmBinary, releases: Sequence[Release], *, cache: RenderCache | None = None,
                 workers: int = 4, on_done: Callable[[Rendered], object] | None = None) -> list[Rendered]:
    """Render every release (install order kept in the result); each sees the CRD api-versions of the
    earlier releases. Cached renders are used when every input matches."""
    from concurrent.futures import Future, ThreadPoolExecutor

    from k8sprov.rendering.release import read_render, run_template

    ordered = sorted(releases, key=lambda r: r.order)
    results: dict[str, Rendered] = {}
    futures: dict[str, Future[Rendered]] = {}
    # A release's CRD group/versions, known as soon as Helm's output is read shallowly: what later
    # releases wait for (the whole read of its manifest goes on beside them).
    crds: dict[str, Future[tuple[str, ...]]] = {r.inputs.name: Future() for r in ordered}

    def render(release: Release, api: set[str]) -> Rendered:
        name = release.inputs.name
        inputs = replace(release.inputs, api_versions=tuple(sorted(api)))
        key = release_key(inputs, helm.version)
        if cache is not None:
            hit = cache.load(inputs, key)
            if hit is not None:
                _settle(crds[name], hit.crd_api_versions)
                return hit
        manifest, failed = run_template(helm, inputs)
        if failed is not None:
            _settle(crds[name], ())
            done = Rendered(failed, "", key, (), cached=False)
        else:
            shallow = shallow_crd_api_versions(manifest)
            if shallow is not None:
                _settle(crds[name], tuple(shallow))
            result = read_render(inputs, manifest)
            done = Rendered(result, manifest, key, tuple(crd_api_versions(result.objects)), cached=False)
        _settle(crds[name], done.crd_api_versions)
        if cache is not None:
            cache.store(done)
        return done

    def one(release: Release, waits: list[str]) -> Rendered:
        try:
            api: set[str] = set()
            for name in waits:
                api.update(crds[name].result())
            return render(release, api)
        finally:
            _settle(crds[release.inputs.name], ())  # never leave a later release waiting

    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="k8sprov-render") as pool:
        crd_releases: list[Release] = []
        for release in ordered:
            waits = [r.inputs.name for r in crd_releases if release.installed_after(r)]
            futures[release.inputs.name] = pool.submit(one, release, waits)
            archive = Path(release.inputs.archive)
            if defines_crds(archive, cache, release.inputs.archive_sha256):
                crd_releases.append(release)
        for release in ordered:
            results[release.inputs.name] = futures[release.inputs.name].result()
    for release in ordered:  # a shallow read that disagreed with the whole one: render those again
        done = results[release.inputs.name]
        earlier = {v for r in ordered if release.installed_after(r)
                   for v in results[r.inputs.name].crd_api_versions}
        if set(done.render.inputs.api_versions) != earlier:
            results[release.inputs.name] = render(release, earlier)
        if on_done is not None:
            on_done(results[release.inputs.name])
    return [results[r.inputs.name] for r in ordered]


def _settle(future: Future[tuple[str, ...]], value: tuple[str, ...]) -> None:
    from concurrent.futures import InvalidStateError

    with contextlib.suppress(InvalidStateError):
        future.set_result(value)


def stack_keys(releases: Sequence[Release], helm_version: str, cache: RenderCache) -> list[str] | None:
    """Every release's cache key without rendering, when the cache knows every earlier release's CRDs
    (a warm run decides from these alone whether anything changed); None when one is unknown."""
    keys = []
    by_order = sorted(releases, key=lambda r: r.order)
    crds: dict[str, tuple[Release, tuple[str, ...]]] = {}
    for release in by_order:
        seen = {v for other, versions in crds.values() if release.installed_after(other) for v in versions}
        inputs = replace(release.inputs, api_versions=tuple(sorted(seen)))
        key = release_key(inputs, helm_version)
        known = cache.crd_api_versions(key)
        if known is None:
            return None
        crds[release.inputs.name] = (release, known)
        keys.append(key)
    return keys
