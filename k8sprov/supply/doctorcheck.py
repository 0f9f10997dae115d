"""doctor's `signatures` item: which charts a pinned key vouches for, which are unsigned, and which cannot be
checked at all yet (vendored from an OCI registry: cosign signatures are not verified)."""

from __future__ import annotations

import shutil

from k8sprov.project import Project


def signature_summary(project: Project) -> tuple[bool, str, str | None]:
    """(healthy, message, fix) for doctor."""
    from k8sprov.charts.catalog import load_catalog
    from k8sprov.charts.lock import read_lock
    from k8sprov.supply.keys import key_file

    catalog = load_catalog(project)
    lock = read_lock(project.charts_dir)
    pinned = {k: s for k, s in catalog.charts.items() if s.signed_by}
    unsigned = [s.chart for s in catalog.charts.values() if not s.signed_by]
    from_oci = sorted({e.name for e in lock.values() if e.source.startswith("oci://")})
    parts = []
    if pinned:
        parts.append("signed by a pinned key: " + ", ".join(
            f"{s.chart} ({s.signed_by[-16:] if s.signed_by else ''})" for s in pinned.values()))
    if unsigned:
        parts.append("no key pinned (not verified): " + ", ".join(unsigned))
    if from_oci:
        parts.append("vendored from OCI, cosign signatures not verified: " + ", ".join(from_oci))
    message = "; ".join(parts) or "no charts"
    missing = [s.signed_by for s in pinned.values()
               if s.signed_by and not key_file(project.root, s.signed_by).is_file()]
    if missing:
        return False, f"{message}; key file missing: infra/keys/{missing[0]}.asc", \
            "export the publisher's key with gpg --armor --export FINGERPRINT into infra/keys/"
    if pinned and shutil.which("gpg") is None:
        return False, f"{message}; gpg not found", "install GnuPG 2 (apt-get install gnupg)"
    return True, message, None
