"""Fault injection on the loopback server: transient faults recover, the rest fail cleanly.

Every failing case proves: exit 1, a one-line message naming the chart and the reason, no temp or unverified
file in charts/, and a lock holding only the verified archives (the seven other pins).
"""

from __future__ import annotations

import tarfile
import time

import pytest

from tests.charts import builders
from tests.charts.builders import Member
from tests.charts.conftest import World, server_path
from tests.charts.server import Fault

KEY = ("kyverno", "3.9.0")  # a relative URL on the repository server
ARGO = ("argo-cd", "10.1.1")  # absolute URL on another host, redirected
CRDS = ("prometheus-operator-crds", "31.0.1")  # absolute URL on another host


def assert_clean_failure(world: World, result: object, key: tuple[str, str], *needles: str) -> None:
    code, stderr = result.exit_code, result.stderr  # type: ignore[attr-defined]
    assert code == 1, result.output  # type: ignore[attr-defined]
    lines = stderr.strip().splitlines()
    assert lines[-1].startswith("error: 1 of 8 charts failed: ") and f"{key[0]} {key[1]}" in lines[-1], stderr
    for needle in needles:
        assert needle in lines[-1], stderr
    assert "Traceback" not in result.output  # type: ignore[attr-defined]
    assert world.leftovers() == []
    name = f"{key[0]}-{key[1]}.tgz"
    assert not (world.charts_dir / name).exists()
    entries = world.lock_entries()
    assert key not in entries
    assert len(entries) == 7
    for (chart, version), entry in entries.items():
        data = (world.charts_dir / f"{chart}-{version}.tgz").read_bytes()
        assert builders.sha256(data) == entry["sha256"] == builders.sha256(world.archives[(chart, version)])


TRANSIENT = [
    (KEY, Fault.reset(4000)),
    (KEY, Fault.truncate(4000)),
    (KEY, Fault.status(500)),
    (KEY, Fault.status(502)),
    (KEY, Fault.status(503)),
    (ARGO, Fault.reset(4000)),
    (ARGO, Fault.status(500)),
    (CRDS, Fault.truncate(20000)),
    (CRDS, Fault.reset(30000)),
]


@pytest.mark.parametrize(
    ("key", "fault"),
    TRANSIENT,
    ids=[
        "reset-mid-body",
        "truncated-body",
        "500",
        "502",
        "503",
        "redirected-reset",
        "redirected-500",
        "other-host-truncated",
        "other-host-reset",
    ],
)
def test_transient_fault_recovers(world: World, key: tuple[str, str], fault: Fault) -> None:
    server, path = server_path(world, key)
    server.fault(path, fault)
    result = world.run()
    assert result.exit_code == 0, result.output
    assert len(server.requests_for(path)) == 2  # the fault, then the retry
    assert (world.charts_dir / f"{key[0]}-{key[1]}.tgz").read_bytes() == world.archives[key]
    assert world.lock_entries()[key]["sha256"] == builders.sha256(world.archives[key])
    assert world.leftovers() == []


def test_429_honours_retry_after(world: World) -> None:
    server, path = server_path(world, KEY)
    server.fault(path, Fault.status(429, Retry_After="1"))
    started = time.monotonic()
    result = world.run()
    assert result.exit_code == 0, result.output
    stamps = server.requests_for(path)
    assert len(stamps) == 2
    assert time.monotonic() - started >= 1.0  # backoff alone is 0.01 s here: the wait came from Retry-After


def test_429_with_absurd_retry_after_fails_at_once(world: World) -> None:
    server, path = server_path(world, KEY)
    server.fault(path, Fault.status(429, Retry_After="3600"))
    result = world.run()
    assert_clean_failure(world, result, KEY, "HTTP 429", "retry after 3600s")
    assert len(server.requests_for(path)) == 1


def test_index_500_then_success(world: World) -> None:
    world.repo.fault("/kyverno/index.yaml", Fault.status(500), Fault.status(500))
    result = world.run()
    assert result.exit_code == 0, result.output
    assert len(world.repo.requests_for("/kyverno/index.yaml")) == 3


def test_slow_server_once_then_fast(world: World) -> None:
    server, path = server_path(world, KEY)
    server.fault(path, Fault.delay(1.2))
    result = world.run("--timeout", "0.6")
    assert result.exit_code == 0, result.output
    assert len(server.requests_for(path)) == 2


def test_server_slower_than_the_timeout_fails(world: World) -> None:
    server, path = server_path(world, KEY)
    server.fault(path, *[Fault.delay(1.0)] * 4)
    result = world.run("--timeout", "0.5")
    assert_clean_failure(world, result, KEY, "timed out", "after 4 attempts")
    assert len(server.requests_for(path)) == 4  # 1 + K8SPROV_HTTP_RETRIES=3, then it gives up


def test_persistent_500_gives_up_after_bounded_retries(world: World) -> None:
    server, path = server_path(world, ARGO)
    server.fault(path, *[Fault.status(500)] * 10)
    result = world.run()
    assert_clean_failure(world, result, ARGO, "HTTP 500 after 4 attempts")
    assert len(server.requests_for(path)) == 4


def test_404_is_not_retried(world: World) -> None:
    server, path = server_path(world, KEY)
    del server.routes[path]
    result = world.run()
    assert_clean_failure(world, result, KEY, "HTTP 404")
    assert len(server.requests_for(path)) == 1


def test_wrong_digest(world: World) -> None:
    world.serve_archive(KEY, world.archives[("kyverno", "3.8.2")], fix_digest=False)
    result = world.run()
    assert_clean_failure(world, result, KEY, "does not match the index digest")


def test_body_that_is_not_gzip(world: World) -> None:
    world.serve_archive(KEY, b"<html>proxy login page</html>" * 50, fix_digest=True)
    result = world.run()
    assert_clean_failure(world, result, KEY, "not a gzip archive")


def test_gzip_that_is_not_tar(world: World) -> None:
    import gzip

    world.serve_archive(KEY, gzip.compress(b"just text, no tar headers here" * 100), fix_digest=True)
    result = world.run()
    assert_clean_failure(world, result, KEY, "not a valid tar.gz")


@pytest.mark.parametrize(
    ("member", "reason"),
    [
        (Member("kyverno/../../evil.sh", b"#!/bin/sh\n"), "'..'"),
        (Member("/etc/cron.d/evil", b"* * * * * root sh\n"), "absolute path"),
        (Member("other/values.yaml", b"x: 1\n"), "outside the top folder kyverno/"),
        (
            Member("kyverno/templates/link", kind=tarfile.SYMTYPE, linkname="../../../etc/passwd"),
            "leaves kyverno/",
        ),
        (Member("kyverno/templates/hard", kind=tarfile.LNKTYPE, linkname="etc/passwd"), "leaves kyverno/"),
        (Member("kyverno/dev", kind=tarfile.CHRTYPE), "not a file, folder or link"),
    ],
    ids=["dotdot", "absolute", "second-top-folder", "symlink-out", "hardlink-out", "device"],
)
def test_hostile_archive(world: World, member: Member, reason: str) -> None:
    members = [*builders.chart_members("kyverno", "3.9.0", 2000), member]
    world.serve_archive(KEY, builders.tgz(members), fix_digest=True)
    result = world.run()
    assert_clean_failure(world, result, KEY, reason)


def test_chart_yaml_disagreeing_with_the_pin(world: World) -> None:
    world.serve_archive(KEY, builders.chart_tgz("kyverno", "3.9.1", 2000), fix_digest=True)
    result = world.run()
    assert_clean_failure(world, result, KEY, "Chart.yaml says version '3.9.1', pinned '3.9.0'")


def test_chart_yaml_naming_another_chart(world: World) -> None:
    members = builders.chart_members("kyverno", "3.9.0", 2000)
    members[0] = Member("kyverno/Chart.yaml", builders.chart_yaml("kyverno-evil", "3.9.0"))
    world.serve_archive(KEY, builders.tgz(members), fix_digest=True)
    result = world.run()
    assert_clean_failure(world, result, KEY, "Chart.yaml names chart 'kyverno-evil'")


def test_oversized_body(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    limit = 25_000  # between the small charts (kyverno ~19 KB) and the big ones (argo-cd ~29 KB, crds ~71 KB)
    monkeypatch.setenv("K8SPROV_CHART_MAX_BYTES", str(limit))
    result = world.run()
    too_big = {k for k, data in world.archives.items() if len(data) > limit}
    assert too_big and too_big != set(world.archives)
    assert result.exit_code == 1
    assert f"{len(too_big)} of 8 charts failed" in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.count(f"over the {limit}-byte limit") == len(too_big)
    assert world.leftovers() == []
    assert sorted(p.name for p in world.charts_dir.glob("*.tgz")) == sorted(
        f"{c}-{v}.tgz" for c, v in set(world.archives) - too_big
    )
    assert set(world.lock_entries()) == set(world.archives) - too_big
    # refused from Content-Length: the body was never read, so no retry either
    server, path = server_path(world, ("argo-cd", "10.1.1"))
    assert len(server.requests_for(path)) == 1


def test_republished_version_is_refused_against_the_lock(world: World) -> None:
    """The lock pins bytes (like go.sum): the same version with other bytes and a matching new digest is
    refused when the archive has to be fetched again, and nothing is downloaded for it."""
    assert world.run().exit_code == 0
    (world.charts_dir / "kyverno-3.9.0.tgz").unlink()
    republished = builders.tgz(
        [*builders.chart_members("kyverno", "3.9.0", 2000), Member("kyverno/NEW", b"x")]
    )
    world.serve_archive(KEY, republished, fix_digest=True)
    server, path = server_path(world, KEY)
    before = len(server.requests_for(path))
    result = world.run()
    assert result.exit_code == 1
    assert "differs from charts.lock's" in result.stderr
    assert "remove the entry from charts/charts.lock to accept the new bytes" in result.stderr
    assert len(server.requests_for(path)) == before  # refused before downloading
    assert not (world.charts_dir / "kyverno-3.9.0.tgz").exists()
    assert world.leftovers() == []
    genuine = builders.sha256(world.archives[KEY])
    assert world.lock_entries()[KEY]["sha256"] == genuine  # the pin on the bytes survives the failure
    again = world.run()
    assert again.exit_code == 1 and "differs from charts.lock's" in again.stderr  # and keeps refusing
    world.serve_archive(KEY, world.archives[KEY], fix_digest=True)  # the genuine bytes are back
    assert world.run().exit_code == 0
    assert (world.charts_dir / "kyverno-3.9.0.tgz").read_bytes() == world.archives[KEY]
