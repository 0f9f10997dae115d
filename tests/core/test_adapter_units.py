"""Pure pieces of the core: command lines (python-terraform's traps), version constraints, stale checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from k8sprov import planstore
from k8sprov.fingerprint import changed_inputs
from k8sprov.planstore import PlanRecord
from k8sprov.terraform import RunResult, Terraform, TerraformBinary
from k8sprov.tfversion import satisfies


@pytest.fixture
def tf(tmp_path: Path) -> Terraform:
    binary = TerraformBinary(path="/opt/tf/terraform", version="1.0.3", flavor="terraform")
    return Terraform(binary, working_dir=tmp_path, data_dir=tmp_path / "data", workspace="a")


def test_apply_of_a_saved_plan_carries_no_variables(tf: Terraform, tmp_path: Path) -> None:
    argv = tf.apply_argv(tmp_path / "plan.tfplan")
    assert argv[:2] == ["/opt/tf/terraform", "apply"]
    assert argv[-1] == str(tmp_path / "plan.tfplan")
    assert not [a for a in argv if a.startswith(("-var", "-var-file", "-auto-approve"))]
    assert "-input=false" in argv and "-no-color" in argv


def test_plan_command_line(tf: Terraform, tmp_path: Path) -> None:
    argv = tf.plan_argv(tmp_path / "e.tfvars", tmp_path / "p", destroy=True, lock_timeout="30s")
    assert f"-var-file={tmp_path / 'e.tfvars'}" in argv
    assert f"-out={tmp_path / 'p'}" in argv
    assert {"-detailed-exitcode", "-destroy", "-lock-timeout=30s", "-input=false"} <= set(argv)


def test_python_terraform_traps_are_refused(tf: Terraform) -> None:
    for trap in ("synchronous", "capture_output", "raise_on_error"):
        with pytest.raises(ValueError, match="trap"):
            tf.argv("plan", **{trap: False})


def test_destroy_never_passes_the_removed_force_flag(tf: Terraform, tmp_path: Path) -> None:
    # destroy = plan -destroy -out, then apply of that plan: never `terraform destroy -force`
    argvs = [tf.plan_argv(tmp_path / "e.tfvars", tmp_path / "d", destroy=True), tf.apply_argv(tmp_path / "d")]
    assert all("-force" not in argv and "destroy" not in argv[1] for argv in argvs)


def test_each_environment_gets_its_own_data_dir_and_workspace(tf: Terraform, tmp_path: Path) -> None:
    assert tf.env["TF_DATA_DIR"] == str(tmp_path / "data")
    assert tf.env["TF_WORKSPACE"] == "a"
    assert tf.env["TF_INPUT"] == "0"


def test_init_command_line(tf: Terraform, tmp_path: Path) -> None:
    argv = tf.init_argv(tmp_path / "pg.hcl", reconfigure=True)
    assert f"-backend-config={tmp_path / 'pg.hcl'}" in argv and "-reconfigure" in argv


@pytest.mark.parametrize(("version", "constraint", "ok"), [
    ("1.0.3", ">= 1.0", True), ("1.0.3", ">= 1.5", False), ("1.5.7", ">= 1.5, < 2.0", True),
    ("2.0.0", ">= 1.5, < 2.0", False), ("1.9.2", "~> 1.5", True), ("2.1.0", "~> 1.5", False),
    ("1.5.9", "~> 1.5.0", True), ("1.6.0", "~> 1.5.0", False), ("1.6.0-beta1", ">= 1.6.0", False),
    ("1.0.3", "1.0.3", True), ("1.0.3", "!= 1.0.3", False), ("1.0.3", "", True),
])
def test_version_constraints(version: str, constraint: str, ok: bool) -> None:
    assert satisfies(version, constraint) is ok


def test_last_error_line_strips_terraform_boxes() -> None:
    result = RunResult(1, "", "╷\n│ Error: Invalid reference\n│ \n│   on main.tf line 2\n╵\n")
    assert result.last_error() == "Error: Invalid reference (main.tf:2)"
    assert RunResult(1, "boom\n", "").last_error() == "boom"


def _record(**kw: object) -> PlanRecord:
    base: dict[str, object] = {"environment": "a", "profile": "basic", "terraform_version": "1.0.3",
                               "inputs": {"var_file": {"infra/envs/a.tfvars": "x"}}, "has_changes": True}
    base.update(kw)
    return PlanRecord(**base)  # type: ignore[arg-type]


def test_stale_reasons() -> None:
    inputs = {"var_file": {"infra/envs/a.tfvars": "x"}}
    assert planstore.problems(_record(), environment="a", inputs=inputs, terraform_version="1.0.3") == []
    why = planstore.problems(_record(), environment="b", inputs={"var_file": {"infra/envs/a.tfvars": "y"}},
                             terraform_version="1.5.0")
    assert why == ["it was made for environment 'a', not 'b'", "Terraform 1.0.3 made it, this is 1.5.0",
                   "inputs changed since: infra/envs/a.tfvars"]


def test_changed_inputs_sees_added_and_removed_files() -> None:
    old = {"terraform": {"terraform/a.tf": "1"}, "values": {}}
    new = {"terraform": {"terraform/a.tf": "1", "terraform/b.tf": "2"}, "values": {"v.yaml": "3"}}
    assert changed_inputs(old, new) == ["terraform/b.tf", "v.yaml"]
    assert changed_inputs(new, new) == []
