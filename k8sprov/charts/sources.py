"""Pure source logic: which URL a chart comes from, mirrors, URL safety, credentials' variable names.

Mirrors (`--mirror NAME=URL`, `K8SPROV_CHART_MIRRORS`): NAME is either a chart name (`kyverno`) or a
repository URL as written in versions.tf (`https://kyverno.github.io/kyverno`, trailing slash ignored). A
chart-name mirror wins over a repository mirror. URL is a classic repository (http/https) or an `oci://`
registry path; the chart's name is appended to an OCI path unless it already ends with it.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

from k8sprov.charts.model import ChartSpec
from k8sprov.errors import UsageError

MIRRORS_ENV = "K8SPROV_CHART_MIRRORS"


@dataclass(frozen=True)
class Source:
    """Where one chart is fetched from in this run."""

    kind: str  # "classic" | "oci"
    url: str  # classic: repository URL; oci: oci://host/path/chart (chart included)
    mirrored: bool = False

    @property
    def index_url(self) -> str:
        return repo_base(self.url) + "index.yaml"


def repo_base(url: str) -> str:
    """The repository URL with exactly one trailing slash, as Helm resolves chart URLs against it."""
    return url.rstrip("/") + "/"


def resolve_chart_url(repository: str, url: str) -> str:
    """RFC 3986 resolution of an index entry's `urls[0]` against the repository (absolute URLs kept)."""
    return urljoin(repo_base(repository), url)


def normalize_repo(url: str) -> str:
    return url.strip().rstrip("/")


def parse_mirrors(cli: Iterable[str], env: str | None) -> dict[str, str]:
    """NAME=URL pairs from the environment (comma- or whitespace-separated), then the CLI (which wins)."""
    mirrors: dict[str, str] = {}
    items = [(MIRRORS_ENV, i) for i in re.split(r"[,\s]+", env or "") if i]
    items += [("--mirror", i) for i in cli]
    for where, item in items:
        name, sep, url = item.partition("=")
        name, url = name.strip(), url.strip()
        if not sep or not name or not url:
            raise UsageError(
                f"{where} {item!r}: expected NAME=URL", hint="e.g. --mirror kyverno=https://mirror/kyverno"
            )
        scheme = urlsplit(url).scheme
        if scheme not in ("http", "https", "oci"):
            raise UsageError(f"{where} {redact(item)}: URL must start with https://, http:// or oci://")
        mirrors[normalize_repo(name) if "://" in name else name] = normalize_repo(url)
    return mirrors


def oci_chart_ref(base: str, chart: str) -> str:
    base = normalize_repo(base)
    return base if base.rsplit("/", 1)[-1] == chart else f"{base}/{chart}"


def choose_source(spec: ChartSpec, mirrors: Mapping[str, str], *, prefer_oci: bool = False) -> Source:
    """Pure: the source for one chart, after mirrors; `prefer_oci` picks the catalog's `oci` alternative."""
    mirror = mirrors.get(spec.chart) or mirrors.get(spec.key) or mirrors.get(normalize_repo(spec.repository))
    if mirror is None and spec.oci:
        mirror_oci = mirrors.get(normalize_repo(spec.oci))
        if mirror_oci is not None and (prefer_oci or spec.repository.startswith("oci://")):
            mirror = mirror_oci
    if mirror is not None:
        if mirror.startswith("oci://"):
            return Source("oci", oci_chart_ref(mirror, spec.chart), mirrored=True)
        return Source("classic", normalize_repo(mirror), mirrored=True)
    if spec.repository.startswith("oci://"):
        return Source("oci", oci_chart_ref(spec.repository, spec.chart))
    if prefer_oci and spec.oci:
        return Source("oci", oci_chart_ref(spec.oci, spec.chart))
    return Source("classic", normalize_repo(spec.repository))


@dataclass(frozen=True)
class OciRef:
    host: str  # host[:port]
    repository: str  # path inside the registry, chart included

    @classmethod
    def parse(cls, ref: str) -> OciRef:
        rest = ref.removeprefix("oci://").strip("/")
        host, _, path = rest.partition("/")
        if not host or not path:
            raise UsageError(f"{ref}: not an oci://registry/path reference")
        return cls(host=host, repository=path)

    @staticmethod
    def tag(version: str) -> str:
        return version.replace("+", "_")  # OCI tags cannot hold "+"; Helm writes "_"

    def display(self, version: str) -> str:
        return f"oci://{self.host}/{self.repository}:{version}"


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_secure(url: str, *, allow_insecure_http: bool) -> None:
    """HTTPS everywhere, except plain http on loopback or with --allow-insecure-http."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return
    if parts.scheme == "http" and (allow_insecure_http or is_loopback(parts.hostname or "")):
        return
    raise UsageError(
        f"refusing {parts.scheme or 'schemeless'} URL {redact(url)}: HTTPS is required",
        hint="use https://, a loopback mirror, or --allow-insecure-http",
    )


def redact(text: str) -> str:
    """Remove user:password@ from any URL in `text`."""
    return re.sub(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/@\s]+@", r"\g<scheme>", text, flags=re.I)


def host_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc.rpartition("@")[2] or url


def strip_userinfo(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def credential_prefix(host: str) -> str:
    """`K8SPROV_REPO_<HOST>_`: ghcr.io -> K8SPROV_REPO_GHCR_IO_, 127.0.0.1:80 -> K8SPROV_REPO_127_0_0_1_80_"""
    return "K8SPROV_REPO_" + re.sub(r"[^A-Z0-9]+", "_", host.upper()).strip("_") + "_"


@dataclass(frozen=True)
class Credentials:
    username: str | None = None
    password: str | None = None
    token: str | None = None

    def __repr__(self) -> str:  # never leak into logs or tracebacks
        return "Credentials(***)"


def credentials_for(host: str, environ: Mapping[str, str] | None = None) -> Credentials | None:
    env = os.environ if environ is None else environ
    prefix = credential_prefix(host)
    token = env.get(prefix + "TOKEN")
    user, password = env.get(prefix + "USERNAME"), env.get(prefix + "PASSWORD")
    if token or (user and password):
        return Credentials(username=user, password=password, token=token)
    return None
