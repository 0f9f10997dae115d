"""`terraform fmt -check` with the real Terraform binary (1.0.3 from the test kit)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.kit.fetch_terraform import TerraformKit
from tests.stack.conftest import TERRAFORM


def _fmt(kit: TerraformKit, target: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(kit.terraform), "fmt", "-check", "-recursive", "-diff", str(target)],
                          capture_output=True, text=True, timeout=60, check=False)


def test_terraform_fmt_is_clean(tf_kit: TerraformKit) -> None:
    files = sorted(TERRAFORM.rglob("*.tf"))
    assert len(files) >= 10
    result = _fmt(tf_kit, TERRAFORM)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_var_files_are_fmt_clean(tf_kit: TerraformKit) -> None:
    infra = TERRAFORM.parent / "infra"
    result = _fmt(tf_kit, infra / "envs")
    assert result.returncode == 0, result.stdout + result.stderr


def test_fmt_check_fails_on_unformatted_file(tf_kit: TerraformKit, tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('locals {\n  a = 1\n  bbbb = 2\n}\n')
    result = _fmt(tf_kit, tmp_path)
    assert result.returncode != 0
    assert "bbbb" in result.stdout
