"""Which Helm `--set` entries hold credentials, judged by their name, and where such entries are in a project.

A `release_overrides` `set` entry is shown in plans: Terraform prints it, and the plan JSON carries it
unmarked. k8sprov masks an entry whose *name* says credential in every view, and `lint` points it to
`release_secrets` (the provider's `set_sensitive`, which Terraform itself keeps out of its output).

The rule looks at the last key of the path (`configs.secret.argocdServerAdminPassword` →
`argocdServerAdminPassword`), split into words at dots, `_`, `-` and camelCase humps:

- a credential when its **last word** is password, passwd, pwd, passphrase, secret, token, credential(s),
  or key after another word (`apiKey`, `privateKey`; not `publicKey`, `topologyKey`, `labelKey`,
  `configMapKey`); also the one-word forms apikey, privatekey, accesskey, secretkey, clientsecret,
  authtoken;
- **not** when a word before it says the value is a flag or a reference: `existingSecret`, `createSecret`,
  `automountServiceAccountToken`, `useToken`, `enableSecret` (names and booleans, not credentials);
- **not** when the credential word is followed by another (`secretName`, `tokenTtl`, `passwordMtime`,
  `keyring`, `keyRing`, `secretKeyRef`): those describe a credential, they do not hold one;
- a bare `key` counts only under a parent that is not a list item or a reference (`tls.key` yes;
  `tolerations[0].key`, `secretKeyRef.key`, `configMapKeyRef.key` no).

A false positive costs a masked value and a lint warning; a false negative prints a password. The rule
leans to masking.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

CREDENTIAL_WORDS = frozenset({
    "password", "passwd", "pwd", "passphrase", "secret", "token", "credential", "credentials",
    "passwords", "tokens", "passphrases", "apikey", "privatekey", "accesskey", "secretkey", "clientsecret",
    "authtoken",
})
# A first word that makes the value a switch or the name of something else.
_NOT_A_VALUE = frozenset({"existing", "create", "use", "enable", "enabled", "automount", "mount", "generate",
                          "skip", "disable", "require", "required", "rotate"})
# `<word>Key` that names a field, a label or a public half: topologyKey, labelKey, publicKey, configMapKey.
_NOT_A_SECRET_KEY = frozenset({"public", "topology", "label", "annotation", "sort", "map", "node", "match",
                               "cache", "partition", "routing", "hash", "lookup", "primary", "foreign",
                               "selector", "field", "ref"})
# A bare `key` under these is a map or selector key: secretKeyRef.key, nodeSelector.key, labels.key.
_MAP_KEY_PARENTS = frozenset({"ref", "selector", "expressions", "tolerations", "labels", "annotations",
                              "selectors", "items"})
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_INDEX = re.compile(r"\[[0-9]+\]$")

OVERRIDES = "release_overrides"
SECRETS = "release_secrets"


def _keys(name: str) -> list[str]:
    """Helm --set path keys: dots separate them, `\\.` is a literal dot; `[n]` stays on its key."""
    return [k.replace("\0", ".") for k in name.replace("\\.", "\0").split(".")]


def _words(key: str) -> list[str]:
    return [w.lower() for w in _WORDS.findall(key)]


def is_credential_name(name: object) -> bool:
    """Whether a Helm --set path names a credential (see the module's rule)."""
    if not isinstance(name, str) or not name:
        return False
    keys = _keys(name)
    leaf = _INDEX.sub("", keys[-1])
    words = _words(leaf)
    if not words or words[0] in _NOT_A_VALUE:
        return False
    last = words[-1]
    if last in CREDENTIAL_WORDS:
        return True
    if last != "key":
        return False
    if len(words) > 1:
        return words[-2] not in _NOT_A_SECRET_KEY
    # a bare `key`: the parent says whether it is a map key or a private key
    if len(keys) < 2 or _INDEX.search(keys[-2]):
        return False
    parent = _words(keys[-2])
    return bool(parent) and parent[-1] not in _MAP_KEY_PARENTS


def credential_values(overrides: Any) -> Iterator[tuple[str, int, str, str]]:
    """(release, index, name, value) of every credential-named `set` entry of a release_overrides value."""
    if not isinstance(overrides, Mapping):
        return
    for release, entry in overrides.items():
        sets = entry.get("set") if isinstance(entry, Mapping) else None
        if not isinstance(sets, list):
            continue
        for index, item in enumerate(sets):
            if not isinstance(item, Mapping):
                continue
            name, value = item.get("name"), item.get("value")
            if isinstance(name, str) and is_credential_name(name) and value is not None:
                yield str(release), index, name, str(value)


def secret_values(release_secrets: Any) -> Iterator[str]:
    """Every value of a release_secrets value (chart -> list of {name, value, type})."""
    if not isinstance(release_secrets, Mapping):
        return
    for entries in release_secrets.values():
        for item in entries if isinstance(entries, list) else []:
            if isinstance(item, Mapping) and item.get("value") is not None:
                yield str(item["value"])


def parse_tf_var(text: str) -> Any:
    """A `TF_VAR_x` value of a complex type, read as Terraform reads it (an HCL expression); None if not."""
    import hcl2
    from hcl2.utils import SerializationOptions

    options = SerializationOptions(strip_string_quotes=True, with_comments=False, explicit_blocks=False)
    try:
        return hcl2.loads(f"x = {text}\n", serialization_options=options).get("x")
    except Exception:  # lark raises many types; Terraform reports an unparseable value itself
        return None


def _unquote_keys(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k).strip('"'): _unquote_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unquote_keys(v) for v in value]
    return value


def env_var_value(name: str, environ: Mapping[str, str] | None = None) -> Any:
    """The parsed value of `TF_VAR_<name>` in the environment, or None when unset or unparseable."""
    text = (os.environ if environ is None else environ).get(f"TF_VAR_{name}")
    return _unquote_keys(parse_tf_var(text)) if text else None


def known_secrets(env_file_data: Mapping[str, Any],
                  environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Values Terraform may print in clear for an environment: credential-named `set` entries of
    release_overrides (env file and TF_VAR_release_overrides) and release_secrets' values (kept as well:
    they are sensitive to Terraform, but an error message may still quote one)."""
    values: list[str] = []
    for source in (env_file_data.get(OVERRIDES), env_var_value(OVERRIDES, environ)):
        values += [value for _r, _i, _n, value in credential_values(source)]
    for source in (env_file_data.get(SECRETS), env_var_value(SECRETS, environ)):
        values += list(secret_values(source))
    return tuple(dict.fromkeys(v for v in values if v))


def scrub(text: str, secrets: Iterable[str]) -> str:
    """`text` with every known secret replaced by ***. Short values (under 3 characters) would mask half
    the text; they are left alone, and are no credential anyone should use."""
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= 3 and secret in text:
            text = text.replace(secret, "***")
    return text


# Terraform's human plan text: `key = value` (HCL-like rendering, jsonencode() bodies) and `key: value`
# (YAML in heredocs), with a diff marker in front.
# Error output puts `│ ` in front of every line of a diagnostic.
_ASSIGN = re.compile(r'^(?P<head>[\s│]*(?:[-+~]|-/\+|\+/-)?\s*(?P<q>"?)(?P<key>[^"\s=:]+)(?P=q)\s*[=:]\s*)'
                     r"(?P<rest>\S.*?)(?P<comma>,?)$")
_NAME_VALUE = re.compile(r'^"(?P<name>(?:[^"\\]|\\.)*)"')
_NOT_A_VALUE_TEXT = ("{", "[", "(sensitive", "(known after apply)", "jsonencode(", "<<", "null")
# Searched in lowercased text: an IGNORECASE alternation is several times slower on big plans.
_HINTS = re.compile(r"pass|secret|token|key|credential|pwd|name")
HIDDEN = "(sensitive value)"


class TextMasker:
    """Masks credentials in Terraform's own text by name, line by line, as it streams: a value whose key
    says credential (`adminPassword = "..."` in a jsonencode() body, `adminPassword: ...` in a values
    heredoc), and the `value` of a `set` entry whose `name` says credential (Terraform prints an object's
    attributes in order: name, type, value). One instance per stream: the `set` entry's name and value
    may arrive in different chunks."""

    def __init__(self) -> None:
        self._entry_is_credential = False

    def __call__(self, text: str) -> str:
        if not self._entry_is_credential and not _HINTS.search(text.lower()):
            return text
        return "".join(self._line(line) for line in text.splitlines(keepends=True))

    def _line(self, line: str) -> str:
        if not self._entry_is_credential and not _HINTS.search(line.lower()):
            return line  # most lines of a big plan: no key that could name a credential
        body = line.rstrip("\r\n")
        end = line[len(body):]
        stripped = body.strip()
        if stripped.startswith("}") or stripped.startswith("]"):
            self._entry_is_credential = False
            return line
        m = _ASSIGN.match(body)
        if m is None:
            return line
        key, rest = m.group("key"), m.group("rest")
        if key == "name":
            name = _NAME_VALUE.match(rest)
            self._entry_is_credential = bool(name and is_credential_name(name.group("name")))
            return line
        hide = (key == "value" and self._entry_is_credential) or (key != "value" and is_credential_name(key))
        if not hide or rest.startswith(_NOT_A_VALUE_TEXT):
            return line
        return m.group("head") + HIDDEN + m.group("comma") + end
