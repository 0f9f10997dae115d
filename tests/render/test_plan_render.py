"""`plan` renders every release first: errors stop it before Terraform starts (the kit's Terraform 1.0.3,
counted by a wrapper); --no-render skips it; no Helm is a one-line notice; doctor reports Helm."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.kit.fetch_terraform import TerraformKit
from tests.render.projects import counting_wrapper, fake_binary, small_project


@pytest.fixture
def counted_terraform(tf_env: TerraformKit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """K8SPROV_TERRAFORM is a wrapper logging each start of the kit's Terraform; returns the log."""
    wrapper, log = counting_wrapper(tf_env.terraform, tmp_path, "terraform")
    monkeypatch.setenv("K8SPROV_TERRAFORM", str(wrapper))
    return log


def test_a_render_error_stops_plan_before_terraform(cli, tmp_path: Path, helm_binary: Path,
                                                     counted_terraform: Path) -> None:
    root = small_project(tmp_path / "p", values="{}\n")  # tag left out: the chart's `required` fails
    result = cli("-C", str(root), "--helm", str(helm_binary), "plan", "--env", "a")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("error: template: release app:") and "tag is required" in lines[0]
    assert lines[0].endswith("(from app/templates/configmap.yaml:6)")
    assert lines[-1].startswith("error: render found 1 error(s) in a: nothing planned")
    assert not counted_terraform.exists(), "terraform must not start"


def test_no_render_skips_the_check(cli, tmp_path: Path, helm_binary: Path, counted_terraform: Path) -> None:
    root = small_project(tmp_path / "p", values="{}\n")
    result = cli("-C", str(root), "--helm", str(helm_binary), "plan", "--env", "a", "--no-render")
    assert result.exit_code == 0, result.output
    assert "render" not in result.stderr
    assert counted_terraform.exists()
    counted_terraform.unlink()
    destroy = cli("-C", str(root), "--helm", str(helm_binary), "plan", "--env", "a", "--destroy")
    assert destroy.exit_code == 0, destroy.output  # a destroy plan installs nothing: nothing to render
    assert counted_terraform.exists()


def test_a_clean_render_lets_plan_run_and_plan_all_checks_every_env(cli, tmp_path: Path, helm_binary: Path,
                                                                     counted_terraform: Path) -> None:
    root = small_project(tmp_path / "p")
    result = cli("-C", str(root), "--helm", str(helm_binary), "plan", "--all", "--json", "-")
    assert result.exit_code == 0, result.output
    assert {e["name"] for e in json.loads(result.stdout)["environments"]} == {"a", "b", "prod"}
    assert "error" not in result.stderr and "notice" not in result.stderr
    # One values file breaks: --all stops before any Terraform plan.
    (root / "infra" / "values" / "app" / "production.yaml").write_text("{}\n")
    counted_terraform.unlink()
    broken = cli("-C", str(root), "--helm", str(helm_binary), "plan", "--all")
    assert broken.exit_code == 1
    assert "release app" in broken.stderr and "nothing planned" in broken.stderr
    assert not counted_terraform.exists()


def test_without_helm_plan_says_so_in_one_line_and_goes_on(cli, tmp_path: Path, counted_terraform: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    root = small_project(tmp_path / "p", values="{}\n")  # would fail a render: nothing renders it
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    result = cli("-C", str(root), "plan", "--env", "a")
    assert result.exit_code == 0, result.output
    notices = [line for line in result.stderr.splitlines() if "render check skipped" in line]
    assert len(notices) == 1 and notices[0].startswith("notice: render check skipped: no helm found")
    assert "install Helm 3" in notices[0] and "--no-render" in notices[0]
    assert counted_terraform.exists()


def test_plan_with_helm_4_stops_in_one_line(cli, tmp_path: Path, counted_terraform: Path) -> None:
    root = small_project(tmp_path / "p")
    fake = fake_binary(tmp_path, "helm", "v4.1.4")
    result = cli("-C", str(root), "--helm", str(fake), "plan", "--env", "a")
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0 and "is Helm 4.1.4" in result.stderr
    assert not counted_terraform.exists()


def test_doctor_reports_helm(cli, tmp_path: Path, helm_binary: Path, tf_env: TerraformKit,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    root = small_project(tmp_path / "p")

    def helm_item(*global_args: str) -> dict[str, str]:
        result = cli("-C", str(root), *global_args, "doctor", "--offline", "--json")
        project = next(c for c in json.loads(result.stdout)["checklists"] if c["name"] == "project")
        item: dict[str, str] = next(i for i in project["items"] if i["name"] == "helm")
        return item

    found = helm_item("--helm", str(helm_binary))
    assert found["status"] == "ok" and found["message"].startswith("Helm 3.17.3 (")
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    missing = helm_item()
    assert missing["status"] == "skip" and "render check is skipped" in missing["message"]
    assert "install Helm 3" in (missing["fix"] or "")
    wrong = helm_item("--helm", str(fake_binary(tmp_path, "helm", "v4.1.4")))
    assert wrong["status"] == "fail" and "is Helm 4.1.4" in wrong["message"]
