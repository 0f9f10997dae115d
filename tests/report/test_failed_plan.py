"""A failed `plan --env E --json FILE` still writes its file: a record that says failed and why, which
`report` counts as a failure (exit 1 with --detailed-exitcode). Real Terraform (the kit's 1.0.3)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.kit.fetch_terraform import TerraformKit
from tests.report.conftest import CANARY, Summaries

pytestmark = pytest.mark.integration
FIXTURES = Path(__file__).parents[1] / "fixtures"


@pytest.fixture
def project(tmp_path: Path, tf_env: TerraformKit) -> Path:
    dest = tmp_path / "proj"
    shutil.copytree(FIXTURES / "nullstack", dest)
    # a value of the wrong type: lint would stop it, so the test plans with --no-lint and terraform fails
    (dest / "infra" / "envs" / "broken.tfvars").write_text(
        f'environment = "staging"\nitems = "not-a-map"\napi_token = "{CANARY}-failed-plan"\n')
    return dest


def test_failed_plan_writes_a_failure_record_and_report_exits_1(project: Path, summaries: Summaries, cli: Any,
                                                                tmp_path: Path) -> None:
    artefacts = tmp_path / "artefacts"
    artefacts.mkdir()
    out = artefacts / "broken.json"
    result = cli("-C", str(project), "plan", "--env", "broken", "--no-lint", "--json", str(out))
    assert result.exit_code == 1, result.output
    record = json.loads(out.read_text())
    assert record["status"] == "failed" and record["environment"] == "broken"
    assert record["profile"] == "staging"
    assert record["error"] in result.stderr  # the one line k8sprov printed
    assert "items" in record["error"], record["error"]
    assert record["changes"] == [] and record["has_changes"] is None
    # the same with --json -: stdout carries the record, stderr the error
    result = cli("-C", str(project), "plan", "--env", "broken", "--no-lint", "--json", "-")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["status"] == "failed"

    shutil.copy(summaries.file("production"), artefacts)
    merged = tmp_path / "report.json"
    result = cli("report", str(artefacts), "--json", str(merged), "--markdown", str(tmp_path / "r.md"),
                 "--detailed-exitcode")
    assert result.exit_code == 1, result.output
    data = json.loads(merged.read_text())
    assert data["totals"]["failed"] == 1 and data["totals"]["with_changes"] == 1
    broken = next(e for e in data["environments"] if e["name"] == "broken")
    assert broken["status"] == "failed" and broken["error"] == record["error"]
    assert "### ❌ Failed plans (1)" in (tmp_path / "r.md").read_text()
    # the sensitive variable of the failed environment reaches none of the files
    for path in (out, merged, tmp_path / "r.md"):
        assert CANARY not in path.read_text(), path


def test_lint_failure_before_terraform_is_recorded_too(project: Path, cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "broken.json"
    result = cli("-C", str(project), "plan", "--env", "broken", "--json", str(out))
    assert result.exit_code != 0
    record = json.loads(out.read_text())
    assert record["status"] == "failed" and record["error"]
