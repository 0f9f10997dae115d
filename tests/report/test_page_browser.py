"""The HTML page in a real headless Chromium at a laptop's 1366 px: it renders, shows the tables, and
never scrolls sideways, however many environments and however long their names."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from k8sprov.report import read_summaries, to_html
from tests.kit.browser import Chromium, find_chromium
from tests.planview.helpers import objects_plan_with_unchanged_kyverno
from tests.report.conftest import Summaries, write_summary

pytestmark = pytest.mark.integration
_IN_CI = os.environ.get("CI", "").lower() == "true"  # read at import, before the autouse isolation hides it
DOCS_SCREENSHOT = Path(__file__).parents[2] / "docs" / "report.png"
REALSTACK_SUMMARY = Path(__file__).parents[1] / "realstack" / "snapshots" / "basic.json"


@pytest.fixture(scope="module")
def chromium() -> Chromium:
    found = find_chromium()
    if found is None:
        reason = "no chromium on PATH: the report page's browser tests need Debian's chromium package"
        if _IN_CI:
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return Chromium(found)


@pytest.fixture(scope="module")
def page(summaries: Summaries, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The page of docs/ci.md: basic is the real stack's first plan (its summary, as the real-stack tests
    check it), production bumps three charts and leaves kyverno alone, staging destroys nine objects."""
    folder = tmp_path_factory.mktemp("page")
    basic = json.loads(REALSTACK_SUMMARY.read_text())
    basic.update(environment="basic", profile="basic", workspace="basic")
    (folder / "basic.json").write_text(json.dumps(basic))
    write_summary(folder, "production", objects_plan_with_unchanged_kyverno())
    shutil.copy(summaries.file("staging"), folder)
    path = folder / "report.html"
    path.write_text(to_html(read_summaries([folder])), encoding="utf-8")
    return path


def _stress_folder(summaries: Summaries, folder: Path) -> Path:
    """60 environments from the real summaries, with names, modules and releases far longer than a column."""
    folder.mkdir()
    long_word = "x" * 180
    for i in range(60):
        env = ("basic", "production", "staging")[i % 3]
        data: dict[str, Any] = json.loads(summaries.file(env).read_text())
        data["environment"] = f"{env}-{i:02d}" + (f"-{long_word}" if i == 7 else "")
        data["profile"] = "a-profile-name-without-any-break-" * 3 if i == 8 else data["profile"]
        for change in data["changes"]:
            if i == 9:
                change["module"] = "module." + ".module.".join(["a-very-long-module-name"] * 12)
                change["address"] = change["module"] + "." + change["address"]
            if change.get("helm") and i % 3 == 1:  # a dozen charts: more columns than fit at 1366 px
                change["helm"]["name"] = f"{change['helm']['name']}-{i % 12}"
        (folder / f"{i:02d}.json").write_text(json.dumps(data))
    return folder


def test_page_renders_in_chromium(chromium: Chromium, page: Path, tmp_path: Path) -> None:
    png = tmp_path / "report.png"
    assert chromium.screenshot(page, png) == (1366, 900)
    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><html><body></body></html>")
    blank_png = tmp_path / "blank.png"
    chromium.screenshot(blank, blank_png)
    # a rendered report holds text, tables and colours; a blank page compresses to almost nothing
    assert png.stat().st_size > 20_000 and png.stat().st_size > 10 * blank_png.stat().st_size
    layout = chromium.layout(page)
    assert layout["tables"] >= 4 and layout["scripts"] == 0
    dom = layout["dom"]
    assert "9.5.22 → <b>9.7.1</b>" in dom and "<b>staging</b>" in dom
    assert "<td>3.8.2</td>" in dom  # kyverno, left alone in production
    assert re.search(r'<td class="new">new \d+\.\d+\.\d+</td>', dom)  # basic creates its releases
    assert "replace_because_tainted" in dom
    assert layout["scrollWidth"] <= layout["clientWidth"], layout["widest"]
    if os.environ.get("K8SPROV_UPDATE_SNAPSHOTS") == "1":  # the picture in docs/ci.md
        shutil.copy(png, DOCS_SCREENSHOT)


def test_page_never_scrolls_sideways_at_1366(chromium: Chromium, summaries: Summaries,
                                             tmp_path: Path) -> None:
    report = read_summaries([_stress_folder(summaries, tmp_path / "many")])
    assert len(report.entries) == 60 and len(report.chart_names()) >= 12
    page = tmp_path / "many.html"
    page.write_text(to_html(report), encoding="utf-8")
    layout = chromium.layout(page)
    assert layout["scrollWidth"] <= layout["clientWidth"], layout
    assert layout["right"] <= layout["innerWidth"], layout["widest"]
    assert layout["scrollHeight"] > 5 * 900  # many environments: the page grows downwards instead


def test_the_layout_check_catches_a_page_that_scrolls_sideways(chromium: Chromium, tmp_path: Path) -> None:
    wide = tmp_path / "wide.html"
    wide.write_text('<!DOCTYPE html><html><body><pre>' + "y" * 600 + "</pre></body></html>")
    layout = chromium.layout(wide)
    assert layout["scrollWidth"] > layout["clientWidth"]


def test_page_is_self_contained_and_escaped(summaries: Summaries, tmp_path: Path) -> None:
    folder = tmp_path / "evil"
    folder.mkdir()
    data = json.loads(summaries.file("production").read_text())
    data["environment"] = '<script>alert("x")</script>'
    data["changes"][0]["helm"]["name"] = "<img src=x onerror=alert(1)>"
    (folder / "evil.json").write_text(json.dumps(data))
    text = to_html(read_summaries([folder]))
    assert "<script" not in text and "<img" not in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text
    # nothing is fetched: no external scripts, styles, fonts or images
    for needle in ("<link", "src=", "@import", "url(", "http://", "https://"):
        assert needle not in text.replace("&lt;img src=x", ""), needle
