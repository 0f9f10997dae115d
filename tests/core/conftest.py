"""Fixture projects made of null_resources, driven through the real CLI and the real terraform binary."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.kit.fetch_terraform import TerraformKit
from tests.kit.script import addresses

FIXTURES = Path(__file__).parents[1] / "fixtures"


@pytest.fixture
def project(tmp_path: Path, tf_env: TerraformKit) -> Path:
    """A fresh copy of the null-resource stack with environments a (basic), b (staging), prod (production)."""
    dest = tmp_path / "proj"
    shutil.copytree(FIXTURES / "nullstack", dest)
    return dest


def state_path(project: Path, env: str) -> Path:
    return project / "terraform" / "terraform.tfstate.d" / env / "terraform.tfstate"


def read_state(project: Path, env: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(state_path(project, env).read_text())
    return data


def state_addresses(project: Path, env: str) -> list[str]:
    """Resource instance addresses in an environment's state, read from the state file itself."""
    path = state_path(project, env)
    return addresses(json.loads(path.read_text())) if path.is_file() else []


@pytest.fixture
def terraform_cli(tf_env: TerraformKit) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Bare terraform, for checking what k8sprov did (never used to do k8sprov's work)."""

    def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        import os

        return subprocess.run([str(tf_env.terraform), *args], cwd=cwd, capture_output=True, text=True,
                              env={**os.environ, **(env or {})}, check=False)

    return run
