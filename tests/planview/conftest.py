"""Plans made by the real Terraform binary from fixtures/stack (once per session), and the plan corpus."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.kit import snapshot
from tests.kit.fetch_terraform import TerraformKit

HERE = Path(__file__).parent
STACK = HERE / "fixtures" / "stack"
SNAPSHOTS = HERE / "snapshots"
CORPUS = HERE / "corpus"
CANARY = "CANARY-s3cr3t-7f3a9c1e"  # both canary values in the tfvars start with this


@dataclass(frozen=True)
class RealPlans:
    """`creates`: phase 1 from nothing; `empty`: phase 1 again after apply; `changes`: phase 2 after apply +
    taint. Each is the plan JSON; `*_file` is the binary plan file."""

    creates: dict[str, Any]
    empty: dict[str, Any]
    changes: dict[str, Any]
    creates_file: Path
    changes_file: Path
    show_json: Callable[[Path], dict[str, Any]]


def _env(kit: TerraformKit) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "K8SPROV_"))}
    env.update(kit.env())
    env.update({"TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1", "TF_INPUT": "0"})
    return env


@pytest.fixture(scope="session")
def real_plans(tf_kit: TerraformKit, tmp_path_factory: pytest.TempPathFactory) -> RealPlans:
    work = tmp_path_factory.mktemp("planview-stack") / "stack"
    shutil.copytree(STACK, work)
    env = _env(tf_kit)

    def tf(*args: str) -> str:
        proc = subprocess.run(
            [str(tf_kit.terraform), *args], cwd=work, env=env, capture_output=True, text=True, check=False
        )
        assert proc.returncode == 0, f"terraform {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"
        return proc.stdout

    def show_json(plan_file: Path) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(tf("show", "-json", str(plan_file)))
        return data

    tf("init", "-no-color", "-input=false")
    tf("plan", "-no-color", "-input=false", "-var-file=phase1.tfvars", "-out=creates.tfplan")
    creates = show_json(work / "creates.tfplan")
    tf("apply", "-no-color", "-input=false", "-auto-approve", "creates.tfplan")
    tf("plan", "-no-color", "-input=false", "-var-file=phase1.tfvars", "-out=empty.tfplan")
    empty = show_json(work / "empty.tfplan")
    tf("taint", "-no-color", "null_resource.tainted")
    tf("plan", "-no-color", "-input=false", "-var-file=phase2.tfvars", "-out=changes.tfplan")
    changes = show_json(work / "changes.tfplan")
    return RealPlans(creates, empty, changes, work / "creates.tfplan", work / "changes.tfplan", show_json)


def corpus_files() -> list[Path]:
    """The plan corpus in corpus/ (OpenTofu's show-json test data). Missing is a failure, not a skip."""
    if not CORPUS.is_dir():
        pytest.fail(f"plan corpus not found at {CORPUS}: it is part of the repository", pytrace=False)
    files = sorted(CORPUS.glob("*.json"))
    if not files:
        pytest.fail(f"plan corpus at {CORPUS} holds no *.json files", pytrace=False)
    return files


def check_snapshot(name: str, text: str) -> None:
    """Compare with snapshots/<name>; K8SPROV_UPDATE_SNAPSHOTS=1 rewrites it instead."""
    snapshot.check_snapshot(SNAPSHOTS / name, text)
