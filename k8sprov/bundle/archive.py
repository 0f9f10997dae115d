"""The bundle file: writing it deterministically, verifying it, unpacking it safely.

Format: a gzip'd POSIX tar. The first member is `bundle.json` (the manifest: metadata, every other member's
path, size and sha256, and their aggregate sha256); the other members follow sorted by path. Only regular
files, mode 0644 or 0755, owner 0:0 with no names, mtime fixed; gzip without a file name or timestamp. The
same inputs therefore give the same bytes, and the aggregate digest identifies a bundle.

The aggregate sha256 is the sha256 of the lines "<sha256>  <path>\\n" of all members sorted by path — the
format `sha256sum` prints, so anyone can recompute it from an unpacked folder with standard tools.

Reading is streamed and bounded: entry count, per-entry and total sizes are checked from the headers
before any bytes are read, and the decompressed stream itself stops at the total limit, so a
decompression bomb is stopped before its bytes are inflated.
"""

from __future__ import annotations

import errno
import gzip
import hashlib
import io
import json
import os
import posixpath
import shutil
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from k8sprov.errors import K8sprovError, os_error

MANIFEST = "bundle.json"
FORMAT = "k8sprov-bundle/1"
MTIME = 946_684_800  # 2000-01-01T00:00:00Z: fixed, so the bytes depend on content only
_CHUNK = 1 << 20


class BundleError(K8sprovError):
    """A bundle cannot be made, or a bundle file fails its checks."""


@dataclass(frozen=True)
class Limits:
    max_entries: int = 100_000
    # Real provider binaries are 20–150 MB each; a bundle of four providers and charts stays well below.
    max_entry_bytes: int = 2 * 1024**3
    max_total_bytes: int = 8 * 1024**3
    max_manifest_bytes: int = 32 * 1024**2


@dataclass(frozen=True)
class Member:
    """One file of the bundle: its path inside, where its bytes come from, and whether it is executable."""

    path: str
    source: Path | bytes
    executable: bool = False

    def open(self) -> IO[bytes]:
        return io.BytesIO(self.source) if isinstance(self.source, bytes) else self.source.open("rb")


@dataclass(frozen=True)
class Entry:
    """A member as the manifest records it."""

    path: str
    size: int
    sha256: str


def aggregate(entries: Iterable[Entry]) -> str:
    lines = "".join(f"{e.sha256}  {e.path}\n" for e in sorted(entries, key=lambda e: e.path))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def check_name(name: str) -> str | None:
    """Why a member name is refused, or None (pure)."""
    from k8sprov.charts.archive import unsafe_name

    why = unsafe_name(name)
    if why:
        return why
    if not name or "\x00" in name or "\\" in name:
        return f"bad member name {name!r}"
    parts = name.split("/")
    if posixpath.normpath(name) != name or "." in parts or "" in parts:
        return f"member name not in normal form {name!r}"
    return None


def _tarinfo(path: str, size: int, executable: bool) -> tarfile.TarInfo:
    info = tarfile.TarInfo(path)
    info.size = size
    info.mtime = MTIME
    info.mode = 0o755 if executable else 0o644
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.type = tarfile.REGTYPE
    return info


def _digest(member: Member) -> Entry:
    with member.open() as fh:
        size, sha = _copy_hashing(fh, None)
    return Entry(member.path, size, sha)


def write(out: Path, members: list[Member], metadata: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Write the bundle atomically to `out`, 0600 (env files and backend settings may hold secrets);
    (manifest, file size)."""
    members = sorted(members, key=lambda m: m.path)
    paths = [m.path for m in members]
    for path in paths:
        why = check_name(path)
        if why or path == MANIFEST:
            raise BundleError(f"cannot bundle {path!r}: {why or 'reserved name'}")
    if len(set(paths)) != len(paths):
        raise BundleError("cannot bundle: two members with one path")
    entries = [_digest(m) for m in members]
    manifest = {
        "format": FORMAT,
        **metadata,
        "members": [{"path": e.path, "size": e.size, "sha256": e.sha256} for e in entries],
        "aggregate_sha256": aggregate(entries),
    }
    manifest_bytes = (json.dumps(manifest, indent=2, sort_keys=False) + "\n").encode("utf-8")
    try:
        if out.is_dir():
            raise IsADirectoryError(errno.EISDIR, "is a folder", str(out))
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    except OSError as err:
        raise os_error(err, f"cannot write the bundle {out}") from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as raw, \
                gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz, \
                tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
            tar.addfile(_tarinfo(MANIFEST, len(manifest_bytes), False), io.BytesIO(manifest_bytes))
            for member, entry in zip(members, entries, strict=True):
                with member.open() as src:
                    hashing = _Hashing(src)
                    try:
                        tar.addfile(_tarinfo(member.path, entry.size, member.executable), hashing)
                    except OSError as err:  # shorter than when it was hashed
                        raise BundleError(f"{member.path} changed while it was being bundled ({err})",
                                          hint="bundle again when nothing writes to the project") from None
                if hashing.digest.hexdigest() != entry.sha256:
                    raise BundleError(f"{member.path} changed while it was being bundled",
                                      hint="bundle again when nothing writes to the project")
        tmp.chmod(0o600)
        tmp.replace(out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return manifest, out.stat().st_size


class _Hashing:
    """Hashes what tarfile reads, so the bytes written are proven to be the bytes the manifest lists."""

    def __init__(self, inner: IO[bytes]) -> None:
        self.inner = inner
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.inner.read(size)
        self.digest.update(data)
        return data


class _Bounded(io.RawIOBase):
    """A reader that refuses to give more than `limit` bytes: the last guard against decompression bombs."""

    def __init__(self, inner: io.BufferedIOBase, limit: int) -> None:
        self.inner = inner
        self.limit = limit
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.inner.read(len(buffer))
        self.count += len(data)
        if self.count > self.limit:
            raise BundleError(f"unpacks to more than {self.limit} bytes")
        buffer[: len(data)] = data
        return len(data)


@dataclass(frozen=True)
class Verified:
    manifest: dict[str, Any]
    aggregate: str
    members: int
    total_bytes: int


def _manifest_entries(manifest: Any) -> dict[str, Entry]:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BundleError(f"{MANIFEST}: not a {FORMAT} manifest")
    entries: dict[str, Entry] = {}
    raw = manifest.get("members")
    if not isinstance(raw, list):
        raise BundleError(f"{MANIFEST}: no member list")
    for item in raw:
        try:
            entry = Entry(str(item["path"]), int(item["size"]), str(item["sha256"]))
        except (KeyError, TypeError, ValueError):
            raise BundleError(f"{MANIFEST}: malformed member entry {item!r:.80}") from None
        why = check_name(entry.path)
        if why:
            raise BundleError(f"{MANIFEST}: {why}")
        if entry.path in entries or entry.path == MANIFEST:
            raise BundleError(f"{MANIFEST}: member {entry.path!r} listed twice")
        entries[entry.path] = entry
    return entries


def _check_header(path: Path, info: tarfile.TarInfo, limits: Limits) -> None:
    why = check_name(info.name)
    if why:
        raise BundleError(f"{path}: {why}")
    if info.issym() or info.islnk():
        raise BundleError(f"{path}: member {info.name!r} is a link")
    if info.ischr() or info.isblk() or info.isfifo():
        raise BundleError(f"{path}: member {info.name!r} is a device or FIFO")
    if not info.isreg():
        raise BundleError(f"{path}: member {info.name!r} is not a regular file")
    if info.mode & 0o7777 not in (0o644, 0o755):
        raise BundleError(f"{path}: member {info.name!r} has mode {info.mode:o}")
    if info.size > limits.max_entry_bytes:
        raise BundleError(f"{path}: member {info.name!r} is {info.size} bytes"
                          f" (limit {limits.max_entry_bytes})")


def _copy_hashing(reader: IO[bytes], sink: IO[bytes] | None) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    for chunk in iter(lambda: reader.read(_CHUNK), b""):
        digest.update(chunk)
        size += len(chunk)
        if sink is not None:
            sink.write(chunk)
    return size, digest.hexdigest()


def _read_manifest(path: Path, tar: tarfile.TarFile, limits: Limits) -> tuple[bytes, dict[str, Any]]:
    first = tar.next()
    if first is None or first.name != MANIFEST or not first.isreg():
        raise BundleError(f"{path}: first member is not {MANIFEST}")
    if first.size > limits.max_manifest_bytes:
        raise BundleError(f"{path}: {MANIFEST} is {first.size} bytes (limit {limits.max_manifest_bytes})")
    reader = tar.extractfile(first)
    assert reader is not None
    raw = reader.read()
    try:
        manifest = json.loads(raw)
    except ValueError:
        raise BundleError(f"{path}: {MANIFEST} is not valid JSON") from None
    return raw, manifest


def _scan(path: Path, limits: Limits, dest: Path | None) -> Verified:
    """One streamed pass: every structural check, every member hashed (and written under `dest`)."""
    try:
        with path.open("rb") as fh:
            if fh.read(2) != b"\x1f\x8b":
                raise BundleError(f"{path}: not a gzip file")
            fh.seek(0)
            gz = gzip.GzipFile(fileobj=fh, mode="rb")
            slack = limits.max_manifest_bytes + 64 * 1024**2  # tar headers and padding
            bounded = io.BufferedReader(_Bounded(gz, limits.max_total_bytes + slack))
            with tarfile.open(fileobj=bounded, mode="r|") as tar:
                raw_manifest, manifest = _read_manifest(path, tar, limits)
                entries = _manifest_entries(manifest)
                if dest is not None:
                    (dest / MANIFEST).write_bytes(raw_manifest)
                seen: set[str] = set()
                count, total = 1, 0
                while (info := tar.next()) is not None:  # iterating the TarFile would repeat bundle.json
                    count += 1
                    if count > limits.max_entries:
                        raise BundleError(f"{path}: more than {limits.max_entries} members")
                    _check_header(path, info, limits)
                    name = info.name
                    total += info.size
                    if total > limits.max_total_bytes:
                        raise BundleError(f"{path}: unpacks to more than {limits.max_total_bytes} bytes")
                    if name in seen:
                        raise BundleError(f"{path}: member {name!r} appears twice")
                    seen.add(name)
                    entry = entries.get(name)
                    if entry is None:
                        raise BundleError(f"{path}: extra member {name!r} not listed in {MANIFEST}")
                    if info.size != entry.size:
                        raise BundleError(f"{path}: member {name!r} is {info.size} bytes,"
                                          f" {MANIFEST} says {entry.size}")
                    reader = tar.extractfile(info)
                    assert reader is not None
                    if dest is None:
                        size, sha = _copy_hashing(reader, None)
                    else:
                        target = dest / name
                        target.parent.mkdir(parents=True, exist_ok=True)
                        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
                        with os.fdopen(os.open(target, flags, info.mode & 0o755), "wb") as out:
                            size, sha = _copy_hashing(reader, out)
                    if size != entry.size or sha != entry.sha256:
                        raise BundleError(f"{path}: member {name!r} does not match its sha256 in {MANIFEST}",
                                          hint="the file is damaged or was altered; get the bundle again")
    except BundleError:
        raise
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile, OSError) as err:
        raise BundleError(f"{path}: not a valid bundle ({err.__class__.__name__}: {str(err)[:80]})") from None
    missing = sorted(set(entries) - seen)
    if missing:
        raise BundleError(f"{path}: member {missing[0]!r} listed in {MANIFEST} is missing")
    digest = aggregate(entries.values())
    if manifest.get("aggregate_sha256") != digest:
        raise BundleError(f"{path}: aggregate sha256 in {MANIFEST} does not match its members")
    return Verified(manifest=manifest, aggregate=digest, members=len(entries), total_bytes=total)


def verify(path: Path, limits: Limits | None = None) -> Verified:
    """Check every member against the manifest; BundleError naming the first problem."""
    if path.is_dir():
        raise BundleError(f"{path} is a folder, not a bundle file",
                          hint="name the .tar.gz file that k8sprov bundle wrote")
    if not path.is_file():
        raise BundleError(f"{path}: no such file", hint="name the .tar.gz file that k8sprov bundle wrote")
    return _scan(path, limits or Limits(), None)


def unpack(path: Path, dest: Path, limits: Limits | None = None,
           check: Callable[[Verified], object] | None = None) -> Verified:
    """Verify, then extract into `dest` (missing or empty) through a temporary sibling folder; `check`
    (e.g. chart signatures) runs on the verified bundle before anything is extracted.

    The second pass checks every byte again as it writes: a file changed between the passes is caught."""
    verified = verify(path, limits)
    if check is not None:
        check(verified)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BundleError(f"{dest}: exists and is not an empty folder",
                          hint="unpack into a new or empty folder")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=dest.parent, prefix=f".{dest.name}.unpack-"))
    except OSError as err:
        raise os_error(err, f"cannot unpack into {dest}") from None
    try:
        _scan(path, limits or Limits(), staging)
        staging.chmod(0o755)
        if dest.exists():
            dest.rmdir()
        staging.rename(dest)
    except BaseException as err:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(err, OSError) and not isinstance(err, K8sprovError):
            raise os_error(err, f"cannot unpack into {dest}") from None
        raise
    return verified
