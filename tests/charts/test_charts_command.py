"""k8sprov charts: versions per profile, drift, --json, --outdated against the loopback repositories."""

from __future__ import annotations

import json

from tests.charts import builders
from tests.charts.conftest import UPSTREAM, World


def charts(world: World, *args: str) -> object:
    return world.cli("-C", str(world.project), "charts", *args)


def test_table_shows_versions_per_profile_and_drift(world: World) -> None:
    result = charts(world)
    assert result.exit_code == 0  # type: ignore[attr-defined]
    lines = result.stdout.splitlines()  # type: ignore[attr-defined]
    assert lines[0].split() == ["chart", "basic", "staging", "production", "drift", "signature"]
    crds = ["prometheus-operator-crds", "31.0.1", "31.0.1", "30.0.1*", "drift", "unsigned"]
    assert lines[1].split() == crds
    assert lines[4].split() == ["argo-cd", "10.1.1", "10.1.1", "9.7.1*", "drift", "unsigned"]
    assert "drift between profiles: prometheus-operator-crds, kyverno, kyverno-policies, argo-cd" in (
        result.stdout
    )  # type: ignore[attr-defined]
    assert world.repo.log == []  # no network without --outdated


def test_json(world: World) -> None:
    result = charts(world, "--json")
    assert result.exit_code == 0  # type: ignore[attr-defined]
    data = json.loads(result.stdout)  # type: ignore[attr-defined]
    assert data["profiles"] == ["basic", "staging", "production"]
    kyverno = next(c for c in data["charts"] if c["name"] == "kyverno")
    assert kyverno["versions"] == {"basic": "3.9.0", "staging": "3.9.0", "production": "3.8.2"}
    assert kyverno["drift"] is True and kyverno["order"] == 2 and kyverno["namespace"] == "kyverno"
    assert [c["name"] for c in data["charts"]] == [
        "prometheus-operator-crds",
        "kyverno",
        "kyverno-policies",
        "argo-cd",
    ]


def test_outdated_ignores_prereleases(world: World) -> None:
    # argo-cd gets a newer stable release and a still newer pre-release; the others only pre-releases.
    entries = world.indexes["argo-helm"]["argo-cd"]
    entries.append(builders.index_entry("argo-cd", "10.2.0", "argo-cd-10.2.0.tgz", "0" * 64))
    entries.append(builders.index_entry("argo-cd", "11.0.0-rc.2", "argo-cd-11.0.0-rc.2.tgz", "1" * 64))
    world.publish_indexes(2)
    result = world.cli("-C", str(world.project), "charts", "--outdated", "--json", *world.mirrors())
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    data = {c["name"]: c for c in json.loads(result.stdout)["charts"]}  # type: ignore[attr-defined]
    assert data["argo-cd"]["latest"] == "10.2.0"
    assert data["argo-cd"]["outdated"] == ["basic", "production", "staging"]
    assert data["kyverno"]["latest"] == "3.9.0"  # 3.10.0-rc.1 is in the index, ignored
    assert data["kyverno"]["outdated"] == ["production"]
    assert len(world.repo.requests_for("/kyverno/index.yaml")) == 1

    table = world.cli("-C", str(world.project), "charts", "--outdated", *world.mirrors())
    assert table.exit_code == 0  # type: ignore[attr-defined]
    assert "latest" in table.stdout.splitlines()[0]  # type: ignore[attr-defined]
    assert "argo-cd (basic, production, staging < 10.2.0)" in table.stdout  # type: ignore[attr-defined]


def test_outdated_from_oci_tags(world: World) -> None:
    oci = f"oci://{world.repo.netloc}/charts"
    world.repo.tags_page_size = 1  # one tag per page: the newest is only on the last page
    world.repo.add_oci_chart("charts/kyverno", "3.10.0", builders.chart_tgz("kyverno", "3.10.0", 1000))
    world.repo.add_oci_chart(
        "charts/kyverno", "3.11.0-rc.1", builders.chart_tgz("kyverno", "3.11.0-rc.1", 1000)
    )
    result = world.cli(
        "-C",
        str(world.project),
        "charts",
        "--outdated",
        "--json",
        *[f"--mirror={url}={oci}" for url in UPSTREAM.values()],
    )
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    data = {c["name"]: c for c in json.loads(result.stdout)["charts"]}  # type: ignore[attr-defined]
    assert data["kyverno"]["latest"] == "3.10.0"
    assert data["argo-cd"]["latest"] == "10.1.1"
    pages = [
        r for r in world.repo.log if r.path.startswith("/v2/charts/kyverno/tags/list") and r.status == 200
    ]
    assert len(pages) == 4  # 3.9.0, 3.8.2, 3.10.0, 3.11.0-rc.1


def test_outdated_unreachable_is_one_line(world: World) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = world.cli(
        "-C",
        str(world.project),
        "charts",
        "--outdated",
        *[f"--mirror={url}=http://127.0.0.1:{port}/r" for url in UPSTREAM.values()],
    )
    assert result.exit_code == 1  # type: ignore[attr-defined]
    lines = result.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1
    assert lines[0].startswith(f"error: cannot reach 127.0.0.1:{port} (")


def test_missing_catalog_is_a_clear_error(tmp_path: object, cli: object) -> None:
    from pathlib import Path

    root = Path(str(tmp_path))
    (root / "terraform").mkdir()
    (root / "infra" / "envs").mkdir(parents=True)
    result = cli("-C", str(root), "charts")  # type: ignore[operator]
    assert result.exit_code == 64
    assert "terraform/modules/provision_k8s/versions.tf: file not found" in result.stderr
