"""--check (offline, for CI), --prune, the plan guard and the shell shim."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from k8sprov.charts.verify import check_profile_charts
from k8sprov.errors import ChartError
from k8sprov.project import Project
from tests.charts.conftest import World

REPO_ROOT = Path(__file__).resolve().parents[2]


def check(world: World, *args: str) -> object:
    return world.cli("-C", str(world.project), "update-charts", "--check", *args)


def test_check_passes_after_vendoring_and_makes_no_request(world: World) -> None:
    assert world.run().exit_code == 0
    world.repo.clear_log()
    world.gh.clear_log()
    result = check(world)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert "8 chart archive(s) match charts/charts.lock" in result.stdout  # type: ignore[attr-defined]
    assert world.repo.log == [] and world.gh.log == []


def test_check_lists_missing_mismatched_and_unpinned(world: World) -> None:
    assert world.run().exit_code == 0
    world.repo.clear_log()
    world.gh.clear_log()
    (world.charts_dir / "kyverno-3.9.0.tgz").unlink()
    (world.charts_dir / "argo-cd-9.7.1.tgz").write_bytes(b"edited by hand")
    shutil.copy(world.charts_dir / "argo-cd-10.1.1.tgz", world.charts_dir / "argo-cd-1.0.0.tgz")
    result = check(world)
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert result.stdout.splitlines() == [  # type: ignore[attr-defined]
        "missing kyverno-3.9.0.tgz",
        "mismatched argo-cd-9.7.1.tgz",
        "not pinned argo-cd-1.0.0.tgz",
    ]
    assert "error: charts/ does not match the pins: 3 problem(s) — run k8sprov update-charts --prune" in (
        result.stderr
    )  # type: ignore[attr-defined]
    assert world.repo.log == [] and world.gh.log == []  # offline
    assert (world.charts_dir / "argo-cd-1.0.0.tgz").exists()  # --check never changes charts/


def test_check_with_profile_only_looks_at_that_profile(world: World) -> None:
    assert world.run("--profile", "production").exit_code == 0
    assert check(world, "--profile", "production").exit_code == 0  # type: ignore[attr-defined]
    result = check(world, "--profile", "basic")
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert "missing argo-cd-10.1.1.tgz" in result.stdout  # type: ignore[attr-defined]
    assert "--profile basic" in result.stderr  # type: ignore[attr-defined]


def test_check_without_lock_reports_every_pin_missing(world: World) -> None:
    result = check(world)
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert len(result.stdout.splitlines()) == 8  # type: ignore[attr-defined]


def test_check_and_prune_are_exclusive(world: World) -> None:
    result = check(world, "--prune")
    assert result.exit_code == 64  # type: ignore[attr-defined]


def test_prune_removes_unpinned_archives_and_their_lock_entries(world: World) -> None:
    assert world.run().exit_code == 0
    lock = json.loads((world.charts_dir / "charts.lock").read_text())
    stale = dict(lock["charts"][0], name="old-chart", version="0.1.0")
    lock["charts"].append(stale)
    (world.charts_dir / "charts.lock").write_text(json.dumps(lock))
    (world.charts_dir / "old-chart-0.1.0.tgz").write_bytes(b"x")
    result = world.run()  # without --prune: kept
    assert result.exit_code == 0
    assert (world.charts_dir / "old-chart-0.1.0.tgz").exists()
    result = world.run("--prune")
    assert result.exit_code == 0, result.output
    assert "pruned old-chart-0.1.0.tgz" in result.stdout
    assert not (world.charts_dir / "old-chart-0.1.0.tgz").exists()
    assert ("old-chart", "0.1.0") not in world.lock_entries()
    assert len(world.lock_entries()) == 8
    assert check(world).exit_code == 0  # type: ignore[attr-defined]


def test_stale_temp_file_from_a_killed_run_is_removed(world: World) -> None:
    world.charts_dir.mkdir()
    stale = world.charts_dir / ".kyverno-3.9.0.tgz.abc123.part"
    stale.write_bytes(b"half")
    assert world.run().exit_code == 0
    assert not stale.exists()


def test_plan_guard(world: World) -> None:
    project = Project(world.project)
    with pytest.raises(ChartError) as err:
        check_profile_charts(project, "production")
    assert "charts for profile production are not vendored: missing prometheus-operator-crds-30.0.1.tgz" in (
        err.value.message
    )
    assert err.value.hint == "run k8sprov update-charts --profile production"
    assert world.run("--profile", "production").exit_code == 0
    check_profile_charts(project, "production")  # silent
    with pytest.raises(ChartError):
        check_profile_charts(project, "basic")
    (world.charts_dir / "kyverno-3.8.2.tgz").write_bytes(b"tampered")
    with pytest.raises(ChartError) as err:
        check_profile_charts(project, "production")
    assert "mismatched kyverno-3.8.2.tgz" in err.value.message
    with pytest.raises(ChartError) as err:
        check_profile_charts(project, "qa")
    assert "profile 'qa' pins no charts" in err.value.message


def test_plan_guard_without_catalog_is_silent(tmp_path: Path) -> None:
    (tmp_path / "terraform").mkdir()
    check_profile_charts(Project(tmp_path), "basic")  # a fixture stack of null_resources: nothing to check


def test_plan_guard_parses_no_hcl_once_warm(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """What keeps plan's chart check cheap: a warm check reads the cached catalog, never python-hcl2 (its
    parser takes 0.1-1 s to start); the time itself is measured in bench/ (B2), not asserted here."""
    import hcl2

    assert world.run().exit_code == 0
    project = Project(world.project)
    check_profile_charts(project, "basic")  # warms the catalog cache

    def parse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the warm chart check parsed HCL")

    monkeypatch.setattr(hcl2, "loads", parse)
    for _ in range(3):
        check_profile_charts(project, "basic")
    (world.project / "charts" / "kyverno-3.9.0.tgz").unlink()
    with pytest.raises(ChartError, match=r"missing kyverno-3\.9\.0\.tgz"):
        check_profile_charts(project, "basic")  # still a real check, from the cache


def test_shell_shim_runs_update_charts(world: World) -> None:
    shim = REPO_ROOT / "scripts" / "update_charts.sh"
    assert os.access(shim, os.X_OK)
    assert shim.read_text().splitlines()[0] == "#!/usr/bin/env bash"
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run(
        [str(shim), "-C", str(world.project), "--check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # `-C` belongs before the command in k8sprov; the shim passes arguments through untouched, so this is
    # k8sprov's own usage error, proving the shim ran k8sprov update-charts with our arguments.
    assert proc.returncode == 64 and "no such option: -C" in proc.stderr
    proc = subprocess.run(
        [str(shim), "--check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=world.project,
        check=False,
    )
    assert proc.returncode == 1
    assert "missing kyverno-3.9.0.tgz" in proc.stdout


def test_one_update_charts_at_a_time(world: World) -> None:
    import fcntl

    pid_file = world.project / ".k8sprov" / "update-charts.pid"
    pid_file.parent.mkdir(parents=True)
    with pid_file.open("a+") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        fh.write("4242\n")
        fh.flush()
        result = world.run()
    assert result.exit_code == 1
    assert "another k8sprov update-charts (pid 4242) is running" in result.stderr
    assert world.repo.log == []
    assert world.run().exit_code == 0  # released: the next run goes ahead
