"""The pg backend for real: a PostgreSQL server from the test session, Terraform 1.0.3, the k8sprov CLI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.kit.pgserver import PgServer
from tests.teams.conftest import addresses, finish, pg_state, run, schema_of, slow_env, start, wait_for_line

pytestmark = pytest.mark.integration

ITEMS_A = ['module.items.null_resource.item["one"]', 'module.items.null_resource.item["two"]']


def env_locks(server: PgServer, project: Path, env: str) -> list[str]:
    """Advisory locks held on the environment's state row (the pg backend locks row id, and -1 to create)."""
    return server.psql(
        f"SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND (objid = 4294967295 OR objid = "
        f"(SELECT id FROM {schema_of(project)}.states WHERE name = '{env}'))").splitlines()


def test_each_environment_is_a_workspace_in_the_shared_schema(pg_project: Path, pg_server: PgServer,
                                                              cli) -> None:
    applied = cli("-C", str(pg_project), "apply", "--env", "a", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert 'Successfully configured the backend "pg"' in applied.stdout
    assert cli("-C", str(pg_project), "apply", "--env", "b", "--auto-approve").exit_code == 0
    rows = pg_server.psql(f"SELECT name FROM {schema_of(pg_project)}.states ORDER BY name").splitlines()
    assert {"a", "b"} <= set(rows) and "prod" not in rows
    assert addresses(pg_state(pg_server, pg_project, "a")) == ITEMS_A
    assert addresses(pg_state(pg_server, pg_project, "b")) == ['module.items.null_resource.item["other"]']
    assert not (pg_project / "terraform/terraform.tfstate.d").exists()  # nothing kept locally
    again = cli("-C", str(pg_project), "plan", "--env", "a", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert pg_server.password not in applied.output + again.output


def test_credentials_are_masked_in_terraform_errors_and_debug_output(pg_project: Path, pg_server: PgServer,
                                                                     cli) -> None:
    backend = pg_project / "infra/backends/a.hcl"
    port = pg_server.port
    backend.write_text(backend.read_text().replace(f"127.0.0.1:{port}", f"127.0.0.1:x{port}"))
    result = cli("-C", str(pg_project), "--debug", "plan", "--env", "a")
    assert result.exit_code == 1, result.output
    assert "invalid port" in result.stderr  # terraform's own error, which quotes the conn_str, reached us
    assert f"postgres://{pg_server.user}:***@127.0.0.1" in result.stderr
    assert pg_server.password not in result.output


def test_two_applies_on_one_environment_one_waits_then_fails_with_the_lock(pg_project: Path,
                                                                           pg_server: PgServer) -> None:
    slow_env(pg_project, seconds=0)
    assert run(pg_project, "apply", "--env", "slow", "--auto-approve").returncode == 0
    before = pg_state(pg_server, pg_project, "slow")
    assert before is not None and addresses(before) == ['module.items.null_resource.item["one"]']
    slow_env(pg_project, seconds=4, items='one = "1", two = "2"')
    first = start(pg_project, "apply", "--env", "slow", "--auto-approve")
    seen = wait_for_line(first, "null_resource.slow[0]: Creating...")
    # the query the lock error offers finds the holder: one session, of our database user
    from k8sprov.locks import pg_holder_query

    holders = pg_server.psql(pg_holder_query("slow", schema_of(pg_project))).splitlines()
    assert len(holders) == 1 and f"|{pg_server.user}|127.0.0.1" in holders[0], holders
    second = run(pg_project, "apply", "--env", "slow", "--auto-approve", "--lock-timeout", "2s")
    out, err = finish(first, timeout=60)
    assert first.returncode == 0, err
    assert "Apply complete! Resources: 2 added" in seen + out
    assert second.returncode == 1, second.stderr
    lines = [ln for ln in second.stderr.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1, second.stderr
    assert "state of slow is locked by another terraform session (pg backend" in lines[0]
    assert f"FROM {schema_of(pg_project)}.states WHERE name = 'slow'" in lines[0]
    assert "Traceback" not in second.stderr
    after = pg_state(pg_server, pg_project, "slow")
    assert after is not None
    assert after["serial"] == before["serial"] + 1  # exactly one successful apply
    assert after["lineage"] == before["lineage"]
    assert addresses(after) == [*ITEMS_A, "null_resource.slow[0]"]
    assert env_locks(pg_server, pg_project, "slow") == []


def test_environments_in_one_schema_run_at_the_same_time_without_interfering(pg_project: Path,
                                                                            pg_server: PgServer) -> None:
    # first runs: each creates its workspace (and races for the schema) at the same moment. Creating a
    # workspace's row takes the pg backend's shared creation lock, so first runs in one schema can meet on it:
    # that is what --lock-timeout is for (Terraform's default, 0s, fails at once — seen here ~1 run in 8).
    procs = {env: start(pg_project, "apply", "--env", env, "--auto-approve", "--lock-timeout", "120s")
             for env in ("a", "b", "prod")}
    for env, proc in procs.items():
        _out, err = finish(proc, timeout=180)
        assert proc.returncode == 0, f"{env}: {err}"
    plans = {env: start(pg_project, "plan", "--env", env, "--detailed-exitcode")
             for env in ("a", "b", "prod")}
    for env, proc in plans.items():
        _out, err = finish(proc, timeout=120)
        assert proc.returncode == 0, f"{env}: {err}"
    assert addresses(pg_state(pg_server, pg_project, "a")) == ITEMS_A
    assert addresses(pg_state(pg_server, pg_project, "b")) == ['module.items.null_resource.item["other"]']
    assert addresses(pg_state(pg_server, pg_project, "prod")) == ['module.items.null_resource.item["p"]']
    for env in ("a", "b", "prod"):
        assert env_locks(pg_server, pg_project, env) == []


def test_plan_all_gives_one_table_and_a_combined_exit_code(pg_project: Path, pg_server: PgServer,
                                                           cli) -> None:
    assert cli("-C", str(pg_project), "apply", "--env", "b", "--auto-approve").exit_code == 0
    # PostgreSQL releases a session's advisory lock when it notices the session ended: a run right after
    # another can still meet it (seen ~1 run in 4 on two busy workers). --lock-timeout is the documented way.
    result = cli("-C", str(pg_project), "plan", "--all", "--jobs", "3", "--detailed-exitcode",
                 "--lock-timeout", "60s")
    assert result.exit_code == 2, result.output
    out = result.stdout
    assert re.search(r"^ a\s+2\s+0\s+0\s+0\s+changes\s+\d+\.\ds\s*$", out, re.MULTILINE), out
    assert re.search(r"^ b\s+0\s+0\s+0\s+0\s+no changes\s+\d+\.\ds\s*$", out, re.MULTILINE), out
    assert re.search(r"^ prod\s+1\s+0\s+0\s+0\s+changes\s+\d+\.\ds\s*$", out, re.MULTILINE), out
    # one line per environment as it finished; terraform's output went to the logs, not the terminal
    assert "a: changes: 2 to create, 0 to update, 0 to replace, 0 to delete" in out
    assert "b: no changes" in out
    assert "Terraform used the selected providers" not in out
    for env in ("a", "b", "prod"):
        log = (pg_project / f".k8sprov/logs/{env}.log").read_text()
        assert "Terraform used the selected providers" in log or "No changes" in log
        assert pg_server.password not in log
        assert (pg_project / f".k8sprov/envs/{env}/plan.tfplan").is_file()  # each plan saved for apply
    # a failing environment: failure wins over changes (--no-lint: lint would stop this type error first)
    (pg_project / "infra/envs/prod.tfvars").write_text(
        'environment = "production"\nitems = "not-a-map"\n')
    failed = cli("-C", str(pg_project), "plan", "--env", "a", "--env", "prod", "--detailed-exitcode",
                 "--no-lint", "--lock-timeout", "60s")
    assert failed.exit_code == 1, failed.output
    assert re.search(r"^ prod\s+-\s+-\s+-\s+-\s+failed", failed.stdout, re.MULTILINE), failed.stdout
    assert re.search(r"^ a\s+2\s+0\s+0\s+0\s+changes", failed.stdout, re.MULTILINE), failed.stdout
    assert "plan failed for prod" in failed.stderr
    assert "Invalid value for input variable" in (pg_project / ".k8sprov/logs/prod.log").read_text()


def test_unlock_refuses_on_pg_and_says_why(pg_project: Path, cli) -> None:
    assert cli("-C", str(pg_project), "init", "--env", "a").exit_code == 0
    result = cli("-C", str(pg_project), "unlock", "--env", "a", "0a1b2c", "--auto-approve")
    assert result.exit_code == 1, result.output
    assert "advisory lock" in result.stderr and "force-unlock cannot release it" in result.stderr
    assert "pg_terminate_backend" in result.stderr


def test_init_takes_lock_timeout_even_where_terraform_init_does_not(pg_project: Path, cli) -> None:
    # Terraform 1.0's init has no -lock-timeout: k8sprov asks the binary and leaves it out there
    result = cli("-C", str(pg_project), "init", "--env", "a", "--lock-timeout", "5s")
    assert result.exit_code == 0, result.output
    assert "a: init done" in result.stdout
