"""init → plan → apply → plan → stale plan refused → new plan → apply, with the real terraform binary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.core.conftest import read_state, state_addresses, state_path

pytestmark = pytest.mark.integration


def test_full_cycle_with_stale_plan_refused(project: Path, cli) -> None:
    first = cli("-C", str(project), "plan", "--env", "a", "--detailed-exitcode")
    assert first.exit_code == 2, first.output
    assert "Terraform has been successfully initialized" in first.stdout  # init ran, streamed
    assert "2 to add" in first.stdout
    assert (project / ".k8sprov/envs/a/plan.tfplan").is_file()
    record = json.loads((project / ".k8sprov/envs/a/plan.json").read_text())
    assert record["environment"] == "a" and record["terraform_version"] == "1.0.3"
    assert "infra/envs/a.tfvars" in record["inputs"]["var_file"]

    applied = cli("-C", str(project), "apply", "--env", "a", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert "Using the saved plan" in applied.stdout
    assert "Apply complete! Resources: 2 added" in applied.stdout
    assert state_addresses(project, "a") == ['module.items.null_resource.item["one"]',
                                             'module.items.null_resource.item["two"]']
    assert not (project / ".k8sprov/envs/a/plan.tfplan").exists()  # a consumed plan is retired

    again = cli("-C", str(project), "plan", "--env", "a", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "Terraform has been successfully initialized" not in again.stdout  # init skipped

    var_file = project / "infra/envs/a.tfvars"
    var_file.write_text(var_file.read_text().replace('two = "2"', 'two = "22"'))
    stale = cli("-C", str(project), "apply", "--env", "a", "--auto-approve")
    assert stale.exit_code == 1, stale.output
    assert "cannot be applied" in stale.stderr and "infra/envs/a.tfvars" in stale.stderr
    assert "run k8sprov plan --env a" in stale.stderr
    assert "Traceback" not in stale.output

    new = cli("-C", str(project), "plan", "--env", "a", "--detailed-exitcode")
    assert new.exit_code == 2, new.output
    assert "1 to add, 0 to change, 1 to destroy" in new.stdout  # triggers change → replace
    serial_before = read_state(project, "a")["serial"]
    final = cli("-C", str(project), "apply", "--env", "a", "--auto-approve")
    assert final.exit_code == 0, final.output
    assert read_state(project, "a")["serial"] > serial_before
    triggers = sorted(i["attributes"]["triggers"]["value"]
                      for r in read_state(project, "a")["resources"] for i in r["instances"])
    assert triggers == ["1", "22"]


def test_apply_without_saved_plan_plans_shows_and_applies_that(project: Path, cli) -> None:
    result = cli("-C", str(project), "apply", "--env", "a", "--auto-approve")
    assert result.exit_code == 0, result.output
    assert "Using the saved plan" not in result.stdout
    plan_at = result.stdout.index("2 to add")
    apply_at = result.stdout.index("Apply complete! Resources: 2 added")
    assert plan_at < apply_at  # shown before applied
    assert len(state_addresses(project, "a")) == 2


def test_no_changes_means_nothing_to_apply(project: Path, cli) -> None:
    assert cli("-C", str(project), "apply", "--env", "a", "--auto-approve").exit_code == 0
    serial = read_state(project, "a")["serial"]
    result = cli("-C", str(project), "apply", "--env", "a", "--auto-approve")
    assert result.exit_code == 0, result.output
    assert "no changes; nothing to apply" in result.stdout
    assert read_state(project, "a")["serial"] == serial


def test_environments_are_isolated(project: Path, cli) -> None:
    assert cli("-C", str(project), "apply", "--env", "b", "--auto-approve").exit_code == 0
    b_state = state_path(project, "b").read_bytes()
    for args in (("apply", "--env", "a", "--auto-approve"), ("plan", "--env", "a"),
                 ("destroy", "--env", "a", "--auto-approve")):
        assert cli("-C", str(project), *args).exit_code == 0
    assert state_path(project, "b").read_bytes() == b_state
    assert state_addresses(project, "b") == ['module.items.null_resource.item["other"]']
    assert state_addresses(project, "a") == []
    # separate data dirs, so a's init never reconfigures b's
    assert (project / ".k8sprov/envs/a/tfdata").is_dir() and (project / ".k8sprov/envs/b/tfdata").is_dir()


def test_plan_of_one_environment_cannot_be_applied_to_another(project: Path, cli) -> None:
    assert cli("-C", str(project), "plan", "--env", "a").exit_code == 0
    result = cli("-C", str(project), "apply", "--env", "b", "--auto-approve",
                 "--plan", str(project / ".k8sprov/envs/a/plan.tfplan"))
    assert result.exit_code == 1, result.output
    assert "made for environment 'a', not 'b'" in result.stderr
    assert state_addresses(project, "b") == []


def test_plan_made_by_another_terraform_version_is_refused(project: Path, cli) -> None:
    assert cli("-C", str(project), "plan", "--env", "a").exit_code == 0
    record_file = project / ".k8sprov/envs/a/plan.json"
    record = json.loads(record_file.read_text())
    record["terraform_version"] = "1.9.0"
    record_file.write_text(json.dumps(record))
    result = cli("-C", str(project), "apply", "--env", "a", "--auto-approve")
    assert result.exit_code == 1
    assert "Terraform 1.9.0 made it, this is 1.0.3" in result.stderr
    assert state_addresses(project, "a") == []


def test_init_skipped_then_rerun_when_provider_requirements_change(project: Path, cli) -> None:
    assert "successfully initialized" in cli("-C", str(project), "init", "--env", "a").stdout
    skipped = cli("-C", str(project), "init", "--env", "a")
    assert "init skipped" in skipped.stdout and "successfully initialized" not in skipped.stdout
    # editing a resource does not need init...
    main_tf = project / "terraform/main.tf"
    main_tf.write_text(main_tf.read_text() + '\nresource "null_resource" "extra" {}\n')
    assert "init skipped" in cli("-C", str(project), "init", "--env", "a").stdout
    # ...changing the provider requirements does
    versions = project / "terraform/versions.tf"
    versions.write_text(versions.read_text().replace('version = "2.1.2"', 'version = ">= 2.1, < 3.0"'))
    rerun = cli("-C", str(project), "plan", "--env", "a")
    assert rerun.exit_code == 0, rerun.output
    assert "successfully initialized" in rerun.stdout
    forced = cli("-C", str(project), "init", "--env", "a", "--reinit")
    assert "successfully initialized" in forced.stdout


def test_show_renders_the_saved_plan_again(project: Path, cli) -> None:
    missing = cli("-C", str(project), "show", "--env", "a")
    assert missing.exit_code == 64 and "no saved plan for a" in missing.stderr
    assert cli("-C", str(project), "plan", "--env", "a").exit_code == 0
    shown = cli("-C", str(project), "show", "--env", "a")
    assert shown.exit_code == 0, shown.output
    assert "module.items" in shown.stdout and 'null_resource.item["one"]' in shown.stdout
    assert "Plan: 2 to add" in shown.stdout and "environment a" in shown.stdout


def test_envs_lists_profiles_backends_and_plan_status(project: Path, cli) -> None:
    assert cli("-C", str(project), "plan", "--env", "a").exit_code == 0
    (project / "infra/envs/b.tfvars").write_text((project / "infra/envs/b.tfvars").read_text())
    result = cli("-C", str(project), "envs", "--json")
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.stdout)["environments"]}
    assert set(rows) == {"a", "b", "prod"}
    assert rows["a"]["profile"] == "basic" and rows["prod"]["profile"] == "production"
    assert rows["a"]["plan"] == "valid" and rows["b"]["plan"] == "none"
    assert rows["a"]["backend"] == "local" and rows["a"]["var_file"] == "infra/envs/a.tfvars"
    (project / "infra/envs/a.tfvars").write_text('environment = "basic"\n')
    listed = json.loads(cli("-C", str(project), "envs", "--json").stdout)["environments"]
    rows = {r["name"]: r for r in listed}
    assert rows["a"]["plan"].startswith("stale: inputs changed since: infra/envs/a.tfvars")
    table = cli("-C", str(project), "envs")
    assert "prod" in table.stdout and "production" in table.stdout
