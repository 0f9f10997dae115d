"""Helm provenance files (`<archive>.prov`): a clearsigned Chart.yaml plus the sha256 of each archive.

`helm package --sign` writes the chart's metadata, a `...` line, then `files: {<archive>: sha256:<hex>}`,
clearsigned. A chart is genuine when the pinned key signed that text and the archive's bytes hash to the
sha256 it lists for the archive's file name — the same two checks `helm verify` makes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from k8sprov.errors import ChartError
from k8sprov.supply.keys import key_file, short

PROV_SUFFIX = ".prov"
_HEADER = b"-----BEGIN PGP SIGNED MESSAGE-----"


@dataclass(frozen=True)
class Provenance:
    signer: str
    files: dict[str, str]  # archive file name -> sha256 hex


def signed_files(text: bytes) -> dict[str, str]:
    """The `files:` block of a provenance's signed text (pure)."""
    _, sep, block = text.decode("utf-8", "replace").partition("\n...\n")
    if not sep:
        raise ValueError("no files block")
    data = yaml.safe_load(block)
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        raise ValueError("no files block")
    out: dict[str, str] = {}
    for name, digest in files.items():
        value = str(digest)
        if not value.startswith("sha256:"):
            raise ValueError(f"{name}: not a sha256 digest")
        out[str(name)] = value.removeprefix("sha256:").lower()
    return out


def verify(root: Path, chart: str, version: str, archive: str, fingerprint: str,
           prov: bytes | None, sha256: str) -> str:
    """The signer's fingerprint when `prov` is a signature by the pinned key over an archive hashing to
    `sha256`; otherwise one ChartError naming the chart, the version and the pinned key."""
    from k8sprov.supply.gpg import GpgNotFound, SignatureInvalid, verify_clearsigned

    def fail(why: str, hint: str) -> ChartError:
        return ChartError(f"{chart} {version}: {why} (pinned key {fingerprint})", hint=hint)

    if prov is None:
        raise fail(f"no signature: {archive}{PROV_SUFFIX} is missing",
                   "the publisher must sign this version, or remove signed_by from chart_catalog")
    path = key_file(root, fingerprint)
    try:
        armored = path.read_text(encoding="utf-8")
    except OSError:
        raise fail(f"public key {path.relative_to(root)} not found",
                   "export it with gpg --armor --export FINGERPRINT into infra/keys/") from None
    if not prov.lstrip().startswith(_HEADER):
        raise fail(f"{archive}{PROV_SUFFIX} is not a clearsigned provenance file", "re-fetch the chart")
    try:
        signed = verify_clearsigned(prov, armored, fingerprint)
    except SignatureInvalid as err:
        raise fail(f"bad signature: {err}", "do not use this chart; check the key pinned in signed_by") \
            from None
    except GpgNotFound as err:
        raise fail("cannot check the signature: gpg not found", err.hint or "install GnuPG 2") from None
    try:
        files = signed_files(signed.text)
    except ValueError as err:
        raise fail(f"{archive}{PROV_SUFFIX}: {err}", "re-fetch the chart") from None
    listed = files.get(archive)
    if listed is None:
        raise fail(f"{archive}{PROV_SUFFIX} does not list {archive}", "re-fetch the chart")
    if listed != sha256:
        raise fail(
            f"{archive} has sha256 {sha256[:16]}…, its signed provenance says {listed[:16]}… "
            f"(signer {short(signed.signer)})",
            "the archive was altered after signing; do not use it",
        )
    return signed.signer
