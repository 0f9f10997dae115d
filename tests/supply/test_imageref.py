"""Image references as the runtime resolves them (distribution/reference grammar, Docker's normalisation)."""

from __future__ import annotations

import pytest

from k8sprov.supply.imageref import InvalidReference, parse_image

DIGEST = "sha256:" + "ab" * 32


@pytest.mark.parametrize(("reference", "registry", "repository", "tag", "digest"), [
    ("redis", "docker.io", "library/redis", None, None),
    ("redis:7.2", "docker.io", "library/redis", "7.2", None),
    ("bitnami/redis:7", "docker.io", "bitnami/redis", "7", None),
    ("docker.io/redis:7", "docker.io", "library/redis", "7", None),
    ("index.docker.io/library/redis", "docker.io", "library/redis", None, None),
    ("quay.io/argoproj/argocd:v3.4.4", "quay.io", "argoproj/argocd", "v3.4.4", None),
    ("localhost:5000/app", "localhost:5000", "app", None, None),
    ("localhost/app:1", "localhost", "app", "1", None),
    ("registry:5000/team/app:1.0", "registry:5000", "team/app", "1.0", None),
    (f"ghcr.io/dexidp/dex:v2.45.1@{DIGEST}", "ghcr.io", "dexidp/dex", "v2.45.1", DIGEST),
    (f"redis@{DIGEST}", "docker.io", "library/redis", None, DIGEST),
    ("Registry/app", "Registry", "app", None, None),  # an upper-case first component is a host
    ("[::1]:5000/app:2", "[::1]:5000", "app", "2", None),
])
def test_parse(reference: str, registry: str, repository: str, tag: str | None, digest: str | None) -> None:
    ref = parse_image(reference)
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == (registry, repository, tag, digest)


def test_pinned_and_mutable() -> None:
    assert parse_image(f"redis:7@{DIGEST}").pinned and not parse_image(f"redis:latest@{DIGEST}").mutable
    assert parse_image("redis").mutable and parse_image("redis:latest").mutable
    assert not parse_image("redis:7").mutable and not parse_image("redis:7").pinned
    assert parse_image("redis").name == "docker.io/library/redis"
    assert parse_image(f"a/b:1@{DIGEST}").name == f"docker.io/a/b:1@{DIGEST}"


@pytest.mark.parametrize("reference", ["", " redis", "Redis", "redis:", "redis:-x", "redis@sha256:xyz",
                                       "quay.io/Argo/cd", "a//b", "bad_host.io:x/app"])
def test_invalid(reference: str) -> None:
    with pytest.raises(InvalidReference):
        parse_image(reference)


def test_an_image_reference_holding_a_secret_is_masked() -> None:
    from k8sprov.rendering.model import RenderedObject
    from k8sprov.supply.images import collect, ordered
    from k8sprov.supply.inventory import _masked

    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "spec": {"containers": [{"name": "c", "image": "registry.example.org/s3cr3t-t0ken/app:1"}]}}
    images = ordered(collect("basic", [RenderedObject("r", "ns", "r/templates/p.yaml", pod)]))
    [masked] = _masked(images, ["s3cr3t-t0ken"])
    assert masked.reference == "registry.example.org/***/app:1" and masked.ref is None
    assert "s3cr3t" not in repr(masked.as_dict())
    assert masked.as_dict()["problem"] == "holds a secret value"
