"""Offline checks of vendored chart signatures: `update-charts --check`, `bundle verify`, `k8sprov charts`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from k8sprov.charts.model import LockEntry, Pin
from k8sprov.errors import ChartError
from k8sprov.supply.provenance import PROV_SUFFIX, verify


def check_vendored_signatures(
    root: Path, charts_dir: Path, pins: Iterable[Pin], lock: dict[tuple[str, str], LockEntry],
    present: set[str],
) -> list[str]:
    """One line per pinned-key chart (among the `present` archives) whose vendored provenance does not
    prove the locked bytes were signed by the pinned key: '<archive>: <why>'."""
    problems: list[str] = []
    for pin in pins:
        fingerprint = pin.spec.signed_by
        entry = lock.get((pin.name, pin.version))
        if fingerprint is None or entry is None or pin.archive_name not in present:
            continue
        why = signature_problem(root, charts_dir, pin.archive_name, entry, fingerprint)
        if why:
            problems.append(f"{pin.archive_name}: {why}")
    return problems


def signature_problem(root: Path, charts_dir: Path, archive: str, entry: LockEntry,
                      fingerprint: str) -> str | None:
    """Why the vendored provenance of `archive` does not hold up (None: it does). Offline."""
    prov_path = charts_dir / (archive + PROV_SUFFIX)
    try:
        prov: bytes | None = prov_path.read_bytes()
    except FileNotFoundError:
        prov = None
    try:
        signer = verify(root, entry.name, entry.version, archive, fingerprint, prov, entry.sha256)
    except ChartError as err:
        return err.message
    if entry.signer != signer:
        return f"charts.lock records signer {entry.signer or 'none'}, the provenance {signer}"
    return None


@dataclass(frozen=True)
class SignatureState:
    """What `k8sprov charts` and the SBOM say about one chart's origin."""

    text: str  # "signed by <fp>", "unsigned", "OCI: not verifiable (cosign)"
    signer: str | None


def signature_state(pin: Pin, entry: LockEntry | None) -> SignatureState:
    if pin.spec.signed_by is None:
        return SignatureState("unsigned (no key pinned)", None)
    if entry is not None and entry.signer == pin.spec.signed_by:
        return SignatureState(f"signed by {entry.signer}", entry.signer)
    return SignatureState(f"key {pin.spec.signed_by} pinned, not yet verified", None)
