"""Network policy and edge cases: unreachable hosts, HTTPS only, credentials, OCI, Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.charts import builders
from tests.charts.conftest import PINS, UPSTREAM, World, server_path
from tests.charts.server import Fault


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_mirror_stops_with_one_line(world: World) -> None:
    port = closed_port()
    mirrors = [f"--mirror={url}=http://127.0.0.1:{port}/x" for url in UPSTREAM.values()]
    result = world.cli("-C", str(world.project), "update-charts", *mirrors)
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: cannot reach 127.0.0.1:{port} (")
    assert "--mirror" in lines[0]
    assert not world.charts_dir.exists() or list(world.charts_dir.iterdir()) == []


def test_name_resolution_failure_names_every_host_in_one_line(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What this machine does with the real repositories (no DNS here), without sending anything anywhere."""
    real = socket.getaddrinfo

    def no_dns(host: object, *args: object, **kwargs: object) -> object:
        if isinstance(host, str) and not host.startswith("127.") and host != "localhost":
            raise socket.gaierror(-3, "Temporary failure in name resolution")
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    result = world.cli("-C", str(world.project), "update-charts")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(
        "error: cannot reach argoproj.github.io, kyverno.github.io, prometheus-community.github.io ("
    )
    assert "name resolution" in lines[0]
    assert "Traceback" not in result.output


def test_plain_http_to_a_remote_host_is_refused(world: World) -> None:
    result = world.cli(
        "-C",
        str(world.project),
        "update-charts",
        *world.mirrors(),
        "--mirror",
        "kyverno=http://charts.example.com/kyverno",
    )
    assert result.exit_code == 64
    assert "HTTPS is required" in result.stderr and "--allow-insecure-http" in result.stderr
    assert world.repo.log == []  # refused before any request


def test_index_url_on_plain_http_remote_host_fails_that_chart(world: World) -> None:
    entry = next(e for e in world.indexes["kyverno"]["kyverno"] if e["version"] == "3.9.0")
    entry["urls"] = ["http://downloads.example.com/kyverno-3.9.0.tgz"]
    world.publish_indexes(2)
    result = world.run()
    assert result.exit_code == 1
    assert "kyverno 3.9.0: refusing http URL http://downloads.example.com/kyverno-3.9.0.tgz" in result.stderr
    assert world.leftovers() == [] and not (world.charts_dir / "kyverno-3.9.0.tgz").exists()


def test_redirect_to_plain_http_remote_host_is_refused(world: World) -> None:
    release = "/argoproj/argo-helm/releases/download/argo-cd-10.1.1/argo-cd-10.1.1.tgz"
    world.gh.redirect(release, "http://objects.example.com/argo-cd-10.1.1.tgz")
    result = world.run()
    assert result.exit_code == 1
    assert "argo-cd 10.1.1: refusing http URL http://objects.example.com/argo-cd-10.1.1.tgz" in result.stderr
    assert not (world.charts_dir / "argo-cd-10.1.1.tgz").exists()


def test_private_repository_credentials_from_env_never_printed(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "s3cr3t-Pa55"
    for path in [
        "/kyverno/index.yaml",
        *[p for k, p in world.archive_paths.items() if k[0].startswith("kyverno")],
    ]:
        world.repo.routes[path].basic_auth = ("robot", secret)
    prefix = f"K8SPROV_REPO_127_0_0_1_{world.repo.port}_"
    result = world.run(debug=True)
    assert result.exit_code == 1
    assert f"{prefix}USERNAME" in result.stderr and f"{prefix}PASSWORD" in result.stderr
    assert "HTTP 401" in result.stderr

    monkeypatch.setenv(prefix + "USERNAME", "robot")
    monkeypatch.setenv(prefix + "PASSWORD", secret)
    result = world.run(debug=True)
    assert result.exit_code == 0, result.output
    assert secret not in result.output
    assert (world.charts_dir / "kyverno-3.9.0.tgz").read_bytes() == world.archives[("kyverno", "3.9.0")]
    # sent to the repository's host only: the other host (GitHub-like) never saw an Authorization header
    assert all("authorization" not in r.headers for r in world.gh.log)


def test_credentials_in_a_mirror_url_are_not_printed(world: World) -> None:
    port = closed_port()
    result = world.cli(
        "-C",
        str(world.project),
        "update-charts",
        f"--mirror=kyverno=http://robot:hunter2@127.0.0.1:{port}/kyverno",
        *world.mirrors()[:1],
    )
    assert result.exit_code == 1
    assert "hunter2" not in result.output


def test_oci_mirror_with_token_challenge(world: World) -> None:
    oci = f"oci://{world.repo.netloc}/charts"
    result = world.cli(
        "-C",
        str(world.project),
        "update-charts",
        "--profile",
        "basic",
        *[f"--mirror={url}={oci}" for url in UPSTREAM.values()],
    )
    assert result.exit_code == 0, result.output
    manifest = "/v2/charts/kyverno/manifests/3.9.0"
    statuses = [
        (r.path.split("?")[0], r.status)
        for r in world.repo.log
        if "/kyverno/" in r.path or r.path.startswith("/token")
    ]
    assert (manifest, 401) in statuses and (manifest, 200) in statuses
    assert any(p == "/token" for p, _ in statuses)
    digest = builders.sha256(world.archives[("kyverno", "3.9.0")])
    assert (f"/v2/charts/kyverno/blobs/sha256:{digest}", 200) in statuses
    entry = world.lock_entries()[("kyverno", "3.9.0")]
    assert entry["sha256"] == digest
    assert entry["source"] == f"oci://{world.repo.netloc}/charts/kyverno:3.9.0"
    assert world.repo.requests_for("/kyverno/index.yaml") == []


def test_prefer_oci_uses_the_catalog_oci_source(world: World) -> None:
    mirrors = [
        f"--mirror=oci://ghcr.io/{p}={o}"
        for p, o in [
            (
                "prometheus-community/charts/prometheus-operator-crds",
                f"oci://{world.repo.netloc}/charts/prometheus-operator-crds",
            ),
            ("kyverno/charts/kyverno", f"oci://{world.repo.netloc}/charts/kyverno"),
            ("kyverno/charts/kyverno-policies", f"oci://{world.repo.netloc}/charts/kyverno-policies"),
            ("argoproj/argo-helm/argo-cd", f"oci://{world.repo.netloc}/charts/argo-cd"),
        ]
    ]
    result = world.cli("-C", str(world.project), "update-charts", "--prefer-oci", *mirrors)
    assert result.exit_code == 0, result.output
    assert len(world.lock_entries()) == 8
    assert not [r for r in world.repo.log if r.path.endswith("index.yaml")]


def test_oci_layer_with_wrong_bytes_fails_digest_check(world: World) -> None:
    digest = builders.sha256(world.archives[("kyverno", "3.9.0")])
    world.repo.routes[f"/v2/charts/kyverno/blobs/sha256:{digest}"].body = world.archives[("kyverno", "3.8.2")]
    result = world.cli(
        "-C",
        str(world.project),
        "update-charts",
        "--profile",
        "basic",
        f"--mirror=kyverno=oci://{world.repo.netloc}/charts",
        *world.mirrors(),
    )
    assert result.exit_code == 1
    assert "kyverno 3.9.0: kyverno-3.9.0.tgz: sha256" in result.stderr
    assert "does not match the OCI layer digest" in result.stderr
    assert world.leftovers() == [] and not (world.charts_dir / "kyverno-3.9.0.tgz").exists()


def test_version_missing_from_the_index_names_the_newest(world: World) -> None:
    world.indexes["argo-helm"]["argo-cd"] = [
        e for e in world.indexes["argo-helm"]["argo-cd"] if e["version"] != "10.1.1"
    ]
    world.publish_indexes(2)
    result = world.run("--profile", "basic")
    assert result.exit_code == 1
    assert "argo-cd 10.1.1 is not in https://argoproj.github.io/argo-helm" not in result.stderr
    assert (
        f"argo-cd 10.1.1 is not in {world.repo.url}/argo-helm/index.yaml (newest stable: 9.7.1)"
        in result.stderr
    )


@pytest.mark.parametrize(
    ("signum", "code", "word"),
    [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")],
    ids=["SIGINT", "SIGTERM"],
)
def test_signal_mid_download_leaves_no_partial_file(world: World, signum: int, code: int, word: str) -> None:
    key = ("argo-cd", "10.1.1")
    server, path = server_path(world, key)
    server.fault(path, Fault.drip(0.1))  # ~29 KiB at 1 KiB / 100 ms: ~3 s of streaming
    exe = Path(sys.executable).with_name("k8sprov")
    assert exe.exists(), exe
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.Popen(
        [str(exe), "-C", str(world.project), "update-charts", "--profile", "basic", *world.mirrors()],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    others = {f"{c}-{v}.tgz" for c, v in PINS["basic"].items() if c != "argo-cd"}
    deadline = time.monotonic() + 20
    part: list[Path] = []
    done: set[str] = set()
    while time.monotonic() < deadline and not (part and part[0].stat().st_size > 0 and done == others):
        if world.charts_dir.exists():
            part = list(world.charts_dir.glob(".argo-cd-10.1.1.tgz.*.part"))
            done = {p.name for p in world.charts_dir.glob("*.tgz")}
        time.sleep(0.02)
    assert part and done == others, "expected three archives done and argo-cd mid-body"
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == code, (out, err)
    assert word in err and "Traceback" not in err
    assert world.leftovers() == []
    assert not (world.charts_dir / "argo-cd-10.1.1.tgz").exists()
    entries = world.lock_entries()
    assert {f"{c}-{v}.tgz" for c, v in entries} == others  # what finished before Ctrl-C is locked
    for (chart, version), entry in entries.items():
        assert builders.sha256((world.charts_dir / f"{chart}-{version}.tgz").read_bytes()) == entry["sha256"]


def test_connection_refused_is_retried_less_than_server_errors() -> None:
    from k8sprov.charts.http import FetchError, Http, HttpSettings

    port = closed_port()
    settings = HttpSettings(backoff=0.01, max_backoff=0.02, retries=4, connect_retries=2)
    with Http(settings) as http, pytest.raises(FetchError) as err:
        http.get(f"http://127.0.0.1:{port}/index.yaml")
    assert err.value.unreachable and err.value.attempts == 3
    assert err.value.host == f"127.0.0.1:{port}"
    assert err.value.message.startswith(f"cannot reach 127.0.0.1:{port}: ")


def test_http_settings_defaults_are_realistic_and_env_tunable(monkeypatch: pytest.MonkeyPatch) -> None:
    from k8sprov.charts.http import HttpSettings

    for var in (
        "K8SPROV_HTTP_TIMEOUT",
        "K8SPROV_HTTP_RETRIES",
        "K8SPROV_HTTP_BACKOFF",
        "K8SPROV_HTTP_MAX_BACKOFF",
    ):
        monkeypatch.delenv(var, raising=False)
    default = HttpSettings.from_env()
    assert (default.timeout, default.connect_timeout, default.retries, default.backoff) == (
        30.0,
        10.0,
        4,
        0.5,
    )
    assert default.budget == 120.0 and default.max_archive_bytes == 50 * 1024 * 1024
    monkeypatch.setenv("K8SPROV_HTTP_TIMEOUT", "1.5")
    monkeypatch.setenv("K8SPROV_HTTP_RETRIES", "1")
    tuned = HttpSettings.from_env()
    assert (tuned.timeout, tuned.connect_timeout, tuned.retries) == (1.5, 1.5, 1)
    assert HttpSettings.from_env(timeout=0.2).timeout == 0.2  # --timeout wins


def test_token_is_not_forwarded_on_a_redirect_to_another_host(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = "ghp-very-secret-token"
    monkeypatch.setenv(f"K8SPROV_REPO_LOCALHOST_{world.gh.port}_TOKEN", token)
    result = world.run("--profile", "basic", debug=True)
    assert result.exit_code == 0, result.output
    release = "/argoproj/argo-helm/releases/download/argo-cd-10.1.1/argo-cd-10.1.1.tgz"
    (asked,) = world.gh.requests_for(release)
    assert asked.headers.get("authorization") == f"Bearer {token}"  # the host the token is for
    (followed,) = world.repo.requests_for(world.archive_paths[("argo-cd", "10.1.1")])
    assert "authorization" not in followed.headers  # dropped on the redirect to another host
    assert token not in result.output
