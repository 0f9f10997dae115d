"""A copy of this repository's stack and shipped env and values files, test charts for every pin."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from k8sprov.charts.catalog import parse_catalog
from k8sprov.hcl import load_hcl
from tests.lint import charts

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def pinned_archives() -> dict[str, bytes]:
    """archive name -> bytes, for every chart version any profile of versions.tf pins."""
    catalog = parse_catalog(load_hcl(REPO / "terraform/modules/provision_k8s/versions.tf"), "versions.tf")
    out = {}
    for pin in catalog.pins():
        out[pin.archive_name] = charts.BUILDERS[pin.name](pin.version)
    return out


@pytest.fixture
def make_project(tmp_path: Path, pinned_archives: dict[str, bytes]) -> Callable[..., Path]:
    """A project of the repository's terraform/ and infra/ (copied), charts vendored unless told not to."""

    def make(*, vendored: bool = True) -> Path:
        root = tmp_path / "project"
        shutil.copytree(REPO / "terraform", root / "terraform",
                        ignore=shutil.ignore_patterns(".terraform", "*.tfstate*", "terraform.tfstate.d"))
        shutil.copytree(REPO / "infra", root / "infra")
        if vendored:
            (root / "charts").mkdir()
            for name, data in pinned_archives.items():
                (root / "charts" / name).write_bytes(data)
        return root

    return make
