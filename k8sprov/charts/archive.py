"""Checks a downloaded chart archive before it may be renamed into charts/.

A chart archive is a gzip'd tar whose entries all sit under one folder named after the chart, with
`<chart>/Chart.yaml` whose name and version match the pin. Refused: absolute paths, `..`, links leaving the
folder, devices and FIFOs, and absurd sizes (entry count, per-entry and total unpacked size), all checked from
the headers as the tar is walked, so a decompression bomb is stopped before its bytes are inflated.
"""

from __future__ import annotations

import posixpath
import tarfile
import zlib
from dataclasses import dataclass
from pathlib import Path


class ArchiveError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Limits:
    max_entries: int = 10_000
    max_entry_bytes: int = 64 * 1024 * 1024
    max_total_bytes: int = 256 * 1024 * 1024
    max_chart_yaml_bytes: int = 1024 * 1024


def _inside(top: str, path: str) -> bool:
    norm = posixpath.normpath(path)
    return norm == top or norm.startswith(top + "/")


def unsafe_name(name: str) -> str | None:
    """Pure: why an archive entry name could write outside the folder it is unpacked into, or None."""
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return f"absolute path {name!r}"
    if ".." in name.replace("\\", "/").split("/"):
        return f"path with '..' {name!r}"
    return None


def check_member_name(name: str, chart: str) -> str | None:
    """Pure: why an entry name is refused, or None."""
    why = unsafe_name(name)
    if why:
        return why
    parts = name.replace("\\", "/").split("/")
    if parts[0] != chart:
        return f"entry {name!r} outside the top folder {chart}/"
    return None


def check_archive(path: Path, chart: str, version: str, limits: Limits | None = None) -> None:
    """Raise ArchiveError with a one-line reason unless `path` is a well-formed archive of chart@version."""
    lim = limits or Limits()
    with path.open("rb") as fh:
        if fh.read(2) != b"\x1f\x8b":
            raise ArchiveError("not a gzip archive")
    chart_yaml: bytes | None = None
    entries = 0
    total = 0
    try:
        with tarfile.open(path, mode="r:gz") as tar:
            while True:
                member = tar.next()
                if member is None:
                    break
                entries += 1
                if entries > lim.max_entries:
                    raise ArchiveError(f"more than {lim.max_entries} entries")
                name = member.name
                why = check_member_name(name, chart)
                if why:
                    raise ArchiveError(why)
                if member.size > lim.max_entry_bytes:
                    raise ArchiveError(f"entry {name!r} is {member.size} bytes (limit {lim.max_entry_bytes})")
                total += member.size
                if total > lim.max_total_bytes:
                    raise ArchiveError(f"unpacks to more than {lim.max_total_bytes} bytes")
                if member.issym():
                    target = posixpath.join(posixpath.dirname(name), member.linkname)
                    if member.linkname.startswith("/") or not _inside(chart, target):
                        raise ArchiveError(f"link {name!r} -> {member.linkname!r} leaves {chart}/")
                elif member.islnk():
                    if member.linkname.startswith("/") or not _inside(chart, member.linkname):
                        raise ArchiveError(f"hard link {name!r} -> {member.linkname!r} leaves {chart}/")
                elif not (member.isfile() or member.isdir()):
                    raise ArchiveError(f"entry {name!r} is not a file, folder or link")
                if posixpath.normpath(name) == f"{chart}/Chart.yaml" and member.isfile():
                    if member.size > lim.max_chart_yaml_bytes:
                        raise ArchiveError(f"{chart}/Chart.yaml is {member.size} bytes")
                    extracted = tar.extractfile(member)
                    chart_yaml = extracted.read() if extracted else None
    except ArchiveError:
        raise
    except (tarfile.TarError, EOFError, zlib.error, OSError) as err:
        raise ArchiveError(f"not a valid tar.gz ({err.__class__.__name__}: {str(err)[:80]})") from None
    if entries == 0:
        raise ArchiveError("empty archive")
    if chart_yaml is None:
        raise ArchiveError(f"no {chart}/Chart.yaml")
    _check_chart_yaml(chart_yaml, chart, version)


def _check_chart_yaml(raw: bytes, chart: str, version: str) -> None:
    import yaml

    try:
        # BaseLoader keeps every scalar a string: version 3.10 stays "3.10", not 3.1.
        data = yaml.load(raw, Loader=yaml.BaseLoader)
    except yaml.YAMLError:
        raise ArchiveError(f"{chart}/Chart.yaml is not valid YAML") from None
    if not isinstance(data, dict):
        raise ArchiveError(f"{chart}/Chart.yaml is not a mapping")
    name, found = data.get("name"), data.get("version")
    if name != chart:
        raise ArchiveError(f"Chart.yaml names chart {name!r}, pinned {chart!r}")
    if found != version:
        raise ArchiveError(f"Chart.yaml says version {found!r}, pinned {version!r}")
