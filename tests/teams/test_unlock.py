"""`k8sprov unlock`: typed confirmation, terraform force-unlock with the given ID, and honest refusals where
force-unlock cannot release anything (local and pg: their locks die with the terraform holding them)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

LOCK_ID = "7e76930d-f5bd-08da-7755-690a94581e95"


def test_unlock_refuses_on_the_local_backend_before_asking(project: Path, cli) -> None:
    result = cli("-C", str(project), "unlock", "--env", "a", LOCK_ID, tty=True, input="a\n")
    assert result.exit_code == 1, result.output
    assert "local backend" in result.stderr and "force-unlock cannot release it" in result.stderr
    assert "Type the environment name" not in result.stdout  # refused before the question


@pytest.fixture
def record_lock_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend the backend keeps lock records (s3, gcs, kubernetes...): none runs here, so the real
    terraform still runs force-unlock against the local state, which shows it was reached and with what."""
    from k8sprov import workflow

    monkeypatch.setattr(workflow, "check_unlockable", lambda run: None)


@pytest.mark.usefixtures("record_lock_backend")
def test_unlock_needs_the_typed_environment_name(project: Path, cli) -> None:
    no_tty = cli("-C", str(project), "unlock", "--env", "a", LOCK_ID)
    assert no_tty.exit_code == 64 and "no terminal" in no_tty.stderr
    wrong = cli("-C", str(project), "unlock", "--env", "a", LOCK_ID, tty=True, input="b\n")
    assert wrong.exit_code == 1 and "not confirmed" in wrong.stderr
    assert "Type the environment name (a) to confirm" in wrong.stdout
    assert "force-unlock" not in wrong.output  # terraform never ran


@pytest.mark.usefixtures("record_lock_backend")
def test_unlock_runs_terraform_force_unlock_with_the_id(project: Path, cli) -> None:
    result = cli("-C", str(project), "unlock", "--env", "a", LOCK_ID, tty=True, input="a\n")
    # the local state is not locked, so the real terraform refuses: proof that it was asked to unlock
    assert result.exit_code == 1, result.output
    assert "terraform force-unlock failed" in result.stderr
    assert "LocalState not locked" in result.output
    approved = cli("-C", str(project), "unlock", "--env", "a", LOCK_ID, "--auto-approve")
    assert approved.exit_code == 1 and "terraform force-unlock failed" in approved.stderr
