"""Masking credentials in text k8sprov prints: terraform's streamed output, its errors and our own messages.

Backend settings carry credentials (the pg backend's `conn_str = "postgres://user:PASSWORD@host/db"`, or
libpq's `password=...` keyword form); terraform echoes them in some errors (a malformed URL, for one).
Everything k8sprov echoes from terraform, and every error message it raises about it, goes through `mask`.
"""

from __future__ import annotations

import re

MASK = "***"

# Terraform's own stand-ins for values it does not show. An output or attribute *named* password prints as
# `password = (sensitive value)`: that is no credential, and masking it would garble Terraform's diff.
# A placeholder counts only as the whole value (followed by an end of value), so `password=(sensitive)x`
# is still hidden.
_PLACEHOLDER = (r"(?:\(sensitive value\)|\(sensitive\)|\(known after apply\)|<sensitive>)"
                r"(?=[\s,;&\"'\]})]|$)")

# scheme://user:password@host — keep scheme and user, hide the password (it may hold anything but @ and
# whitespace; a password with an unescaped "/" is still caught because the match runs to the last "@").
_URL_PASSWORD = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@\"']*:)(?P<pw>[^\s\"']*?)(?=@[^\s@\"']*)"
                           r"(?P<at>@)")
# libpq keyword/value form and query parameters: password=secret, password='se cret', ?password=...
_KEYWORD_PASSWORD = re.compile(r"(?P<head>\b(?:password|passwd|pwd|sslpassword)\s*=\s*)"
                               r"(?!" + _PLACEHOLDER + r")(?P<pw>'(?:[^'\\]|\\.)*'|[^\s&\"';]+)",
                               re.IGNORECASE)
# A backend setting written out as HCL or JSON: secret_key = "...", "access_key": "..."
_HCL_SECRET = re.compile(r"(?P<head>\b(?:secret_key|access_key|token|client_secret|password)\"?\s*[=:]\s*\")"
                         r"(?!" + _PLACEHOLDER + r")(?P<pw>[^\"]+)(?=\")", re.IGNORECASE)


# Every pattern above needs one of these: text without any (nearly all of terraform's output) is unchanged.
_MAYBE = re.compile(r"://|pass|pwd|secret|access_key|token", re.IGNORECASE)


def mask(text: str) -> str:
    """`text` with every credential-looking part replaced by ***; text without credentials is unchanged."""
    if not text or not _MAYBE.search(text):
        return text
    text = _URL_PASSWORD.sub(lambda m: m.group("head") + MASK + m.group("at"), text)
    text = _KEYWORD_PASSWORD.sub(lambda m: m.group("head") + MASK, text)
    return _HCL_SECRET.sub(lambda m: m.group("head") + MASK, text)
