"""kubeconfig files read and merged the way kubectl does, without ever printing their credentials.

kubectl's rules (client-go `clientcmd` loading rules) that we follow:
- `KUBECONFIG` is a list of files (":"-separated on Linux and macOS); missing files are skipped; when it is
  unset or empty, `~/.kube/config` is the one file;
- merged by name, the first file to define a context, cluster or user wins; `current-context` is the first
  non-empty one.

Only names, server URLs and file paths leave this module as text; certificates, keys and tokens stay in the
`User`/`Cluster` objects for the connection probe, and `describe()` of either names none of them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_KUBECONFIG = "~/.kube/config"


def expand_path(text: str, base: Path, environ: Mapping[str, str] | None = None) -> Path:
    """`~` expanded (from HOME, as Terraform's pathexpand does), a relative path made absolute from `base`."""
    environ = os.environ if environ is None else environ
    home = environ.get("HOME")
    if home and (text == "~" or text.startswith("~/")):
        path = Path(home + text[1:])
    else:
        path = Path(text).expanduser()
    return path if path.is_absolute() else base / path


def kubeconfig_paths(explicit: str | None, environ: Mapping[str, str] | None = None, *,
                     explicit_base: Path | None = None) -> list[Path]:
    """The files a connection reads: the env file's path if set, else KUBECONFIG's list, else
    ~/.kube/config. All absolute: Terraform runs in terraform/, not where the user typed the command.

    A relative path in the env file is relative to `explicit_base` (the root module's folder, where the
    providers resolve it); a relative KUBECONFIG entry to the current folder, as for kubectl."""
    environ = os.environ if environ is None else environ
    if explicit:
        return [expand_path(explicit, explicit_base or Path.cwd(), environ)]
    listed = [p for p in environ.get("KUBECONFIG", "").split(os.pathsep) if p.strip()]
    if listed:
        # kubectl drops repeated entries, keeping the first.
        return list(dict.fromkeys(expand_path(p.strip(), Path.cwd(), environ) for p in listed))
    return [expand_path(DEFAULT_KUBECONFIG, Path.cwd(), environ)]


@dataclass
class Cluster:
    name: str
    server: str | None
    ca_data: bytes | None = None
    ca_file: Path | None = None
    insecure: bool = False
    tls_server_name: str | None = None


@dataclass
class User:
    name: str
    client_cert_data: bytes | None = None
    client_key_data: bytes | None = None
    client_cert_file: Path | None = None
    client_key_file: Path | None = None
    token: str | None = field(default=None, repr=False)
    token_file: Path | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    plugin: str | None = None  # "exec" or "auth-provider": credentials come from running something

    def kind(self) -> str:
        """How this user authenticates, as words (never the credential itself)."""
        if self.plugin:
            return f"{self.plugin} plugin"
        if self.client_cert_data or self.client_cert_file:
            return "client certificate"
        if self.token or self.token_file:
            return "token"
        if self.username:
            return "basic auth"
        return "no credentials"


@dataclass
class Merged:
    """The merged view of several kubeconfig files."""

    files: list[Path]
    missing: list[Path]
    contexts: dict[str, dict[str, Any]]
    clusters: dict[str, dict[str, Any]]
    users: dict[str, dict[str, Any]]
    current_context: str | None
    # Where each cluster/user was defined: relative file references resolve against that file's folder.
    origin: dict[tuple[str, str], Path]
    errors: list[str]


class KubeconfigError(ValueError):
    """A kubeconfig file that cannot be read or is not a kubeconfig."""


def _load_file(path: Path) -> dict[str, Any]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except OSError as err:
        raise KubeconfigError(f"{path}: cannot read ({err.strerror})") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise KubeconfigError(f"{path}: not valid YAML{where}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise KubeconfigError(f"{path}: not a kubeconfig (top level is not a mapping)")
    return data


def merge(paths: list[Path]) -> Merged:
    """Merge like kubectl: the first file to define a name wins, the first non-empty current-context wins."""
    merged = Merged(files=[], missing=[], contexts={}, clusters={}, users={}, current_context=None,
                    origin={}, errors=[])
    for path in paths:
        if not path.is_file():
            merged.missing.append(path)
            continue
        try:
            data = _load_file(path)
        except KubeconfigError as err:
            merged.errors.append(str(err))
            continue
        merged.files.append(path)
        if not merged.current_context and isinstance(data.get("current-context"), str):
            merged.current_context = data["current-context"] or None
        for key, target, inner in (("contexts", merged.contexts, "context"),
                                   ("clusters", merged.clusters, "cluster"),
                                   ("users", merged.users, "user")):
            for entry in data.get(key) or []:
                if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                    continue
                name = entry["name"]
                if name not in target:
                    body = entry.get(inner)
                    target[name] = body if isinstance(body, dict) else {}
                    merged.origin[(key, name)] = path
    return merged


def _b64(value: object) -> bytes | None:
    import base64
    import binascii

    if not isinstance(value, str) or not value:
        return None
    try:
        return base64.b64decode(value)
    except (binascii.Error, ValueError):
        return None


def _file(value: object, base: Path | None) -> Path | None:
    if not isinstance(value, str) or not value:
        return None
    path = Path(value).expanduser()
    return path if path.is_absolute() or base is None else base.parent / path


def cluster(merged: Merged, name: str) -> Cluster | None:
    body = merged.clusters.get(name)
    if body is None:
        return None
    base = merged.origin.get(("clusters", name))
    server = body.get("server")
    return Cluster(name=name, server=server if isinstance(server, str) and server else None,
                   ca_data=_b64(body.get("certificate-authority-data")),
                   ca_file=_file(body.get("certificate-authority"), base),
                   insecure=bool(body.get("insecure-skip-tls-verify")),
                   tls_server_name=body.get("tls-server-name") or None)


def user(merged: Merged, name: str) -> User | None:
    body = merged.users.get(name)
    if body is None:
        return None
    base = merged.origin.get(("users", name))
    plugin = "exec" if body.get("exec") else "auth-provider" if body.get("auth-provider") else None
    token = body.get("token")
    return User(name=name, client_cert_data=_b64(body.get("client-certificate-data")),
                client_key_data=_b64(body.get("client-key-data")),
                client_cert_file=_file(body.get("client-certificate"), base),
                client_key_file=_file(body.get("client-key"), base),
                token=token if isinstance(token, str) and token else None,
                token_file=_file(body.get("tokenFile"), base),
                username=body.get("username") or None, password=body.get("password") or None,
                plugin=plugin)


@dataclass
class Resolved:
    """One context of a merged kubeconfig, ready to connect with."""

    context: str
    cluster: Cluster | None
    user: User | None
    cluster_name: str | None
    user_name: str | None


def resolve_context(merged: Merged, context: str | None) -> Resolved | None:
    """The named context (or the current one); None when it does not exist."""
    name = context or merged.current_context
    if not name or name not in merged.contexts:
        return None
    body = merged.contexts[name]
    cluster_name = body.get("cluster") if isinstance(body.get("cluster"), str) else None
    user_name = body.get("user") if isinstance(body.get("user"), str) else None
    return Resolved(context=name, cluster=cluster(merged, cluster_name) if cluster_name else None,
                    user=user(merged, user_name) if user_name else None,
                    cluster_name=cluster_name, user_name=user_name)
