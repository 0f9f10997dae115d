"""`bundle verify` for charts with a pinned signing key: the bundle carries each one's provenance and the
key; the signature is checked with that key alone, over the sha256 the (already verified) manifest lists
for the archive."""

from __future__ import annotations

import tarfile
import tempfile
from pathlib import Path
from typing import Any

from k8sprov.bundle.archive import BundleError, Verified
from k8sprov.errors import ChartError

_MAX_SMALL = 1 << 20  # provenance and key files are a few KiB


def _read(path: Path, wanted: set[str]) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    with tarfile.open(path, mode="r|gz") as tar:
        for info in tar:
            if info.name in wanted and info.isreg() and info.size <= _MAX_SMALL:
                reader = tar.extractfile(info)
                if reader is not None:
                    found[info.name] = reader.read()
    return found


def check_signatures(path: Path, verified: Verified) -> list[str]:
    """'<chart> <version>: <signer>' per signed chart; BundleError naming the first that fails."""
    from k8sprov.supply.keys import KEYS_DIR
    from k8sprov.supply.provenance import PROV_SUFFIX, verify

    charts: list[dict[str, Any]] = [c for c in verified.manifest.get("charts") or []
                                    if isinstance(c, dict) and c.get("signed_by")]
    if not charts:
        return []
    shas = {m["path"]: m["sha256"] for m in verified.manifest["members"]}
    keys = KEYS_DIR.as_posix()
    wanted = {f"charts/{c['name']}-{c['version']}.tgz{PROV_SUFFIX}" for c in charts}
    wanted |= {f"{keys}/{c['signed_by']}.asc" for c in charts}
    blobs = _read(path, wanted)
    checked = []
    with tempfile.TemporaryDirectory(prefix="k8sprov-bundle-keys-") as tmp:
        root = Path(tmp)
        (root / keys).mkdir(parents=True)
        for name, data in blobs.items():
            if name.startswith(f"{keys}/"):
                (root / name).write_bytes(data)
        for chart in charts:
            name, version, fingerprint = str(chart["name"]), str(chart["version"]), str(chart["signed_by"])
            archive = f"{name}-{version}.tgz"
            sha = shas.get(f"charts/{archive}")
            if sha is None:
                raise BundleError(f"{path}: charts/{archive} is not in the bundle")
            try:
                signer = verify(root, name, version, archive, fingerprint,
                                blobs.get(f"charts/{archive}{PROV_SUFFIX}"), sha)
            except ChartError as err:
                raise BundleError(f"{path}: {err.message}", hint="do not use this bundle; make it again "
                                  "from a project where update-charts --check passes") from None
            checked.append(f"{name} {version}: {signer}")
    return checked
