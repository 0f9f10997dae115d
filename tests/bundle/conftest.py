"""One initialised fixture project and one bundle of it per module: terraform runs once for all tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.bundle.stack import k8sprov, make_project
from tests.kit.fetch_terraform import TerraformKit


@dataclass(frozen=True)
class Bundled:
    project: Path
    file: Path
    stdout: str
    home: Path


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory, tf_kit: TerraformKit) -> Bundled:
    """Environment `a` (profile basic) initialised with the real Terraform, then bundled by the CLI."""
    root = tmp_path_factory.mktemp("bundle")
    home = root / "home"
    home.mkdir()
    project = make_project(root / "proj")
    init = k8sprov("-C", str(project), "init", "--env", "a", kit=tf_kit, home=home)
    assert init.returncode == 0, init.stderr
    out = root / "a.tar.gz"
    made = k8sprov("-C", str(project), "bundle", "--env", "a", "-o", str(out), kit=tf_kit, home=home)
    assert made.returncode == 0, made.stderr
    return Bundled(project=project, file=out, stdout=made.stdout, home=home)
