"""Unit tests of the pure pieces: versions, URLs and mirrors, lock diff, archive checks, retry helpers."""

from __future__ import annotations

import random
import re
import tarfile
from pathlib import Path

import pytest

from k8sprov.charts import archive, catalog, lock, sources, versions
from k8sprov.charts.classic import parse_index
from k8sprov.charts.http import FetchError, backoff_delay, retry_after_seconds
from k8sprov.charts.index_model import normalize_digest
from k8sprov.charts.model import ChartSpec, LockEntry, Pin
from k8sprov.charts.oci import CHART_LAYER, chart_layer, next_page, parse_challenge
from k8sprov.errors import ChartError, ProjectError, UsageError
from tests.charts import builders
from tests.charts.builders import Member

REPO_ROOT = Path(__file__).resolve().parents[2]

# -- versions -------------------------------------------------------------------------------------------


def test_newest_stable_ignores_prereleases_and_junk() -> None:
    assert versions.newest_stable(["3.9.0", "3.10.0-rc.1", "3.8.2", "latest", "3.9.1-beta"]) == "3.9.0"
    assert versions.newest_stable(["9.7.1", "10.1.1", "10.0.0"]) == "10.1.1"  # numeric, not lexical
    assert versions.newest_stable(["v1.2.3", "1.2.4+build.5"]) == "1.2.4+build.5"
    assert versions.newest_stable(["1.0.0-rc.1"]) is None


def test_semver_ordering() -> None:
    order = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1"]
    keys = [versions.parse(v) for v in order]
    assert all(k is not None for k in keys)
    assert keys == sorted(keys)  # type: ignore[type-var]
    assert versions.parse("not.a.version") is None


def test_same_version_tolerates_a_v_prefix() -> None:
    assert versions.same_version("v3.9.0", "3.9.0")
    assert not versions.same_version("3.9.0", "3.9.1")


# -- urls, mirrors, security ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("repo", "url", "expected"),
    [
        (
            "https://kyverno.github.io/kyverno/",
            "kyverno-3.9.0.tgz",
            "https://kyverno.github.io/kyverno/kyverno-3.9.0.tgz",
        ),
        (
            "https://kyverno.github.io/kyverno",
            "kyverno-3.9.0.tgz",
            "https://kyverno.github.io/kyverno/kyverno-3.9.0.tgz",
        ),
        ("https://h/charts", "sub/x-1.tgz", "https://h/charts/sub/x-1.tgz"),
        ("https://h/charts/stable", "../x-1.tgz", "https://h/charts/x-1.tgz"),
        ("https://h/charts", "/root/x-1.tgz", "https://h/root/x-1.tgz"),
        (
            "https://argoproj.github.io/argo-helm",
            "https://github.com/argoproj/argo-helm/releases/download/argo-cd-10.1.1/argo-cd-10.1.1.tgz",
            "https://github.com/argoproj/argo-helm/releases/download/argo-cd-10.1.1/argo-cd-10.1.1.tgz",
        ),
        ("https://h/charts", "//cdn.example.org/x-1.tgz", "https://cdn.example.org/x-1.tgz"),
    ],
)
def test_resolve_chart_url_rfc3986(repo: str, url: str, expected: str) -> None:
    assert sources.resolve_chart_url(repo, url) == expected


SPEC = ChartSpec(
    key="kyverno",
    chart="kyverno",
    repository="https://kyverno.github.io/kyverno/",
    oci="oci://ghcr.io/kyverno/charts/kyverno",
)


def test_mirror_by_repository_url_and_by_chart_name() -> None:
    by_repo = sources.parse_mirrors(["https://kyverno.github.io/kyverno=https://mirror.corp/kyverno/"], None)
    assert sources.choose_source(SPEC, by_repo) == sources.Source(
        "classic", "https://mirror.corp/kyverno", True
    )
    both = sources.parse_mirrors(
        ["kyverno=oci://registry.corp/charts"],
        "https://kyverno.github.io/kyverno/=https://mirror.corp/kyverno",
    )
    assert sources.choose_source(SPEC, both) == sources.Source(
        "oci", "oci://registry.corp/charts/kyverno", True
    )


def test_cli_mirror_overrides_env_and_env_splits_on_commas_and_spaces() -> None:
    mirrors = sources.parse_mirrors(
        ["kyverno=https://b"], "kyverno=https://a, argo-cd=https://c argo=https://d"
    )
    assert mirrors == {"kyverno": "https://b", "argo-cd": "https://c", "argo": "https://d"}


@pytest.mark.parametrize("bad", ["kyverno", "=https://x", "kyverno=", "kyverno=ftp://x"])
def test_bad_mirror_is_a_usage_error(bad: str) -> None:
    with pytest.raises(UsageError):
        sources.parse_mirrors([bad], None)


def test_sources_without_mirrors() -> None:
    assert sources.choose_source(SPEC, {}) == sources.Source("classic", "https://kyverno.github.io/kyverno")
    assert sources.choose_source(SPEC, {}, prefer_oci=True) == sources.Source(
        "oci", "oci://ghcr.io/kyverno/charts/kyverno"
    )  # chart already at the end: not appended twice
    oci_only = ChartSpec(key="x", chart="x", repository="oci://ghcr.io/org/charts")
    assert sources.choose_source(oci_only, {}) == sources.Source("oci", "oci://ghcr.io/org/charts/x")


def test_oci_ref() -> None:
    ref = sources.OciRef.parse("oci://127.0.0.1:5000/charts/kyverno")
    assert (ref.host, ref.repository) == ("127.0.0.1:5000", "charts/kyverno")
    assert ref.tag("1.0.0+build.1") == "1.0.0_build.1"
    with pytest.raises(UsageError):
        sources.OciRef.parse("oci://hostonly")


@pytest.mark.parametrize(
    ("url", "insecure", "ok"),
    [
        ("https://charts.example.org/index.yaml", False, True),
        ("http://127.0.0.1:8080/index.yaml", False, True),
        ("http://127.8.9.10/index.yaml", False, True),
        ("http://[::1]:8080/index.yaml", False, True),
        ("http://localhost/index.yaml", False, True),
        ("http://charts.example.org/index.yaml", False, False),
        ("http://charts.example.org/index.yaml", True, True),
        ("http://127.0.0.1.example.org/index.yaml", False, False),
        ("ftp://charts.example.org/x.tgz", True, False),
    ],
)
def test_https_policy(url: str, insecure: bool, ok: bool) -> None:
    if ok:
        sources.check_secure(url, allow_insecure_http=insecure)
    else:
        with pytest.raises(UsageError, match="HTTPS is required"):
            sources.check_secure(url, allow_insecure_http=insecure)


def test_redact_and_credentials() -> None:
    assert sources.redact("get https://bob:pw@h/x and oci://t@r/y") == "get https://h/x and oci://r/y"
    assert sources.credential_prefix("ghcr.io") == "K8SPROV_REPO_GHCR_IO_"
    assert sources.credential_prefix("127.0.0.1:5000") == "K8SPROV_REPO_127_0_0_1_5000_"
    env = {"K8SPROV_REPO_GHCR_IO_USERNAME": "u", "K8SPROV_REPO_GHCR_IO_PASSWORD": "pw"}
    creds = sources.credentials_for("ghcr.io", env)
    assert creds is not None and creds.password == "pw"
    assert "pw" not in repr(creds)
    assert sources.credentials_for("ghcr.io", {"K8SPROV_REPO_GHCR_IO_USERNAME": "u"}) is None
    assert sources.credentials_for("x.io", {"K8SPROV_REPO_X_IO_TOKEN": "t"}) is not None


# -- retry helpers, OCI, index --------------------------------------------------------------------------


def test_retry_after() -> None:
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None
    assert retry_after_seconds("Thu, 01 Jan 2026 00:00:30 GMT", now=1767225600.0) == pytest.approx(30.0)


def test_backoff_is_jittered_and_capped() -> None:
    rng = random.Random(1)
    delays = [backoff_delay(n, 0.5, 4.0, rng) for n in range(10)]
    assert all(0 <= d <= min(4.0, 0.5 * 2**n) for n, d in enumerate(delays))
    assert len(set(delays)) == len(delays)


def test_parse_challenge() -> None:
    scheme, params = parse_challenge(
        'Bearer realm="https://ghcr.io/token",service="ghcr.io",'
        'scope="repository:kyverno/charts/kyverno:pull"'
    )
    assert scheme == "bearer"
    assert params == {
        "realm": "https://ghcr.io/token",
        "service": "ghcr.io",
        "scope": "repository:kyverno/charts/kyverno:pull",
    }


def test_chart_layer() -> None:
    digest = "a" * 64
    manifest = {
        "layers": [
            {"mediaType": "application/x", "digest": "sha256:" + "b" * 64},
            {"mediaType": CHART_LAYER, "digest": "sha256:" + digest, "size": 12},
        ]
    }
    layer = chart_layer(manifest, "oci://r/x:1", "r")
    assert (layer.digest, layer.size) == (digest, 12)
    with pytest.raises(FetchError, match=re.escape("no application/vnd.cncf.helm.chart.content")):
        chart_layer({"layers": []}, "oci://r/x:1", "r")
    with pytest.raises(FetchError, match="not sha256"):
        chart_layer({"layers": [{"mediaType": CHART_LAYER, "digest": "sha512:abc"}]}, "oci://r/x:1", "r")


def test_parse_index_keeps_what_vendoring_needs() -> None:
    entries = {
        "argo-cd": [
            builders.index_entry("argo-cd", "10.1.1", "https://gh/a.tgz", "ab" * 32, prefix="sha256:")
        ]
    }
    index = parse_index(builders.index_yaml(entries), "https://r")
    (entry,) = index["argo-cd"]
    assert entry.version == "10.1.1" and entry.urls == ("https://gh/a.tgz",) and entry.digest == "ab" * 32
    assert normalize_digest("SHA256:ABCD") == "abcd" and normalize_digest("") is None
    with pytest.raises(FetchError, match="not valid YAML"):
        parse_index(b"entries: [unclosed", "https://r")
    with pytest.raises(FetchError, match="no entries"):
        parse_index(b"apiVersion: v1\n", "https://r")


# -- lock -----------------------------------------------------------------------------------------------


def entry(name: str, version: str, data: bytes) -> LockEntry:
    return LockEntry(name, version, f"https://r/{name}-{version}.tgz", builders.sha256(data), len(data))


def test_lock_is_sorted_stable_and_round_trips(tmp_path: Path) -> None:
    entries = [
        entry("kyverno", "3.9.0", b"b"),
        entry("argo-cd", "9.7.1", b"a"),
        entry("argo-cd", "10.1.1", b"c"),
    ]
    lock.write_lock(tmp_path, entries)
    text = (tmp_path / "charts.lock").read_text()
    assert text == lock.render_lock(reversed(entries))
    import json

    data = json.loads(text)
    assert list(data) == ["version", "charts"]
    assert [(e["name"], e["version"]) for e in data["charts"]] == [
        ("argo-cd", "10.1.1"),
        ("argo-cd", "9.7.1"),
        ("kyverno", "3.9.0"),
    ]
    assert list(data["charts"][0]) == ["name", "version", "source", "sha256", "size"]
    assert set(lock.read_lock(tmp_path).values()) == set(entries)
    assert [p.name for p in tmp_path.iterdir()] == ["charts.lock"]  # no temp file left


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        '{"version": 2, "charts": []}',
        '{"version": 1, "charts": [{"name": "x"}]}',
        '{"version": 1, "charts": [{"name": "x", "version": "1", "source": "s", '
        '"sha256": "ABC", "size": 1}]}',
    ],
)
def test_malformed_lock_is_a_chart_error(tmp_path: Path, text: str) -> None:
    (tmp_path / "charts.lock").write_text(text)
    with pytest.raises(ChartError):
        lock.read_lock(tmp_path)


def test_diff_lock() -> None:
    spec = ChartSpec("a", "a", "https://r")
    pins = [
        Pin(spec, "1.0.0", ("basic",)),
        Pin(spec, "2.0.0", ("production",)),
        Pin(spec, "3.0.0", ("staging",)),
    ]
    locked = {("a", "1.0.0"): entry("a", "1.0.0", b"one"), ("a", "2.0.0"): entry("a", "2.0.0", b"two")}
    disk = {
        "a-1.0.0.tgz": (3, builders.sha256(b"one")),
        "a-2.0.0.tgz": (3, builders.sha256(b"TWO")),
        "a-0.1.0.tgz": (1, "0" * 64),
    }
    diff = lock.diff_lock(pins, locked, disk, all_pinned={p.archive_name for p in pins})
    assert (diff.ok, diff.mismatched, diff.missing, diff.unpinned) == (
        ["a-1.0.0.tgz"],
        ["a-2.0.0.tgz"],
        ["a-3.0.0.tgz"],
        ["a-0.1.0.tgz"],
    )
    assert not diff.clean
    assert lock.diff_lock(pins[:1], locked, disk).clean  # unpinned not checked without all_pinned


# -- archive checks -------------------------------------------------------------------------------------


def write(tmp_path: Path, members: list[Member]) -> Path:
    path = tmp_path / "x.tgz"
    path.write_bytes(builders.tgz(members))
    return path


def test_good_archive_passes(tmp_path: Path) -> None:
    archive.check_archive(
        write(tmp_path, builders.chart_members("kyverno", "3.10.0", 500)), "kyverno", "3.10.0"
    )


def test_version_310_is_not_read_as_a_float(tmp_path: Path) -> None:
    members = builders.chart_members("kyverno", "3.10", 500)
    members[0] = Member("kyverno/Chart.yaml", b"apiVersion: v2\nname: kyverno\nversion: 3.10\n")
    archive.check_archive(write(tmp_path, members), "kyverno", "3.10")


def test_link_inside_the_chart_is_fine(tmp_path: Path) -> None:
    members = [
        *builders.chart_members("c", "1.0.0", 100),
        Member("c/templates/alias.yaml", kind=tarfile.SYMTYPE, linkname="configmap.yaml"),
        Member("c/copy.yaml", kind=tarfile.LNKTYPE, linkname="c/values.yaml"),
    ]
    archive.check_archive(write(tmp_path, members), "c", "1.0.0")


@pytest.mark.parametrize(
    ("limits", "reason"),
    [
        (archive.Limits(max_entries=3), "more than 3 entries"),
        (archive.Limits(max_entry_bytes=100), "limit 100"),
        (archive.Limits(max_total_bytes=200), "unpacks to more than 200 bytes"),
    ],
)
def test_size_limits(tmp_path: Path, limits: archive.Limits, reason: str) -> None:
    with pytest.raises(archive.ArchiveError, match=reason):
        archive.check_archive(
            write(tmp_path, builders.chart_members("c", "1.0.0", 2000)), "c", "1.0.0", limits
        )


def test_missing_chart_yaml_and_empty_archive(tmp_path: Path) -> None:
    with pytest.raises(archive.ArchiveError, match=re.escape("no c/Chart.yaml")):
        archive.check_archive(write(tmp_path, [Member("c/values.yaml", b"x: 1\n")]), "c", "1.0.0")
    with pytest.raises(archive.ArchiveError, match="empty archive"):
        archive.check_archive(write(tmp_path, []), "c", "1.0.0")


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("/abs", "absolute path"),
        ("C:/x", "absolute path"),
        ("c/../../x", "'..'"),
        ("d/x", "outside the top"),
        ("c/ok", None),
        ("c", None),
    ],
)
def test_member_names(name: str, reason: str | None) -> None:
    why = archive.check_member_name(name, "c")
    assert (why is None) if reason is None else (why is not None and reason in why)


# -- catalog --------------------------------------------------------------------------------------------


def test_catalog_pins_group_profiles() -> None:
    data = {
        "locals": [
            {
                "chart_catalog": {
                    "b": {"repository": "https://r", "order": 2},
                    "a": {"repository": "https://r", "order": 1},
                },
                "chart_versions": {"production": {"a": "1", "b": "2"}, "basic": {"a": "1", "b": "3"}},
            }
        ]
    }
    cat = catalog.parse_catalog(data, "versions.tf")
    assert list(cat.charts) == ["a", "b"]
    assert cat.profiles == ["basic", "production"]
    assert [(p.name, p.version, p.profiles) for p in cat.pins()] == [
        ("a", "1", ("basic", "production")),
        ("b", "2", ("production",)),
        ("b", "3", ("basic",)),
    ]
    assert cat.pinned_archives() == {"a-1.tgz", "b-2.tgz", "b-3.tgz"}


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"locals": [{"chart_catalog": {}}]}, "needs locals chart_catalog and chart_versions"),
        ({"locals": [{"chart_catalog": {"a": {}}, "chart_versions": {}}]}, "has no repository"),
        (
            {
                "locals": [
                    {
                        "chart_catalog": {"a": {"repository": "https://r"}},
                        "chart_versions": {"basic": {"z": "1"}},
                    }
                ]
            },
            "pins 'z', which is not in chart_catalog",
        ),
    ],
)
def test_catalog_errors(data: dict[str, object], reason: str) -> None:
    with pytest.raises(ProjectError, match=reason):
        catalog.parse_catalog(data, "versions.tf")


def test_the_real_versions_tf_is_a_valid_catalog() -> None:
    """The stack's versions.tf: every pin in the catalog, the charts of the design, install order 1..n."""
    from k8sprov.hcl import load_hcl

    path = REPO_ROOT / "terraform" / "modules" / "provision_k8s" / "versions.tf"
    assert path.is_file(), "terraform/modules/provision_k8s/versions.tf is missing"
    cat = catalog.parse_catalog(load_hcl(path), str(path))
    assert set(cat.charts) == {"prometheus-operator-crds", "kyverno", "kyverno-policies", "argo-cd"}
    assert {"basic", "staging", "production"} <= set(cat.profiles)
    assert [c.order for c in cat.charts.values()] == sorted(c.order for c in cat.charts.values())
    for spec in cat.charts.values():
        assert spec.repository.startswith(("https://", "oci://"))
    for profile in cat.profiles:
        assert cat.versions[profile]["kyverno"] == cat.versions[profile]["kyverno-policies"]  # lockstep


def test_catalog_cache_follows_the_file(tmp_path: Path) -> None:
    from k8sprov.project import Project
    from tests.charts.conftest import make_project

    root = make_project(
        tmp_path / "p",
        {"a": {"repository": "https://r", "chart": "a", "order": 1}},
        {"basic": {"a": "1.0.0"}},
    )
    project = Project(root)
    assert catalog.load_catalog(project).versions == {"basic": {"a": "1.0.0"}}
    assert (root / ".k8sprov" / "cache" / "catalog.json").is_file()
    tf = project.chart_catalog_file
    tf.write_text(tf.read_text().replace('"1.0.0"', '"1.0.10"'))
    assert catalog.load_catalog(project).versions == {"basic": {"a": "1.0.10"}}


def test_next_page_of_a_tag_list() -> None:
    link = '</v2/charts/kyverno/tags/list?last=3.9.0&n=100>; rel="next"'
    assert next_page(link, "charts/kyverno") == "tags/list?last=3.9.0&n=100"
    assert next_page("<https://r.example/v2/a/b/tags/list?last=x>; rel=next", "a/b") == "tags/list?last=x"
    assert next_page(None, "a") is None and next_page('<x>; rel="prev"', "a") is None
