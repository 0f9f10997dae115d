"""What plan/show print and write: JSON for machines, Markdown for PRs, any plan file — and no secret."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

CANARY = "CANARY-k8sprov-5ecret-7d1f"


def _canary_env(project: Path) -> None:
    (project / "infra/envs/sec.tfvars").write_text(
        f'environment = "basic"\nwith_credentials = true\napi_token = "{CANARY}"\nitems = {{ one = "1" }}\n')


def test_plan_json_to_stdout_is_pure_json(project: Path, cli) -> None:
    result = cli("-C", str(project), "plan", "--env", "a", "--json", "-", "--detailed-exitcode")
    assert result.exit_code == 2, result.output
    doc = json.loads(result.stdout)  # nothing but JSON on stdout: terraform's output went to stderr
    assert doc["environment"] == "a"
    assert doc["counts"]["create"] == 2
    assert sorted(c["address"] for c in doc["changes"]) == [
        'module.items.null_resource.item["one"]', 'module.items.null_resource.item["two"]']
    assert "Terraform will perform the following actions" in result.stderr


def test_plan_writes_json_and_markdown_files(project: Path, cli, tmp_path: Path) -> None:
    out_json, out_md = tmp_path / "plan.json", tmp_path / "plan.md"
    result = cli("-C", str(project), "plan", "--env", "b", "--json", str(out_json), "--markdown", str(out_md))
    assert result.exit_code == 0, result.output
    assert json.loads(out_json.read_text())["counts"]["create"] == 1
    markdown = out_md.read_text()
    assert "<details>" in markdown and 'null_resource.item["other"]' in markdown
    assert not list(tmp_path.glob(".*.tmp"))


def test_show_plan_file_binary_and_json(project: Path, cli, terraform_cli, tmp_path: Path) -> None:
    assert cli("-C", str(project), "plan", "--env", "a").exit_code == 0
    binary = project / ".k8sprov/envs/a/plan.tfplan"
    shown = cli("-C", str(project), "show", "--env", "a", "--plan", str(binary), "--json", "-")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["counts"]["create"] == 2
    # a plan JSON made by bare terraform elsewhere needs no terraform at all
    env = {"TF_DATA_DIR": str(project / ".k8sprov/envs/a/tfdata"), "TF_WORKSPACE": "a"}
    raw = terraform_cli("show", "-json", str(binary), cwd=project / "terraform", env=env)
    assert raw.returncode == 0, raw.stderr
    plan_json = tmp_path / "elsewhere.json"
    plan_json.write_text(raw.stdout)
    other = cli("show", "--plan", str(plan_json), cwd=tmp_path)
    assert other.exit_code == 0, other.output
    assert "2 to add" in other.stdout
    junk = tmp_path / "junk.txt"
    junk.write_text("not a plan")
    bad = cli("show", "--plan", str(junk), cwd=tmp_path)
    assert bad.exit_code != 0 and "junk.txt" in bad.stderr and "Traceback" not in bad.stderr


def test_show_needs_env_or_plan(cli, project: Path) -> None:
    result = cli("-C", str(project), "show")
    assert result.exit_code == 64 and "--env ENV" in result.stderr


def test_secret_canary_never_printed(project: Path, cli, tmp_path: Path) -> None:
    _canary_env(project)
    md, js = tmp_path / "p.md", tmp_path / "p.json"
    runs = [
        cli("-C", str(project), "--debug", "plan", "--env", "sec", "--json", str(js), "--markdown", str(md),
            "--detail"),
        cli("-C", str(project), "--debug", "show", "--env", "sec", "--detail", "--json", "-"),
        cli("-C", str(project), "--debug", "apply", "--env", "sec", "--auto-approve"),
    ]
    # and a failing run with --debug: terraform's full error text is shown, still without the secret
    (project / "terraform/broken.tf").write_text(
        'resource "null_resource" "bad" {\n  triggers = { t = var.api_token, x = var.nope }\n}\n')
    runs.append(cli("-C", str(project), "--debug", "plan", "--env", "sec"))
    assert [r.exit_code for r in runs] == [0, 0, 0, 1], [r.output for r in runs]
    assert "null_resource.credentials" in runs[0].stdout  # the canary's resource was really planned
    for result in runs:
        assert CANARY not in result.output
    assert CANARY not in md.read_text() and CANARY not in js.read_text()
    # ...while it really is in the state, so the test would notice a leak
    state = project / "terraform/terraform.tfstate.d/sec/terraform.tfstate"
    assert CANARY in state.read_text()
