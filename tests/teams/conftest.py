"""A real PostgreSQL server for the session, and fixture projects whose state lives in it (pg backend)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.kit.fetch_terraform import TerraformKit
from tests.kit.pgserver import PgServer, PgUnavailable, start_server, stop_server
from tests.kit.script import SCRIPT, addresses, run, start, wait_for_line

__all__ = ["SCRIPT", "addresses", "run", "start", "wait_for_line"]

FIXTURES = Path(__file__).parents[1] / "fixtures"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A throwaway PostgreSQL cluster in a temp folder on a loopback port; fails (never skips) without it."""
    try:
        server = start_server()
    except PgUnavailable as err:
        pytest.fail(f"PostgreSQL is needed for the team-backend tests: {err}", pytrace=False)
    try:
        yield server
    finally:
        stop_server(server)


def copy_stack(dest: Path) -> Path:
    shutil.copytree(FIXTURES / "nullstack", dest)
    return dest


@pytest.fixture
def project(tmp_path: Path, tf_env: TerraformKit) -> Path:
    """The null-resource stack with the default local backend."""
    return copy_stack(tmp_path / "proj")


@pytest.fixture
def pg_project(tmp_path: Path, tf_env: TerraformKit, pg_server: PgServer) -> Path:
    """The null-resource stack with `backend "pg" {}`; each environment's conn_str and a schema of its own
    per test in infra/backends/<env>.hcl (so tests never share state)."""
    project = copy_stack(tmp_path / "proj")
    (project / "terraform/backend.tf").write_text('terraform {\n  backend "pg" {}\n}\n')
    schema = "t_" + uuid.uuid4().hex[:12]
    backends = project / "infra/backends"
    backends.mkdir(parents=True)
    for env in ("a", "b", "prod", "slow", "slow2"):
        (backends / f"{env}.hcl").write_text(
            f'conn_str    = "{pg_server.conn_str}"\nschema_name = "{schema}"\n')
    (project / ".schema").write_text(schema)
    return project


def schema_of(project: Path) -> str:
    return (project / ".schema").read_text()


def pg_state(server: PgServer, project: Path, env: str) -> dict[str, Any] | None:
    """The environment's state as stored in PostgreSQL (the pg backend keeps one row per workspace)."""
    text = server.psql(f"SELECT data FROM {schema_of(project)}.states WHERE name = '{env}'")
    return json.loads(text) if text else None


def slow_env(project: Path, name: str = "slow", seconds: int = 3, items: str = 'one = "1"') -> None:
    (project / f"infra/envs/{name}.tfvars").write_text(
        f'environment = "basic"\nslow_seconds = {seconds}\nitems = {{ {items} }}\n')


def finish(proc: subprocess.Popen[str], timeout: float = 120) -> tuple[str, str]:
    """The rest of stdout and stderr, and wait. (Not `communicate()`: after `wait_for_line` read through
    the text wrapper, it would read the pipe underneath and lose what the wrapper had buffered.)"""
    assert proc.stdout is not None and proc.stderr is not None
    box: list[str] = []
    reader = threading.Thread(target=lambda: box.append(proc.stdout.read() if proc.stdout else ""))
    reader.start()
    err = proc.stderr.read()
    reader.join(timeout)
    proc.wait(timeout)
    return (box[0] if box else ""), err


def terraform_pids(project: Path, workspace: str | None = None) -> list[int]:
    """Pids of terraform processes whose working directory is inside the project (from /proc); with
    `workspace`, only those running for that environment (TF_WORKSPACE in their environment)."""
    found = []
    for proc_dir in Path("/proc").glob("[0-9]*"):
        try:
            cwd = (proc_dir / "cwd").readlink()
            exe = (proc_dir / "cmdline").read_bytes().split(b"\0")[0].decode(errors="replace")
            environ = (proc_dir / "environ").read_bytes().split(b"\0") if workspace else []
        except OSError:
            continue
        if not (exe.endswith("terraform") and cwd.is_relative_to(project)):
            continue
        if workspace is None or f"TF_WORKSPACE={workspace}".encode() in environ:
            found.append(int(proc_dir.name))
    return found


def kill9_terraform(project: Path) -> list[int]:
    """SIGKILL the terraform processes; returns their process groups (what they started lives there)."""
    pids = terraform_pids(project)
    groups = set()
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            groups.add(os.getpgid(pid))
            os.kill(pid, signal.SIGKILL)
    return sorted(groups) if pids else []
