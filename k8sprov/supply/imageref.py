"""Container image references, parsed as the container runtime resolves them (the distribution/reference
grammar with Docker's normalisation): a first component with a '.' or ':', `localhost`, or an upper-case
letter names the registry, else the image is on docker.io, and a bare docker.io name lives in `library/`.
Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_REGISTRY = "docker.io"
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_PATH = re.compile(rf"^{_COMPONENT}(?:/{_COMPONENT})*$")
_LABEL = r"[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"
_DOMAIN = re.compile(rf"^(?:{_LABEL}(?:\.{_LABEL})*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?$")
_TAG = re.compile(r"^\w[\w.-]{0,127}$", re.ASCII)
_DIGEST = re.compile(r"^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}$")
MUTABLE_TAGS = frozenset({"latest"})


class InvalidReference(ValueError):
    pass


@dataclass(frozen=True)
class ImageRef:
    registry: str  # "docker.io", "quay.io", "registry.k8s.io", "localhost:5000"
    repository: str  # "library/redis", "argoproj/argocd"
    tag: str | None
    digest: str | None  # "sha256:<hex>"

    @property
    def name(self) -> str:
        """registry/repository[:tag][@digest], the fully qualified form."""
        out = f"{self.registry}/{self.repository}"
        if self.tag:
            out += f":{self.tag}"
        if self.digest:
            out += f"@{self.digest}"
        return out

    @property
    def pinned(self) -> bool:
        """Pinned by digest: the bytes cannot change under the same reference."""
        return self.digest is not None

    @property
    def mutable(self) -> bool:
        """Without a digest, no tag (the runtime pulls `latest`) or a tag known to move."""
        return self.digest is None and (self.tag is None or self.tag in MUTABLE_TAGS)


def parse_image(reference: str) -> ImageRef:
    text = reference.strip()
    if not text or text != reference or any(c.isspace() for c in text):
        raise InvalidReference(f"{reference!r}: not an image reference")
    rest, _, digest = text.partition("@")
    if digest and not _DIGEST.match(digest):
        raise InvalidReference(f"{reference!r}: malformed digest")
    # A ':' after the last '/' starts the tag; one before it belongs to a registry's port.
    tag = None
    slash = rest.rfind("/")
    colon = rest.rfind(":")
    if colon > slash:
        rest, tag = rest[:colon], rest[colon + 1:]
        if not _TAG.match(tag):
            raise InvalidReference(f"{reference!r}: malformed tag {tag!r}")
    first, sep, remainder = rest.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost" or first.lower() != first):
        registry, path = first, remainder
        if not _DOMAIN.match(registry):
            raise InvalidReference(f"{reference!r}: malformed registry {registry!r}")
    else:
        registry, path = DEFAULT_REGISTRY, rest
    if registry in ("index.docker.io", "registry-1.docker.io"):
        registry = DEFAULT_REGISTRY
    if registry == DEFAULT_REGISTRY and "/" not in path:
        path = f"library/{path}"
    if not _PATH.match(path) or len(f"{registry}/{path}") > 255:
        raise InvalidReference(f"{reference!r}: malformed repository {path!r}")
    return ImageRef(registry, path, tag, digest.lower() if digest else None)
