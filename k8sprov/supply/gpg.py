"""The one seam to GnuPG: check a clearsigned message against one pinned public key, and only that key.

Each check runs in a fresh temporary GNUPGHOME holding nothing but the pinned key, so the user's keyring,
trust database and agent play no part. `--no-autostart` keeps gpg from starting an agent that would outlive
the check. Nothing else in k8sprov starts gpg.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass

from k8sprov.errors import K8sprovError


class GpgNotFound(K8sprovError):
    """No gpg binary: pinned signatures cannot be checked."""


class SignatureInvalid(Exception):
    """The message is not validly signed by the pinned key; the text says why."""


@dataclass(frozen=True)
class SignedText:
    text: bytes  # what the signature covers, as gpg hands it back
    signer: str  # primary key fingerprint, 40 upper-case hex digits


def gpg_binary() -> str:
    found = shutil.which("gpg")
    if found is None:
        raise GpgNotFound(
            "gpg not found: charts with a pinned signing key cannot be checked",
            hint="install GnuPG 2 (apt-get install gnupg)",
        )
    return found


def verify_clearsigned(message: bytes, key_armored: str, fingerprint: str) -> SignedText:
    """The signed text of `message` when the key with `fingerprint` (from `key_armored`) signed it."""
    import gnupg

    binary = gpg_binary()
    home = tempfile.mkdtemp(prefix="k8sprov-gpg-")
    try:
        gpg = gnupg.GPG(gpgbinary=binary, gnupghome=home, options=["--no-autostart"])
        imported = gpg.import_keys(key_armored)
        found = {str(f).upper() for f in imported.fingerprints or []}
        if fingerprint not in found:
            raise SignatureInvalid(f"the key file holds no key with fingerprint {fingerprint}")
        if found != {fingerprint}:
            raise SignatureInvalid(f"the key file for {fingerprint} holds other keys too")
        result = gpg.decrypt(message)
        signer = str(result.pubkey_fingerprint or "").upper()
        if not result.valid:
            status = str(result.status or "no valid signature")
            if getattr(result, "key_id", None) and status in ("no public key", "signature error"):
                status = f"made by key {result.key_id}, not the pinned one"
            elif status == "signature bad":
                status = "the signed text or the signature was altered"
            raise SignatureInvalid(status)
        if signer != fingerprint:
            raise SignatureInvalid(f"made by key {signer or '(unknown)'}, not the pinned one")
        return SignedText(bytes(result.data), signer)
    finally:
        shutil.rmtree(home, ignore_errors=True)
