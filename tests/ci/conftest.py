"""The throwaway project repository of the `affected` and `ci matrix` tests (see tests/ci/gitrepo.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ci.gitrepo import clone, make_origin


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_origin(tmp_path_factory.mktemp("origin") / "project")


@pytest.fixture
def repo(origin: Path, tmp_path: Path) -> Path:
    return clone(origin, tmp_path / "work")
