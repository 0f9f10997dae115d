"""A project holding the repository's real versions.tf and values files, with the loopback chart world
(tests/charts) serving every pinned archive through --mirror."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.charts.conftest import World, fast_http, world  # noqa: F401  (fixtures reused here)

REPO = Path(__file__).parents[2]
VERSIONS_TF = Path("terraform/modules/provision_k8s/versions.tf")


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of the project except k8sprov's own caches and terraform's working files."""
    skip = (".k8sprov", "terraform/.terraform", "terraform/terraform.tfstate.d")
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not str(p.relative_to(root)).startswith(skip)
    }


@pytest.fixture
def proj(world: World) -> Iterator[World]:  # noqa: F811
    """The chart world's project with the shipped versions.tf (renovate comments, release_group, alignment)
    and the shipped values files in place of the generated ones."""
    shutil.copyfile(REPO / VERSIONS_TF, world.project / VERSIONS_TF)
    shutil.copytree(REPO / "infra" / "values", world.project / "infra" / "values")
    yield world


def promote(w: World, *args: str) -> Any:
    return w.cli("-C", str(w.project), "promote", *w.mirrors(), *args)
