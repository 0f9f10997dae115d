"""update-charts end to end against the loopback copy of the real repositories (through --mirror)."""

from __future__ import annotations

import json

import pytest

from tests.charts import builders
from tests.charts.conftest import PINS, World


def all_pins() -> set[tuple[str, str]]:
    return {(c, v) for pins in PINS.values() for c, v in pins.items()}


def test_cold_run_vendors_every_pin_and_locks_the_real_digests(world: World) -> None:
    result = world.run()
    assert result.exit_code == 0, result.output
    lock = json.loads((world.charts_dir / "charts.lock").read_text())
    assert lock["version"] == 1
    assert [(e["name"], e["version"]) for e in lock["charts"]] == sorted(all_pins())
    for entry in lock["charts"]:
        assert set(entry) == {"name", "version", "source", "sha256", "size"}
        data = world.archives[(entry["name"], entry["version"])]
        assert entry["sha256"] == builders.sha256(data)
        assert entry["size"] == len(data)
        assert (world.charts_dir / f"{entry['name']}-{entry['version']}.tgz").read_bytes() == data
    sources = {
        e["name"]: e["source"] for e in lock["charts"] if e["version"] in ("3.9.0", "10.1.1", "31.0.1")
    }
    assert sources["kyverno"] == f"{world.repo.url}/kyverno/kyverno-3.9.0.tgz"  # relative, resolved
    assert sources["kyverno-policies"] == f"{world.repo.url}/kyverno/kyverno-policies-3.9.0.tgz"  # absolute
    assert sources["argo-cd"].startswith(f"{world.gh.url}/argoproj/argo-helm/releases/download/")  # absolute
    assert sources["prometheus-operator-crds"].startswith(world.gh.url)
    assert world.leftovers() == []
    assert "downloaded" in result.stdout and "8 charts: 8 downloaded" in result.stdout
    for name in ("prometheus-operator-crds", "kyverno-policies", "argo-cd"):
        assert name in result.stdout


def test_each_index_is_fetched_once_per_run(world: World) -> None:
    assert world.run().exit_code == 0
    # kyverno and kyverno-policies share a repository; four pins come from it.
    assert len(world.repo.paths("/kyverno/index.yaml")) == 1
    assert len(world.repo.paths("/argo-helm/index.yaml")) == 1
    assert len(world.repo.paths("/prometheus-community/index.yaml")) == 1


def test_warm_run_makes_no_request_at_all(world: World) -> None:
    assert world.run().exit_code == 0
    world.repo.clear_log()
    world.gh.clear_log()
    result = world.run()
    assert result.exit_code == 0, result.output
    assert world.repo.log == [] and world.gh.log == []
    assert "8 skipped" in result.stdout and "0 requests" in result.stdout


def test_missing_archive_uses_a_conditional_index_request(world: World) -> None:
    assert world.run().exit_code == 0
    (world.charts_dir / "kyverno-3.9.0.tgz").unlink()
    world.repo.clear_log()
    result = world.run()
    assert result.exit_code == 0, result.output
    index_requests = world.repo.requests_for("/kyverno/index.yaml")
    assert len(index_requests) == 1
    assert index_requests[0].headers.get("if-none-match") == '"kyverno-v1"'
    assert index_requests[0].headers.get("if-modified-since") == "Thu, 20 Aug 2026 09:00:00 GMT"
    assert index_requests[0].status == 304
    assert [r.path for r in world.repo.log if r.path.endswith(".tgz")] == ["/kyverno/kyverno-3.9.0.tgz"]
    assert "1 downloaded, 7 skipped" in result.stdout


def test_present_archive_without_lock_is_verified_without_download(world: World) -> None:
    assert world.run().exit_code == 0
    lock_before = (world.charts_dir / "charts.lock").read_text()
    (world.charts_dir / "charts.lock").unlink()
    world.repo.clear_log()
    world.gh.clear_log()
    result = world.run()
    assert result.exit_code == 0, result.output
    assert [r.path for r in world.repo.log + world.gh.log if r.path.endswith(".tgz")] == []
    assert "8 verified" in result.stdout
    lock_after = json.loads((world.charts_dir / "charts.lock").read_text())
    assert [(e["name"], e["version"], e["sha256"]) for e in lock_after["charts"]] == [
        (e["name"], e["version"], e["sha256"]) for e in json.loads(lock_before)["charts"]
    ]


def test_tampered_archive_is_replaced(world: World) -> None:
    assert world.run().exit_code == 0
    target = world.charts_dir / "argo-cd-10.1.1.tgz"
    target.write_bytes(b"hand edited")
    result = world.run()
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == world.archives[("argo-cd", "10.1.1")]


def test_profile_selects_its_pins_and_keeps_other_entries(world: World) -> None:
    result = world.run("--profile", "production")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in world.charts_dir.glob("*.tgz")) == sorted(
        f"{c}-{v}.tgz" for c, v in PINS["production"].items()
    )
    result = world.run("--env", "basic")
    assert result.exit_code == 0, result.output
    lock = json.loads((world.charts_dir / "charts.lock").read_text())
    assert len(lock["charts"]) == 8


def test_env_maps_to_its_profile(world: World) -> None:
    result = world.run("--env", "prod-eu")
    assert result.exit_code == 0, result.output
    assert (world.charts_dir / "argo-cd-9.7.1.tgz").exists()
    assert not (world.charts_dir / "argo-cd-10.1.1.tgz").exists()


def test_env_and_profile_are_exclusive(world: World) -> None:
    result = world.run("--env", "basic", "--profile", "basic")
    assert result.exit_code == 64
    assert "--env and --profile are exclusive" in result.stderr


def test_unknown_profile_is_a_usage_error(world: World) -> None:
    result = world.run("--profile", "nope")
    assert result.exit_code == 64
    assert "profile 'nope' pins no charts" in result.stderr


def test_downloads_run_concurrently_bounded_by_jobs(world: World) -> None:
    from tests.charts.conftest import server_path
    from tests.charts.server import Fault

    for key in all_pins():
        server, path = server_path(world, key)
        server.fault(path, Fault.drip(0.002))
    assert world.run("--jobs", "3").exit_code == 0
    assert world.repo.max_inflight + world.gh.max_inflight >= 2
    assert world.repo.max_inflight <= 3 and world.gh.max_inflight <= 3


def test_jobs_one_downloads_one_at_a_time(world: World) -> None:
    assert world.run("--jobs", "1").exit_code == 0
    assert world.repo.max_inflight == 1 and world.gh.max_inflight == 1


def test_mirrors_from_the_environment(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "K8SPROV_CHART_MIRRORS", ",".join(m.removeprefix("--mirror=") for m in world.mirrors())
    )
    result = world.cli("-C", str(world.project), "update-charts", "--profile", "basic")
    assert result.exit_code == 0, result.output
    assert len(world.lock_entries()) == 4
    assert len(world.repo.requests_for("/kyverno/index.yaml")) == 1


def test_narrow_log_never_truncates_the_table(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "50")
    result = world.run("--profile", "production")
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if line.startswith("prometheus"))
    assert row.split() == [
        "prometheus-operator-crds",
        "30.0.1",
        "production",
        "69.0",
        "KiB",
        builders.sha256(world.archives[("prometheus-operator-crds", "30.0.1")])[:12],
        "downloaded",
    ]


def test_progress_bars_on_a_terminal(world: World) -> None:
    """The rich reporter (bytes per chart and overall) as a terminal would show it, and its failure line."""
    import io

    from rich.console import Console

    from k8sprov.charts.http import HttpSettings
    from k8sprov.charts.render import RichReporter, reporter_for
    from k8sprov.charts.sources import parse_mirrors
    from k8sprov.charts.vendor import Vendor, VendorOptions
    from k8sprov.project import Project

    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=120, no_color=True)
    reporter = reporter_for(console)
    assert isinstance(reporter, RichReporter)
    world.serve_archive(("argo-cd", "10.1.1"), b"not a chart", fix_digest=True)
    options = VendorOptions(
        mirrors=parse_mirrors([m.removeprefix("--mirror=") for m in world.mirrors()], None),
        http=HttpSettings(backoff=0.01),
    )
    report = Vendor(Project(world.project), options, reporter).run()
    text = screen.getvalue()
    assert "all charts" in text
    assert "kyverno 3.9.0 downloaded" in text and "prometheus-operator-crds 31.0.1 downloaded" in text
    assert "failed argo-cd 10.1.1: argo-cd-10.1.1.tgz: not a gzip archive" in text
    assert [r.pin.archive_name for r in report.failed] == ["argo-cd-10.1.1.tgz"]


def test_damaged_index_cache_is_refetched(world: World) -> None:
    assert world.run().exit_code == 0
    for cached in (world.project / ".k8sprov" / "cache" / "index").glob("*.json"):
        data = json.loads(cached.read_text())
        data["entries"] = {"kyverno": [["3.9.0"]]}  # keeps the ETag, loses the shape
        cached.write_text(json.dumps(data))
    (world.charts_dir / "kyverno-3.9.0.tgz").unlink()
    world.repo.clear_log()
    result = world.run()
    assert result.exit_code == 0, result.output
    asked = world.repo.requests_for("/kyverno/index.yaml")
    assert [r.status for r in asked] == [304, 200]
    assert (world.charts_dir / "kyverno-3.9.0.tgz").read_bytes() == world.archives[("kyverno", "3.9.0")]
