"""`show --plan` refuses what is not a plan: k8sprov's own summaries, a bare format_version, a wrong shape.

A false "No changes" on a CI artefact is the worst answer the plan view can give; each case here used to
print it and exit 0.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from k8sprov.planview import JSON_FORMAT_VERSION, PlanHeader, load_plan_file, summarize, to_json
from k8sprov.planview.document_kind import (
    describe_k8sprov_document,
    is_fleet_summary,
    plan_problem,
    summary_format,
)
from tests.planview.conftest import RealPlans, corpus_files


def _never(_path: Path) -> dict[str, Any]:
    raise AssertionError("a JSON file must not go through terraform")


def _one_error_line(result: Any) -> str:
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert "No changes" not in result.output and "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    line: str = lines[0]
    assert line.startswith("error: ")
    return line


@pytest.mark.integration
def test_show_refuses_k8sprovs_own_summary_of_a_real_plan(real_plans: RealPlans, cli, tmp_path: Path) -> None:
    plan_json = tmp_path / "creates.json"
    plan_json.write_text(json.dumps(real_plans.creates))
    summary_file = tmp_path / "s.json"
    made = cli("show", "--plan", str(plan_json), "--json", str(summary_file), cwd=tmp_path)
    assert made.exit_code == 0, made.output
    assert json.loads(summary_file.read_text())["counts"]["create"] == 15

    shown = cli("show", "--plan", str(summary_file), "--json", "-", cwd=tmp_path)
    line = _one_error_line(shown)
    expected = f"it is a k8sprov plan summary (format {JSON_FORMAT_VERSION})"
    assert f"{summary_file} is not a Terraform plan: {expected}" in line
    assert "terraform show -json" in line


def test_summary_of_an_environment_names_the_command_that_shows_its_plan(cli, tmp_path: Path) -> None:
    summary = summarize(
        {
            "format_version": "1.2",
            "resource_changes": [
                {"address": "null_resource.a", "change": {"actions": ["create"], "before": None, "after": {}}}
            ],
        }
    )
    path = tmp_path / "s.json"
    path.write_text(json.dumps(to_json(summary, PlanHeader(environment="basic", profile="basic"))))
    line = _one_error_line(cli("show", "--plan", str(path), cwd=tmp_path))
    assert f"k8sprov plan summary (format {JSON_FORMAT_VERSION})" in line
    assert "`k8sprov show --env basic`" in line


@pytest.mark.parametrize(
    ("doc", "words"),
    [
        ({"format_version": "1.2"}, "none of a plan's keys"),
        (
            {"format_version": "1.2", "resource_changes": "lots"},
            "its resource_changes is a string, not a list",
        ),
        ({"environments": [{"name": "a"}], "exit_code": 2}, "k8sprov multi-environment plan summary"),
    ],
)
def test_show_refuses_documents_that_only_look_like_plans(cli, tmp_path: Path, doc: Any, words: str) -> None:
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc))
    for extra in ((), ("--json", "-")):
        line = _one_error_line(cli("show", "--plan", str(path), *extra, cwd=tmp_path))
        assert f"{path} is not a Terraform plan" in line and words in line


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_every_real_plan_in_the_corpus_still_loads(path: Path) -> None:
    assert plan_problem(load_plan_file(path, _never)) is None


@pytest.mark.integration
def test_real_terraform_1_0_plans_still_load(real_plans: RealPlans) -> None:
    for doc in (real_plans.creates, real_plans.empty, real_plans.changes):
        assert doc["format_version"] == "0.2"
        assert plan_problem(doc) is None


def test_summary_recognition_is_pure_and_reusable() -> None:
    summary = to_json(summarize({"format_version": "1.2", "planned_values": {}}), PlanHeader())
    assert summary_format(summary) == JSON_FORMAT_VERSION
    assert describe_k8sprov_document(summary) == f"k8sprov plan summary (format {JSON_FORMAT_VERSION})"
    assert summary_format({"format_version": "1.2", "planned_values": {}}) is None
    assert summary_format([summary]) is None
    assert not is_fleet_summary(summary)
    assert describe_k8sprov_document({"format_version": "1.2"}) is None
