"""Pure parts of the report: chart names from a release's chart, names of summaries without one, and the
cap that keeps a huge summary's lists bounded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from k8sprov.report import read_summaries, to_html, to_json, to_markdown
from k8sprov.report.model import LIST_CAP
from k8sprov.report.read import chart_name
from tests.report.conftest import Summaries

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(("chart", "name"), [
    ("./../charts/argo-cd-9.7.1.tgz", "argo-cd"),
    ("./../charts/kyverno-policies-3.9.0-rc.1.tgz", "kyverno-policies"),
    ("prometheus-operator-crds-31.0.1.tgz", "prometheus-operator-crds"),
    ("oci://ghcr.io/kyverno/charts/kyverno", "kyverno"),
    ("kyverno", "kyverno"),
    ("odd.tgz", "odd"),
    (None, None),
])
def test_chart_name(chart: str | None, name: str | None) -> None:
    assert chart_name(chart) == name


def test_a_summary_without_environment_is_named_after_its_file(summaries: Summaries, tmp_path: Path) -> None:
    data = json.loads(summaries.file("production").read_text())
    data["environment"] = None  # what `show --plan FILE --json` of a plan made elsewhere writes
    (tmp_path / "edge-9.json").write_text(json.dumps(data))
    assert [e.name for e in read_summaries([tmp_path]).entries] == ["edge-9"]


def test_huge_summaries_keep_bounded_lists_and_say_so(summaries: Summaries, tmp_path: Path) -> None:
    data = json.loads(summaries.file("staging").read_text())
    data["changes"] = data["changes"] * 25  # 225 destructive changes among 250
    (tmp_path / "staging.json").write_text(json.dumps(data))
    report = read_summaries([tmp_path])
    (entry,) = report.entries
    assert entry.destructive_total == 225 and len(entry.destructive) == LIST_CAP
    assert entry.omitted == {"destructive": 25}
    merged = to_json(report)
    assert merged["totals"]["destructive"] == 225
    assert merged["environments"][0]["omitted"] == {"destructive": 25}
    assert "… 25 more" in to_html(report)
    text = to_markdown(report)
    assert "### ⚠️ Destructive changes (225)" in text and "Left out of this summary: 25 destructive" in text


def test_the_page_shows_a_failed_plan(summaries: Summaries, tmp_path: Path) -> None:
    data = json.loads(summaries.file("staging").read_text())
    error = "terraform init failed: backend unreachable — check infra/backends/x.hcl"
    data.update(status="failed", error=error, changes=[], counts={}, has_changes=None, plan=None)
    (tmp_path / "x.json").write_text(json.dumps(data))
    page = to_html(read_summaries([tmp_path]))
    assert '<span class="bad">failed</span>' in page
    assert error in page
    assert "<details open>" in page  # a failed environment's details are open


def test_a_file_named_twice_is_read_once(summaries: Summaries) -> None:
    again = summaries.folder / "." / "staging.json"
    report = read_summaries([summaries.folder, summaries.file("staging"), again])
    assert [e.name for e in report.entries] == ["basic", "production", "staging"]


def test_unchanged_releases_show_their_version(tmp_path: Path) -> None:
    from tests.planview.helpers import objects_plan_with_unchanged_kyverno
    from tests.report.conftest import write_summary

    write_summary(tmp_path, "production", objects_plan_with_unchanged_kyverno())
    report = read_summaries([tmp_path])
    (entry,) = report.entries
    kyverno = next(r for r in entry.releases if r["name"] == "kyverno")
    assert kyverno["action"] == "no-op"
    assert (kyverno["version_before"], kyverno["version_after"]) == ("3.8.2", "3.8.2")
    assert report.chart_names() == ["argo-cd", "kyverno", "kyverno-policies", "prometheus-operator-crds"]
    assert "<td>3.8.2</td>" in to_html(report)
    text = to_markdown(report)
    assert "**Unchanged releases**: kyverno 3.8.2" in text and "| kyverno | kyverno |" not in text


def test_thousands_of_environments_still_fit_one_comment(tmp_path: Path) -> None:
    rows = [{"name": f"cluster-{i:04d}", "status": "changes", "error": None,
             "counts": {"create": 1, "update": 2, "replace": 0, "delete": 0}} for i in range(1500)]
    (tmp_path / "fleet.json").write_text(json.dumps({"environments": rows, "exit_code": 0}))
    report = read_summaries([tmp_path])
    assert report.totals()["update"] == 3000
    text = to_markdown(report)
    assert len(text) <= 65_000 and text.startswith("<!-- k8sprov-report -->")
    assert "**Cut here** to stay under GitHub's 65,536-character comment limit" in text
