"""Confirmation rules and every user-facing error: one line, named exit code, nothing half-written."""

from __future__ import annotations

from pathlib import Path

import pytest

from k8sprov.errors import ExitCode
from tests.core.conftest import state_addresses

pytestmark = pytest.mark.integration


def test_exit_codes_are_the_documented_ones() -> None:
    assert {c.name: int(c) for c in ExitCode} == {
        "OK": 0, "ERROR": 1, "CHANGES": 2, "USAGE": 64, "CANT_WRITE": 73, "INTERRUPTED": 130,
        "BROKEN_PIPE": 141, "TERMINATED": 143}
    repo = Path(__file__).parents[2]
    commands = (repo / "docs/commands.md").read_text()
    readme_rows = [line for line in (repo / "README.md").read_text().splitlines() if line.startswith("| ")]
    for code in ExitCode:
        assert f"| {int(code)} | `{code.name}` |" in commands, f"docs/commands.md does not list {code.name}"
        assert any(str(int(code)) in row.split("|")[1] for row in readme_rows), f"README lacks {int(code)}"


def test_no_terminal_and_no_auto_approve_is_refused_at_once(project: Path, cli) -> None:
    result = cli("-C", str(project), "apply", "--env", "a")
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "no terminal to ask for confirmation on — pass --auto-approve" in result.stderr
    assert state_addresses(project, "a") == []
    destroy = cli("-C", str(project), "destroy", "--env", "b")
    assert destroy.exit_code in (0, ExitCode.USAGE)  # nothing to destroy yet needs no question


def test_apply_asks_y_n(project: Path, cli) -> None:
    declined = cli("-C", str(project), "apply", "--env", "a", input="n\n", tty=True)
    assert declined.exit_code == 1, declined.output
    assert "[y/N]" in declined.stdout and "cancelled" in declined.stderr
    assert state_addresses(project, "a") == []
    accepted = cli("-C", str(project), "apply", "--env", "a", input="y\n", tty=True)
    assert accepted.exit_code == 0, accepted.output
    assert len(state_addresses(project, "a")) == 2


def test_production_needs_the_typed_environment_name(project: Path, cli) -> None:
    yes_is_not_enough = cli("-C", str(project), "apply", "--env", "prod", input="y\n", tty=True)
    assert yes_is_not_enough.exit_code == 1
    assert "Type the environment name (prod)" in yes_is_not_enough.stdout
    assert state_addresses(project, "prod") == []
    typed = cli("-C", str(project), "apply", "--env", "prod", input="prod\n", tty=True)
    assert typed.exit_code == 0, typed.output
    assert state_addresses(project, "prod") == ["module.items.null_resource.item[\"p\"]"]


def test_destroy_always_needs_the_typed_name(project: Path, cli) -> None:
    assert cli("-C", str(project), "apply", "--env", "a", "--auto-approve").exit_code == 0
    wrong = cli("-C", str(project), "destroy", "--env", "a", input="y\n", tty=True)
    assert wrong.exit_code == 1 and "Type the environment name (a)" in wrong.stdout
    assert len(state_addresses(project, "a")) == 2
    no_tty = cli("-C", str(project), "destroy", "--env", "a")
    assert no_tty.exit_code == ExitCode.USAGE and "--auto-approve" in no_tty.stderr
    assert len(state_addresses(project, "a")) == 2
    typed = cli("-C", str(project), "destroy", "--env", "a", input="a\n", tty=True)
    assert typed.exit_code == 0, typed.output
    assert state_addresses(project, "a") == []


def test_unknown_environment_lists_the_known_ones(project: Path, cli) -> None:
    result = cli("-C", str(project), "plan", "--env", "nope")
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.strip().splitlines() == [
        "error: unknown environment 'nope' (known: a, b, prod)"
        " — add infra/envs/nope.tfvars or pick a known one"]


def test_malformed_var_file_names_the_file_and_line(project: Path, cli) -> None:
    (project / "infra/envs/a.tfvars").write_text('environment = "basic"\nitems = {\n  one = \n')
    result = cli("-C", str(project), "plan", "--env", "a")
    assert result.exit_code == ExitCode.USAGE
    assert "infra/envs/a.tfvars: not valid HCL at line" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (project / ".k8sprov/envs/a/plan.tfplan").exists()


def test_var_file_with_a_bad_profile(project: Path, cli) -> None:
    (project / "infra/envs/a.tfvars").write_text('environment = "prodution"\n')
    result = cli("-C", str(project), "plan", "--env", "a")
    assert result.exit_code == ExitCode.USAGE
    assert "'environment' must be one of basic, staging, production, not 'prodution'" in result.stderr


def test_terraform_failure_shows_its_last_error_line_and_full_text_with_debug(project: Path, cli) -> None:
    (project / "terraform/broken.tf").write_text('resource "null_resource" "x" {\n  triggers = var.nope\n}\n')
    result = cli("-C", str(project), "plan", "--env", "a")
    assert result.exit_code == ExitCode.ERROR
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: terraform plan failed: Error: Reference to undeclared input variable")
    assert "--debug" in lines[0]
    debug = cli("-C", str(project), "--debug", "plan", "--env", "a")
    assert debug.exit_code == ExitCode.ERROR
    assert 'An input variable with the name "nope" has not been declared' in debug.stderr
    assert not (project / ".k8sprov/envs/a/plan.tfplan").exists()
    assert not (project / ".k8sprov/envs/a/plan.partial").exists()


def test_missing_terraform_binary(project: Path, cli) -> None:
    result = cli("-C", str(project), "--terraform", str(project / "no-such-terraform"), "plan", "--env", "a")
    assert result.exit_code == ExitCode.ERROR
    assert "not found or not executable" in result.stderr and "Traceback" not in result.stderr


def test_no_terraform_anywhere(project: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("K8SPROV_TERRAFORM")
    monkeypatch.setenv("PATH", str(project))  # nothing called terraform or tofu there
    result = cli("-C", str(project), "plan", "--env", "a")
    assert result.exit_code == ExitCode.ERROR
    assert "no terraform found" in result.stderr and "install Terraform" in result.stderr


def test_too_old_terraform_names_found_and_needed(project: Path, cli) -> None:
    versions = project / "terraform/versions.tf"
    versions.write_text(versions.read_text().replace('">= 1.0"', '">= 1.5"'))
    result = cli("-C", str(project), "plan", "--env", "a")
    assert result.exit_code == ExitCode.ERROR
    assert "Terraform 1.0.3" in result.stderr and "the root module needs >= 1.5" in result.stderr


def test_not_a_project(tmp_path: Path, cli) -> None:
    result = cli("plan", "--env", "a", cwd=tmp_path)
    assert result.exit_code == ExitCode.USAGE
    assert "no k8sprov project found" in result.stderr
    explicit = cli("-C", str(tmp_path), "envs")
    assert explicit.exit_code == ExitCode.USAGE and "not a k8sprov project" in explicit.stderr


def test_project_found_from_a_subfolder(project: Path, cli) -> None:
    result = cli("envs", "--json", cwd=project / "terraform" / "modules")
    assert result.exit_code == 0 and '"name": "prod"' in result.stdout


def test_usage_errors_exit_64_not_2(cli) -> None:
    result = cli("plan", "--no-such-flag")
    assert result.exit_code == ExitCode.USAGE
    assert "no such option: --no-such-flag — see k8sprov plan --help" in result.stderr


def _recording_terraform(tmp_path: Path, real: Path) -> tuple[Path, Path]:
    """A terraform that notes every run in a file, then is the real one."""
    record = tmp_path / "terraform-runs"
    fake = tmp_path / "terraform"
    fake.write_text(f'#!/bin/sh\necho "$@" >> "{record}"\nexec "{real}" "$@"\n')
    fake.chmod(0o755)
    return fake, record


@pytest.mark.parametrize("args", [("apply", "--env", "a"), ("apply", "--env", "prod"),
                                  ("destroy", "--env", "a"), ("unlock", "--env", "a", "0123-4567")],
                         ids=" ".join)
def test_without_a_terminal_nothing_runs_at_all(project: Path, cli, tf_env, tmp_path: Path,
                                                args: tuple[str, ...]) -> None:
    """Refused before planning: no terraform process (not even `terraform version`), no plan saved,
    nothing shown, one line."""
    fake, record = _recording_terraform(tmp_path, tf_env.terraform)
    result = cli("--terraform", str(fake), "-C", str(project), *args)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert result.stderr.strip().splitlines() == [
        "error: no terminal to ask for confirmation on — pass --auto-approve to run unattended"]
    assert result.stdout == ""
    assert not record.exists(), record.read_text()
    assert list(project.rglob("*.tfplan")) == []


def test_without_a_terminal_a_saved_plan_stays_for_later(project: Path, cli, tf_env, tmp_path: Path) -> None:
    assert cli("-C", str(project), "plan", "--env", "a").exit_code == 0
    saved = project / ".k8sprov/envs/a/plan.tfplan"
    before = saved.read_bytes()
    fake, record = _recording_terraform(tmp_path, tf_env.terraform)
    result = cli("--terraform", str(fake), "-C", str(project), "apply", "--env", "a")
    assert result.exit_code == ExitCode.USAGE and not record.exists()
    assert saved.read_bytes() == before
    assert cli("-C", str(project), "apply", "--env", "a", "--auto-approve").exit_code == 0
    assert len(state_addresses(project, "a")) == 2
