"""Terraform's dependency lock file (`.terraform.lock.hcl`): the provider versions and hashes it pins.

Below the packages that read it: bundle (mirrors proven against these hashes) and supply (the SBOM).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LOCK_FILE = ".terraform.lock.hcl"
_PROVIDER_BLOCK = re.compile(r'^provider\s+"([^"]+)"\s*\{(.*?)^\}', re.MULTILINE | re.DOTALL)
_VERSION = re.compile(r'^\s*version\s*=\s*"([^"]+)"', re.MULTILINE)
_HASHES = re.compile(r"^\s*hashes\s*=\s*\[(.*?)\]", re.MULTILINE | re.DOTALL)
_STRING = re.compile(r'"([^"]*)"')


@dataclass(frozen=True)
class LockedProvider:
    address: str  # registry.terraform.io/hashicorp/null
    version: str
    hashes: tuple[str, ...]


def parse_lock(text: str) -> dict[str, LockedProvider]:
    """The `provider` blocks of a `.terraform.lock.hcl`, by address (pure)."""
    locked: dict[str, LockedProvider] = {}
    for match in _PROVIDER_BLOCK.finditer(text):
        address, body = match.group(1), match.group(2)
        version = _VERSION.search(body)
        hashes = _HASHES.search(body)
        locked[address] = LockedProvider(
            address=address,
            version=version.group(1) if version else "",
            hashes=tuple(_STRING.findall(hashes.group(1))) if hashes else (),
        )
    return locked
