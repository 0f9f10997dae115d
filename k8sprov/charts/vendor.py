"""`update-charts`: resolve each pin, download what is missing, verify it, rename it into place, lock it.

1. Pins whose archive is on disk and matches the lock are skipped: no request at all (a warm run is offline).
2. The rest are resolved concurrently: each classic index once per repository (conditional, cached), each OCI
   manifest once per chart. An unreachable host stops the run here with one line, before anything changes.
   A digest that differs from the lock's entry for the same version is refused here (the lock pins bytes).
3. Downloads run on `jobs` threads, each into a temp file inside charts/ while hashing, then: digest check,
   archive check, fsync, atomic rename. A failure or Ctrl-C leaves no temp file behind.
4. The lock is rewritten atomically with verified entries only; earlier entries stay (like go.sum lines)
   until --prune drops versions no profile pins (promote drops those it unpinned).
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from k8sprov.charts.archive import ArchiveError, Limits, check_archive
from k8sprov.charts.catalog import Catalog, load_catalog
from k8sprov.charts.http import Cancelled, FetchError, Http, HttpSettings, settle, warm_up
from k8sprov.charts.lock import (
    LockDiff,
    archives_on_disk,
    diff_lock,
    read_lock,
    scan_archives,
    sha256_file,
    write_lock,
)
from k8sprov.charts.model import ChartResult, LockEntry, Outcome, Pin
from k8sprov.charts.pool import run_bounded
from k8sprov.charts.sources import (
    OciRef,
    Source,
    check_secure,
    choose_source,
    redact,
    resolve_chart_url,
    strip_userinfo,
)
from k8sprov.charts.versions import newest_stable, same_version
from k8sprov.errors import ChartError, Interrupted, Terminated, UsageError
from k8sprov.project import Project


class Reporter(Protocol):
    def start(self, pins: list[Pin], downloads: int) -> None: ...
    def progress(self, pin: Pin, done: int, total: int | None) -> None: ...
    def finished(self, result: ChartResult) -> None: ...
    def stop(self) -> None: ...


class NullReporter:
    def start(self, pins: list[Pin], downloads: int) -> None:
        pass

    def progress(self, pin: Pin, done: int, total: int | None) -> None:
        pass

    def finished(self, result: ChartResult) -> None:
        pass

    def stop(self) -> None:
        pass


@dataclass(frozen=True)
class VendorOptions:
    profiles: list[str] | None = None  # None: every profile
    prune: bool = False
    mirrors: dict[str, str] = field(default_factory=dict)
    jobs: int = 4
    prefer_oci: bool = False
    http: HttpSettings = field(default_factory=HttpSettings)
    limits: Limits = field(default_factory=Limits)


@dataclass
class VendorReport:
    results: list[ChartResult]
    pruned: list[str]
    lock_file: Path
    requests: int
    seconds: float

    @property
    def failed(self) -> list[ChartResult]:
        return [r for r in self.results if r.outcome is Outcome.FAILED]


@dataclass(frozen=True)
class _Target:
    """A resolved pin: where its bytes are and what they must hash to."""

    pin: Pin
    source: Source
    url: str  # classic: archive URL; oci: oci://host/repo:tag (display)
    sha256: str
    size: int | None = None
    oci: OciRef | None = None
    signer: str | None = None  # the pinned key that signed `prov`, checked against `sha256`
    prov: bytes | None = None


class _VerifyError(Exception):
    pass


class _SignatureError(ChartError):
    """A pinned key's signature is missing or wrong: the whole run stops before anything is written."""


def select_profiles(
    catalog: Catalog, project: Project, env: str | None, profile: str | None
) -> list[str] | None:
    if env and profile:
        raise UsageError("--env and --profile are exclusive", hint="pass one of them")
    if env:
        profile = project.environment(env).profile
    if profile is None:
        return None
    if profile not in catalog.versions:
        known = ", ".join(catalog.profiles) or "none"
        raise UsageError(
            f"profile {profile!r} pins no charts (known: {known})",
            hint="add it to local.chart_versions in versions.tf",
        )
    return [profile]


def check_vendored(project: Project, profiles: list[str] | None) -> LockDiff:
    """Offline check for `--check`: missing, mismatched (selected profiles), unpinned (any profile)."""
    catalog = load_catalog(project)
    pins = catalog.pins(profiles)
    charts_dir = project.charts_dir
    names = {p.archive_name for p in pins} | set(archives_on_disk(charts_dir))
    lock = read_lock(charts_dir)
    diff = diff_lock(
        pins,
        lock,
        scan_archives(charts_dir, sorted(names)),
        all_pinned=catalog.pinned_archives(),
    )
    if any(p.spec.signed_by for p in pins):
        from k8sprov.supply.signatures import check_vendored_signatures

        diff.unsigned = check_vendored_signatures(project.root, charts_dir, pins, lock, set(diff.ok))
    return diff


def remove_stale_parts(charts_dir: Path) -> list[Path]:
    """Temp files a killed run (kill -9, power loss) could not remove."""
    stale = [p for p in charts_dir.glob(".*.part") if p.is_file()]
    for path in stale:
        path.unlink(missing_ok=True)
    return stale


class _Terminate(KeyboardInterrupt):
    """SIGTERM (CI cancelling a job), handled like Ctrl-C: clean up, then exit 143."""


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise _Terminate()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def run_lock(project: Project) -> Iterator[None]:
    """One update-charts at a time per project: runs share charts/, its temp files and the lock."""
    import fcntl

    from k8sprov.private import open_private

    path = project.state_dir / "update-charts.pid"
    with open_private(path, "a+") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            other = fh.read().strip() or "?"
            raise ChartError(
                f"another k8sprov update-charts (pid {other}) is running in {project.root}",
                hint="wait for it to finish",
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


class Vendor:
    def __init__(self, project: Project, options: VendorOptions, reporter: Reporter | None = None) -> None:
        self.project = project
        self.options = options
        self.reporter: Reporter = reporter or NullReporter()
        self.charts_dir = project.charts_dir
        self.cancel = threading.Event()
        self._temps: set[Path] = set()
        self._temps_lock = threading.Lock()
        self._rename_lock = threading.Lock()
        self._verified: dict[tuple[str, str], ChartResult] = {}  # renamed into place; survives Ctrl-C
        self._locked: dict[tuple[str, str], LockEntry] = {}

    # -- the run ----------------------------------------------------------------------------------------

    def run(self) -> VendorReport:
        try:
            with run_lock(self.project), sigterm_as_interrupt():
                return self._run()
        finally:
            settle()

    def _run(self) -> VendorReport:
        started = time.monotonic()
        # A catalog that must be parsed means versions.tf changed or this is a first run: downloads are
        # likely, so httpx loads beside the parse.
        catalog = load_catalog(self.project, on_parse=warm_up)
        pins = catalog.pins(self.options.profiles)
        self.charts_dir.mkdir(parents=True, exist_ok=True)
        remove_stale_parts(self.charts_dir)
        lock = read_lock(self.charts_dir)
        self._locked = lock
        on_disk = scan_archives(self.charts_dir, (p.archive_name for p in pins))
        results: dict[tuple[str, str], ChartResult] = {}
        todo: list[Pin] = []
        for pin in pins:
            entry = lock.get((pin.name, pin.version))
            if (
                entry is not None
                and on_disk.get(pin.archive_name) == (entry.size, entry.sha256)
                and _signature_settled(pin, entry, self.charts_dir)
            ):
                results[(pin.name, pin.version)] = ChartResult(pin, Outcome.SKIPPED, entry)
            else:
                todo.append(pin)
        self.reporter.start(pins, len(todo))
        for result in results.values():
            self.reporter.finished(result)
        requests = 0
        try:
            if todo:
                sources = {
                    pin: choose_source(pin.spec, self.options.mirrors, prefer_oci=self.options.prefer_oci)
                    for pin in todo
                }
                for source in sources.values():
                    if source.kind == "classic":
                        check_secure(source.url, allow_insecure_http=self.options.http.allow_insecure_http)
                with Http(self.options.http, self.cancel) as http:
                    try:
                        results.update(self._fetch(http, todo, sources))
                    finally:
                        requests = http.requests
        except KeyboardInterrupt as stop:
            self._cleanup_temps()
            with self._rename_lock:
                results.update(self._verified)
            self._write_lock(lock, results, prune=set())
            if isinstance(stop, _Terminate):
                raise Terminated("terminated; no partial archive was left in charts/") from None
            raise Interrupted("interrupted; no partial archive was left in charts/") from None
        finally:
            self.reporter.stop()
        # Keep every verified archive by content before a prune removes it: the plan view renders a
        # release's objects from the archive it was installed from.
        from k8sprov.charts.store import keep

        for result in results.values():
            if result.entry is not None and result.outcome is not Outcome.FAILED:
                keep(self.project.state_dir, self.charts_dir / result.pin.archive_name, result.entry.sha256)
        pruned = self._prune(catalog) if self.options.prune else []
        lock_file = self._write_lock(
            lock,
            results,
            prune=set(pruned) if self.options.prune else set(),
            catalog=catalog if self.options.prune else None,
        )
        ordered = [results[(p.name, p.version)] for p in pins]
        return VendorReport(ordered, pruned, lock_file, requests, time.monotonic() - started)

    def _fetch(
        self, http: Http, todo: list[Pin], sources: dict[Pin, Source]
    ) -> dict[tuple[str, str], ChartResult]:
        from k8sprov.charts.classic import ClassicRepos
        from k8sprov.charts.oci import OciRegistries

        repos = ClassicRepos(http, self.project.state_dir / "cache")
        registries = OciRegistries(http)
        jobs = max(1, self.options.jobs)

        resolved = run_bounded(
            [self._resolver(http, repos, registries, pin, sources[pin]) for pin in todo], jobs, self.cancel
        )
        unsigned = [r for r in resolved if isinstance(r, _SignatureError)]
        if unsigned:
            raise unsigned[0]
        unreachable = [r for r in resolved if isinstance(r, FetchError) and r.unreachable]
        if unreachable:
            hosts = sorted({e.host for e in unreachable})
            raise ChartError(
                f"cannot reach {', '.join(hosts)} ({unreachable[0].message.split(': ', 1)[-1]})",
                hint="check the network or proxy, or vendor from a mirror with --mirror NAME=URL",
            )
        results: dict[tuple[str, str], ChartResult] = {}
        downloads: list[_Target] = []
        for pin, resolution in zip(todo, resolved, strict=True):
            key = (pin.name, pin.version)
            locked = self._locked.get(key)
            if isinstance(resolution, _Target) and locked is not None and locked.sha256 != resolution.sha256:
                # The lock pins bytes, like go.sum: a repository (or mirror) that now publishes other bytes
                # under the same version is refused, not silently accepted.
                resolution = _VerifyError(
                    f"{pin.archive_name}: the repository's digest {resolution.sha256[:16]}… differs from "
                    f"charts.lock's {locked.sha256[:16]}… (republished, or a mirror serving other bytes); "
                    "remove the entry from charts/charts.lock to accept the new bytes"
                )
            if isinstance(resolution, _Target):
                outcome = resolution
                present = self.charts_dir / pin.archive_name
                if present.is_file() and sha256_file(present) == outcome.sha256:
                    entry = LockEntry(
                        pin.name, pin.version, outcome.url, outcome.sha256, present.stat().st_size,
                        outcome.signer,
                    )
                    self._write_prov(outcome)
                    results[key] = self._verified[key] = ChartResult(pin, Outcome.VERIFIED, entry)
                    self.reporter.finished(results[key])
                else:
                    downloads.append(outcome)
            else:
                results[key] = self._failure(pin, resolution)
        fetched = run_bounded([self._downloader(http, registries, t) for t in downloads], jobs, self.cancel)
        for target, done in zip(downloads, fetched, strict=True):
            key = (target.pin.name, target.pin.version)
            results[key] = done if isinstance(done, ChartResult) else self._failure(target.pin, done)
        return results

    def _failure(self, pin: Pin, err: BaseException) -> ChartResult:
        if isinstance(err, KeyboardInterrupt | Cancelled):
            raise KeyboardInterrupt
        if isinstance(err, FetchError | _VerifyError | ArchiveError | UsageError | ChartError):
            message = str(getattr(err, "message", err))
        else:  # a bug: keep the run going, say what it was
            message = f"{err.__class__.__name__}: {err}"
        result = ChartResult(pin, Outcome.FAILED, error=redact(message))
        self.reporter.finished(result)
        return result

    # -- resolve ----------------------------------------------------------------------------------------

    def _resolver(
        self, http: Http, repos: object, registries: object, pin: Pin, source: Source
    ) -> Callable[[], _Target]:
        from k8sprov.charts.classic import ClassicRepos
        from k8sprov.charts.oci import OciRegistries

        assert isinstance(repos, ClassicRepos) and isinstance(registries, OciRegistries)

        def resolve() -> _Target:
            return self._signed(http, resolve_unsigned())

        def resolve_unsigned() -> _Target:
            if source.kind == "oci":
                ref = OciRef.parse(source.url)
                layer = registries.layer(ref, pin.version)
                return _Target(pin, source, ref.display(pin.version), layer.digest, layer.size, ref)
            index = repos.index(source.url)
            where = redact(source.url)
            entries = index.get(pin.spec.chart)
            if not entries:
                raise _VerifyError(f"chart {pin.spec.chart!r} is not in {where}/index.yaml")
            match = next((e for e in entries if same_version(e.version, pin.version)), None)
            if match is None:
                newest = newest_stable(e.version for e in entries)
                raise _VerifyError(
                    f"{pin.name} {pin.version} is not in {where}/index.yaml"
                    + (f" (newest stable: {newest})" if newest else "")
                )
            if not match.urls:
                raise _VerifyError(f"{pin.name} {pin.version}: index entry has no urls")
            if not match.digest:
                raise _VerifyError(f"{pin.name} {pin.version}: index entry has no digest, cannot verify")
            url = resolve_chart_url(source.url, match.urls[0])
            check_secure(url, allow_insecure_http=self.options.http.allow_insecure_http)
            return _Target(pin, source, url, match.digest)

        return resolve

    # -- download ---------------------------------------------------------------------------------------

    def _downloader(self, http: Http, registries: object, target: _Target) -> Callable[[], ChartResult]:
        from k8sprov.charts.oci import Layer, OciRegistries

        assert isinstance(registries, OciRegistries)
        pin = target.pin

        def progress(done: int, total: int | None) -> None:
            self.reporter.progress(pin, done, total)

        def download() -> ChartResult:
            started = time.monotonic()
            fd, name = tempfile.mkstemp(dir=self.charts_dir, prefix=f".{pin.archive_name}.", suffix=".part")
            tmp = Path(name)
            with self._temps_lock:
                self._temps.add(tmp)
            try:
                with os.fdopen(fd, "w+b") as fh:
                    if target.oci is not None:
                        size, sha, _ = registries.download(
                            target.oci, Layer(target.sha256, target.size), fh, progress
                        )
                        source = target.url
                    else:
                        size, sha, _ = http.download(target.url, fh, progress=progress)
                        source = strip_userinfo(target.url)
                    fh.flush()
                    os.fsync(fh.fileno())
                kind = "OCI layer" if target.oci is not None else "index"
                if sha != target.sha256:
                    raise _VerifyError(
                        f"{pin.archive_name}: sha256 {sha[:16]}… does not match the {kind} digest "
                        f"{target.sha256[:16]}…"
                    )
                try:
                    check_archive(tmp, pin.spec.chart, pin.version, self.options.limits)
                except ArchiveError as err:
                    raise _VerifyError(f"{pin.archive_name}: {err.message}") from None
                entry = LockEntry(pin.name, pin.version, source, sha, size, target.signer)
                result = ChartResult(pin, Outcome.DOWNLOADED, entry, seconds=time.monotonic() - started)
                with self._rename_lock:
                    if self.cancel.is_set():
                        raise Cancelled()
                    self._write_prov(target)
                    tmp.chmod(0o644)
                    tmp.replace(self.charts_dir / pin.archive_name)
                    self._verified[(pin.name, pin.version)] = result
                self.reporter.finished(result)
                return result
            finally:
                tmp.unlink(missing_ok=True)
                with self._temps_lock:
                    self._temps.discard(tmp)

        return download

    def _signed(self, http: Http, target: _Target) -> _Target:
        """The target with its provenance checked, when its chart names a signing key."""
        from dataclasses import replace

        from k8sprov.supply.provenance import PROV_SUFFIX, verify

        pin = target.pin
        fingerprint = pin.spec.signed_by
        if fingerprint is None:
            return target
        if target.oci is not None:
            raise _SignatureError(
                f"{pin.name} {pin.version}: signed_by {fingerprint} cannot be checked for an OCI chart "
                "(cosign signatures are not verified yet)",
                hint="vendor it from its classic repository (without --prefer-oci)",
            )
        response = http.get(target.url + PROV_SUFFIX, ok=(200, 404), max_bytes=1 << 20)
        prov = response.body if response.status == 200 else None
        try:
            signer = verify(self.project.root, pin.name, pin.version, pin.archive_name, fingerprint,
                            prov, target.sha256)
        except ChartError as err:
            raise _SignatureError(err.message, hint=err.hint) from None
        return replace(target, signer=signer, prov=prov)

    def _write_prov(self, target: _Target) -> None:
        from k8sprov.charts.lock import write_atomically
        from k8sprov.supply.provenance import PROV_SUFFIX

        if target.prov is not None:
            write_atomically(self.charts_dir / (target.pin.archive_name + PROV_SUFFIX), target.prov)

    def _cleanup_temps(self) -> None:
        with self._temps_lock:
            temps = list(self._temps)
        for tmp in temps:
            tmp.unlink(missing_ok=True)
        remove_stale_parts(self.charts_dir)

    # -- lock and prune ---------------------------------------------------------------------------------

    def _prune(self, catalog: Catalog) -> list[str]:
        pinned = catalog.pinned_archives()
        removed = []
        for name in archives_on_disk(self.charts_dir):
            if name not in pinned:
                (self.charts_dir / name).unlink(missing_ok=True)
                (self.charts_dir / f"{name}.prov").unlink(missing_ok=True)
                removed.append(name)
        return removed

    def _write_lock(
        self,
        lock: dict[tuple[str, str], LockEntry],
        results: dict[tuple[str, str], ChartResult],
        *,
        prune: set[str],
        catalog: Catalog | None = None,
    ) -> Path:
        """Entries are verified sha256s, kept like go.sum lines: this run's successes are added, and an
        earlier entry stays even when its archive is missing or failed to download again (so a republished
        version keeps being refused). Only --prune drops entries, for versions no profile pins any more."""
        pinned = catalog.pinned_archives() if catalog is not None else None
        entries = {
            key: entry
            for key, entry in lock.items()
            if entry.archive_name not in prune and (pinned is None or entry.archive_name in pinned)
        }
        for key, result in results.items():
            if result.entry is not None and result.outcome is not Outcome.FAILED:
                entries[key] = result.entry
        return write_lock(self.charts_dir, entries.values())


def _signature_settled(pin: Pin, entry: LockEntry, charts_dir: Path) -> bool:
    """A chart with a pinned key is settled once the lock names that key and its provenance is vendored."""
    if pin.spec.signed_by is None:
        return True
    return entry.signer == pin.spec.signed_by and (charts_dir / f"{pin.archive_name}.prov").is_file()
