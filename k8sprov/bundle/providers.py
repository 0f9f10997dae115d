"""Terraform's provider packages on disk: the `h1:` hash, the dependency lock file, the installed tree.

`h1:` is Go's dirhash "Hash1" (golang.org/x/mod/sumdb/dirhash) over the unpacked package folder: for every
file, sorted by its slash-separated relative path, the line "<sha256 hex>  <path>\n"; the sha256 of all
lines, base64, prefixed "h1:". Terraform records it in `.terraform.lock.hcl` and checks every package it
installs against it, so a mirror we build must reproduce it exactly.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

# The lock file's parser lives below bundle and supply; bundle's modules keep naming it here.
from k8sprov.tflock import LOCK_FILE as LOCK_FILE
from k8sprov.tflock import LockedProvider as LockedProvider
from k8sprov.tflock import parse_lock as parse_lock

_PLATFORM = re.compile(r"^[a-z0-9]+_[a-z0-9]+$")


@dataclass(frozen=True)
class InstalledPackage:
    address: str
    version: str
    platform: str  # linux_amd64
    folder: Path  # the package folder itself, symlinks resolved

    @property
    def relpath(self) -> str:
        return f"{self.address}/{self.version}/{self.platform}"


def package_files(folder: Path) -> list[str]:
    """Slash-separated paths of every file under `folder`, sorted as Go sorts strings (by bytes)."""
    found: list[str] = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs.sort()
        for name in files:
            found.append(Path(root, name).relative_to(folder).as_posix())
    return sorted(found, key=lambda p: p.encode("utf-8"))


def _sha256_file(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def hash_h1(folder: Path) -> str:
    """Terraform's `h1:` hash of an unpacked provider package folder."""
    summary = hashlib.sha256()
    for rel in package_files(folder):
        if "\n" in rel:
            raise ValueError(f"file name with a newline in {folder}")
        summary.update(f"{_sha256_file(folder / rel)}  {rel}\n".encode())
    return "h1:" + base64.b64encode(summary.digest()).decode("ascii")


def installed_packages(providers_dir: Path) -> list[InstalledPackage]:
    """Every package under a data dir's `providers/` (HOST/NAMESPACE/TYPE/VERSION/OS_ARCH), sorted.

    Terraform links packages it installed from an unpacked mirror or a plugin cache: the links are
    followed, the package's real files are what counts."""
    found: list[InstalledPackage] = []
    if not providers_dir.is_dir():
        return found
    for platform_dir in sorted(providers_dir.glob("*/*/*/*/*")):
        rel = platform_dir.relative_to(providers_dir).parts
        if not platform_dir.is_dir() or not _PLATFORM.match(rel[4]):
            continue
        found.append(InstalledPackage(address="/".join(rel[:3]), version=rel[3], platform=rel[4],
                                      folder=platform_dir.resolve()))
    return found


_PACKED = re.compile(r"^terraform-provider-(?P<type>[^_/]+)_(?P<version>[^_/]+)"
                     r"_(?P<platform>[a-z0-9]+_[a-z0-9]+)\.zip$")


def unpack_packed_mirror(packed: Path, dest: Path, max_bytes: int) -> list[InstalledPackage]:
    """Turn `terraform providers mirror` output (HOST/NS/TYPE/terraform-provider-TYPE_V_OS_ARCH.zip, plus
    JSON indexes a filesystem mirror does not need) into the unpacked layout under `dest`.

    Unpacked, a package's `h1:` can be checked against the lock like an installed one. Zip entries with
    unsafe names, links or absurd sizes are refused."""
    import stat
    import zipfile

    from k8sprov.bundle.archive import BundleError, check_name

    found: list[InstalledPackage] = []
    for archive in sorted(packed.glob("*/*/*/*.zip")):
        match = _PACKED.match(archive.name)
        rel = archive.parent.relative_to(packed).parts
        if match is None or match["type"] != rel[2]:
            raise BundleError(f"providers mirror wrote an unexpected file {archive.relative_to(packed)}")
        address = "/".join(rel)
        folder = dest / address / match["version"] / match["platform"]
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                why = check_name(info.filename.rstrip("/"))
                mode = info.external_attr >> 16
                if why or stat.S_ISLNK(mode):
                    raise BundleError(f"{archive.name}: {why or f'link {info.filename!r}'}")
                if info.file_size > max_bytes:
                    raise BundleError(f"{archive.name}: {info.filename!r} is {info.file_size} bytes")
                if info.is_dir():
                    continue
                target = folder / info.filename
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, target.open("wb") as out:
                    out.write(src.read(max_bytes + 1)[:max_bytes])
                target.chmod(0o755 if (mode & 0o111 or info.filename.startswith("terraform-provider-"))
                             else 0o644)
        found.append(InstalledPackage(address=address, version=match["version"],
                                      platform=match["platform"], folder=folder))
    return found


def valid_platform(platform: str) -> bool:
    return bool(_PLATFORM.match(platform))


def current_platform() -> str:
    """Terraform's name for this machine's platform (linux_amd64, darwin_arm64, ...)."""
    import platform
    import sys

    machine = platform.machine().lower()
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64",
            "i386": "386", "i686": "386", "armv7l": "arm"}.get(machine, machine)
    system = "darwin" if sys.platform == "darwin" else "windows" if sys.platform.startswith("win") else \
        sys.platform.rstrip("0123456789")
    return f"{system}_{arch}"
