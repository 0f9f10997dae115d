"""The installed `k8sprov` script as a subprocess: live streaming, Ctrl-C, concurrency across environments."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest

from tests.core.conftest import state_addresses, state_path
from tests.kit.script import SCRIPT, start, wait_for_line, wait_for_lines

pytestmark = pytest.mark.integration

def _terraform_processes_in(project: Path) -> list[int]:
    """Pids of terraform processes whose working directory is inside the project (read from /proc)."""
    found = []
    for proc_dir in Path("/proc").glob("[0-9]*"):
        try:
            cwd = (proc_dir / "cwd").readlink()
            exe = (proc_dir / "cmdline").read_bytes().split(b"\0")[0].decode(errors="replace")
        except OSError:
            continue
        if exe.endswith("terraform") and cwd.is_relative_to(project):
            found.append(int(proc_dir.name))
    return found


def _slow_env(project: Path, seconds: int = 30) -> None:
    (project / "infra/envs/slow.tfvars").write_text(
        f'environment = "basic"\nslow_seconds = {seconds}\nitems = {{ one = "1" }}\n')


def test_installed_script_runs(project: Path) -> None:
    proc = subprocess.run([str(SCRIPT), "--version"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and proc.stdout.startswith("k8sprov ")


def test_sigint_during_apply_stops_terraform_cleanly(project: Path) -> None:
    _slow_env(project)
    proc = start(project, "apply", "--env", "slow", "--auto-approve")
    # the item is created alongside the slow resource: wait until it is done, or the interrupt may come
    # before terraform started it (then, rightly, it is not in state)
    wait_for_lines(proc, "null_resource.slow[0]: Creating...",
                   'module.items.null_resource.item["one"]: Creation complete')
    assert proc.poll() is None  # still running: the line arrived live
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Interrupt received" in out  # terraform got exactly the graceful stop
    assert "null_resource.slow[0]: Creation complete" not in out  # it did not sleep the sleep out
    assert "interrupted" in err and "Traceback" not in err
    # no terraform left behind, no lock left behind, state readable
    assert _terraform_processes_in(project) == []
    assert not list((project / "terraform").rglob(".terraform.tfstate.lock.info"))
    assert 'module.items.null_resource.item["one"]' in state_addresses(project, "slow")
    # the next plan works and still wants the interrupted resource
    _slow_env(project, seconds=1)
    after = subprocess.run([str(SCRIPT), "-C", str(project), "plan", "--env", "slow", "--detailed-exitcode"],
                           capture_output=True, text=True, check=False)
    assert after.returncode == 2, after.stderr
    assert "null_resource.slow[0]" in after.stdout


def test_sigterm_during_apply_exits_143(project: Path) -> None:
    _slow_env(project)
    proc = start(project, "apply", "--env", "slow", "--auto-approve")
    wait_for_line(proc, "null_resource.slow[0]: Creating...")
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "terminated" in err
    assert not list((project / "terraform").rglob(".terraform.tfstate.lock.info"))
    assert state_path(project, "slow").is_file()


def test_two_environments_plan_and_apply_at_the_same_time(project: Path) -> None:
    procs = [start(project, "apply", "--env", env, "--auto-approve") for env in ("a", "b")]
    results = [p.communicate(timeout=120) for p in procs]
    for proc, (_out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
    assert len(state_addresses(project, "a")) == 2
    assert state_addresses(project, "b") == ['module.items.null_resource.item["other"]']
