"""`k8sprov drift` with the real Terraform 1.0.3 (plan format 0.2) on the null-resource stack: the
refresh-only plan runs, finds nothing (null_resources have no remote object), writes no state and no
saved plan, and a failing plan is one line and exit 1. Drift found for real: tests/realstack/test_drift.py."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.core.conftest import state_path

pytestmark = pytest.mark.integration


def test_no_drift_under_terraform_1_0_and_nothing_written(project: Path, cli) -> None:
    applied = cli("-C", str(project), "apply", "--env", "a", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    state = state_path(project, "a")
    before = hashlib.sha256(state.read_bytes()).hexdigest()
    out = project / "drift.json"
    result = cli("-C", str(project), "drift", "--env", "a", "--detailed-exitcode", "--json", str(out),
                 "--markdown", "-")
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    assert (doc["kind"], doc["has_changes"], doc["plan"]["format_version"]) == ("drift", False, "0.2")
    assert doc["terraform_version"] == "1.0.3"
    assert result.stdout.startswith("### Drift · environment `a`")  # --markdown - alone on stdout
    assert "No drift in a" in result.stdout and "No drift in a" in result.stderr
    assert hashlib.sha256(state.read_bytes()).hexdigest() == before
    env_dir = project / ".k8sprov" / "envs" / "a"
    assert not (env_dir / "plan.tfplan").exists() and not list(env_dir.glob("drift*"))


def test_a_failing_refresh_only_plan_is_one_line_and_exit_1(project: Path, cli) -> None:
    var_file = project / "infra" / "envs" / "b.tfvars"
    var_file.write_text(var_file.read_text() + "slow_seconds = \"soon\"\n")  # not a number
    result = cli("-C", str(project), "drift", "--env", "b", "--detailed-exitcode")
    assert result.exit_code == 1, result.output
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1 and "terraform plan -refresh-only failed" in errors[0]
    assert "Traceback" not in result.output
    assert not list((project / ".k8sprov" / "envs" / "b").glob("drift*"))


@pytest.mark.parametrize(("statuses", "detailed", "code"), [
    (("no drift", "no drift"), True, 0),
    (("no drift", "drift"), True, 2),
    (("no drift", "drift"), False, 0),
    (("drift", "failed"), True, 1),  # failure wins over drift
])
def test_fleet_exit_code_and_line_of_drift(statuses: tuple[str, ...], detailed: bool, code: int) -> None:
    from k8sprov.fleet import DRIFT, EnvResult, combined_exit_code

    results = [EnvResult(env=f"e{i}", status=s, seconds=1.0, log=Path(f"/p/.k8sprov/logs/e{i}.log"))
               for i, s in enumerate(statuses)]
    assert int(combined_exit_code(results, detailed=detailed)) == code
    drifted = EnvResult(env="a", status=DRIFT, seconds=1.0, log=Path("/p/.k8sprov/logs/a.log"),
                        counts={"changed": 2, "deleted": 1})
    assert drifted.line(Path("/p")) == "a: drift: 2 changed, 1 deleted (1.0s) · log .k8sprov/logs/a.log"
