"""charts/charts.lock: the verified archives, as JSON Terraform can `jsondecode`.

Shape (kept exactly; Terraform reads it):
    {"version": 1, "charts": [{"name", "version", "source", "sha256", "size"[, "signer"]}, ...]}
`signer` (the fingerprint that signed the archive's provenance) is there only for charts with a pinned key,
so a lock without signed charts is byte for byte what earlier versions wrote.
sorted by name then version, written atomically (temp file in charts/, fsync, rename).
`diff_lock` is the pure comparison behind `--check`, `k8sprov plan`'s guard and the warm-run skip.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from k8sprov.charts.model import LockEntry, Pin
from k8sprov.errors import ChartError

LOCK_NAME = "charts.lock"
LOCK_VERSION = 1
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def lock_path(charts_dir: Path) -> Path:
    return charts_dir / LOCK_NAME


def _restore_hint(charts_dir: Path) -> str:
    """The lock's pins are the point (the sha256 every archive was verified against): get them back from
    git before making new ones."""
    relative = f"{charts_dir.name}/{LOCK_NAME}"
    return (f"restore it from git (git checkout -- {relative}); only if it was never committed, delete it"
            " and run k8sprov update-charts to pin again")


def read_lock(charts_dir: Path) -> dict[tuple[str, str], LockEntry]:
    """The lock's entries by (name, version); a missing lock is empty, a malformed one an error."""
    path = lock_path(charts_dir)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as err:
        why = str(err) if isinstance(err, ValueError) else err.__class__.__name__
        raise ChartError(f"{path}: not a valid lock file ({why})", hint=_restore_hint(charts_dir)) from None
    if (
        not isinstance(data, dict)
        or data.get("version") != LOCK_VERSION
        or not isinstance(data.get("charts"), list)
    ):
        raise ChartError(f"{path}: unknown lock format", hint=_restore_hint(charts_dir))
    entries: dict[tuple[str, str], LockEntry] = {}
    for raw in data["charts"]:
        try:
            entry = LockEntry(
                name=str(raw["name"]),
                version=str(raw["version"]),
                source=str(raw["source"]),
                sha256=str(raw["sha256"]),
                size=int(raw["size"]),
                signer=str(raw["signer"]) if raw.get("signer") else None,
            )
        except (KeyError, TypeError, ValueError):
            raise ChartError(f"{path}: malformed entry {raw!r:.80}", hint=_restore_hint(charts_dir)) from None
        if not _SHA256.match(entry.sha256):
            raise ChartError(f"{path}: {entry.name} {entry.version}: sha256 is not 64 lowercase hex digits")
        entries[entry.key] = entry
    return entries


def render_lock(entries: Iterable[LockEntry]) -> str:
    ordered = sorted(entries, key=lambda e: (e.name, e.version))
    charts: list[dict[str, object]] = []
    for e in ordered:
        item: dict[str, object] = {
            "name": e.name, "version": e.version, "source": e.source, "sha256": e.sha256, "size": e.size
        }
        if e.signer:
            item["signer"] = e.signer
        charts.append(item)
    return json.dumps({"version": LOCK_VERSION, "charts": charts}, indent=2) + "\n"


def write_lock(charts_dir: Path, entries: Iterable[LockEntry]) -> Path:
    path = lock_path(charts_dir)
    text = render_lock(entries)
    try:
        if path.read_text(encoding="utf-8") == text:
            return path
    except OSError:
        pass
    write_atomically(path, text.encode("utf-8"))
    return path


def write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` keeping its mode (0644 for a new file): a crash leaves the old or the new file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        Path(tmp).chmod(mode)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def sha256_file(path: Path) -> str:
    """Streaming sha256 of a file (hashlib.file_digest reads in large blocks without loading it whole)."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def archives_on_disk(charts_dir: Path) -> list[str]:
    if not charts_dir.is_dir():
        return []
    return sorted(p.name for p in charts_dir.glob("*.tgz") if p.is_file() and not p.name.startswith("."))


@dataclass
class LockDiff:
    """What `--check` reports: each list holds archive file names."""

    ok: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # pinned, but no archive or no lock entry
    mismatched: list[str] = field(default_factory=list)  # archive's sha256 or size differs from the lock
    unpinned: list[str] = field(default_factory=list)  # archive on disk that no profile pins
    unsigned: list[str] = field(default_factory=list)  # pinned key, provenance missing or not matching

    @property
    def clean(self) -> bool:
        return not (self.missing or self.mismatched or self.unpinned or self.unsigned)

    def problems(self) -> list[str]:
        return (
            [f"missing {n}" for n in self.missing]
            + [f"mismatched {n}" for n in self.mismatched]
            + [f"not pinned {n}" for n in self.unpinned]
            + [f"signature {n}" for n in self.unsigned]
        )


def diff_lock(
    pins: Iterable[Pin],
    lock: dict[tuple[str, str], LockEntry],
    on_disk: dict[str, tuple[int, str]],
    all_pinned: set[str] | None = None,
) -> LockDiff:
    """Pure: compare pins with the lock and with what is on disk (archive name -> (size, sha256)).

    `all_pinned` (archive names pinned by any profile) enables the "not pinned" check; leave it None to check
    only the given pins (as `k8sprov plan` does for one profile).
    """
    diff = LockDiff()
    for pin in pins:
        name = pin.archive_name
        entry = lock.get((pin.name, pin.version))
        present = on_disk.get(name)
        if entry is None or present is None:
            diff.missing.append(name)
        elif present != (entry.size, entry.sha256):
            diff.mismatched.append(name)
        else:
            diff.ok.append(name)
    if all_pinned is not None:
        diff.unpinned = sorted(n for n in on_disk if n not in all_pinned)
    return diff


def scan_archives(charts_dir: Path, names: Iterable[str]) -> dict[str, tuple[int, str]]:
    """Size and sha256 of each named archive that exists."""
    found: dict[str, tuple[int, str]] = {}
    for name in names:
        path = charts_dir / name
        try:
            size = path.stat().st_size
            found[name] = (size, sha256_file(path))
        except (FileNotFoundError, IsADirectoryError):
            continue
    return found
