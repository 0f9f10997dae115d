"""The drift view: refresh-only plans of Terraform 1.0 (format 0.2) and 1.11 (format 1.2), made for real
against the stand-in kubernetes provider (fixtures/drift/README.md), plus hand-made edge cases."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from k8sprov.planview import JSON_FORMAT_VERSION, PlanHeader, summarize, to_json
from k8sprov.planview.drift import drift_json, drift_markdown, only_drift, render_drift_rich

SAMPLES = Path(__file__).parent / "fixtures" / "drift"
HEADER = PlanHeader(environment="basic", profile="basic", workspace="basic", terraform_version="1.11.4")
SECRET = "hunter2-drifted"


def _sample(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES / name).read_text())
    return data


@pytest.mark.parametrize("name", ["tf-1.0.3.refresh-only.json", "tf-1.11.4.refresh-only.json"])
def test_both_formats_give_the_edit_and_the_deletion(name: str) -> None:
    summary = summarize(only_drift(_sample(name)))
    assert [(c.address, c.action) for c in summary.drift] == [
        ("kubernetes_namespace_v1.a", "update"), ("kubernetes_namespace_v1.c", "delete")]
    (label,) = summary.drift[0].attributes
    assert (label.path, label.before, label.after) == ("metadata[0].labels.tier", "dev", "edited")
    doc = drift_json(summary, HEADER)
    assert doc["drift_counts"] == {"changed": 1, "deleted": 1} and doc["has_changes"] is True


def test_a_move_alone_is_no_drift() -> None:
    plan = _sample("tf-1.11.4.refresh-only.json")
    moved = [e for e in plan["resource_drift"] if e["change"]["actions"] == ["no-op"]]
    assert moved and moved[0]["previous_address"] == "kubernetes_namespace_v1.b"  # what 1.5+ writes
    plan["resource_drift"] = moved
    assert summarize(only_drift(plan)).drift == ()


def test_unchanged_update_entries_and_data_sources_are_no_drift() -> None:
    """Some 1.0-era releases list every refreshed resource as an "update", changed or not."""
    plan = _sample("tf-1.0.3.refresh-only.json")
    (edited,) = [e for e in plan["resource_drift"] if e["address"] == "kubernetes_namespace_v1.a"]
    same = copy.deepcopy(edited)
    same["address"], same["change"]["after"] = "kubernetes_namespace_v1.same", same["change"]["before"]
    data = {**copy.deepcopy(edited), "address": "data.kubernetes_namespace_v1.x", "mode": "data"}
    plan["resource_drift"] = [same, data]
    assert summarize(only_drift(plan)).drift == ()


def test_planned_changes_and_outputs_are_left_out() -> None:
    plan = _sample("tf-1.11.4.refresh-only.json")
    plan["resource_changes"] = [{**plan["resource_drift"][0], "address": "kubernetes_namespace_v1.z"}]
    plan["output_changes"] = {"o": {"actions": ["update"], "before": 1, "after": 2}}
    reduced = only_drift(plan)
    assert "resource_changes" not in reduced and "output_changes" not in reduced
    assert plan["resource_changes"]  # the input is not changed
    assert not summarize(reduced).has_changes


def test_json_is_the_plan_summary_format_marked_as_drift() -> None:
    summary = summarize(only_drift(_sample("tf-1.11.4.refresh-only.json")))
    doc = drift_json(summary, HEADER)
    plain = to_json(summary, HEADER)
    assert set(doc) == set(plain) | {"kind", "mode", "drift_counts"}
    assert (doc["kind"], doc["mode"], doc["format_version"]) == ("drift", "refresh-only", JSON_FORMAT_VERSION)
    assert doc["changes"] == [] and [c["address"] for c in doc["drift"]] == [
        "kubernetes_namespace_v1.a", "kubernetes_namespace_v1.c"]
    empty = drift_json(summarize(only_drift({**_sample("tf-1.0.3.refresh-only.json"),
                                             "resource_drift": []})), HEADER)
    assert empty["has_changes"] is False and empty["drift_counts"] == {"changed": 0, "deleted": 0}


def _sensitive_plan() -> dict[str, Any]:
    plan = _sample("tf-1.11.4.refresh-only.json")
    (edited,) = [e for e in plan["resource_drift"] if e["address"] == "kubernetes_namespace_v1.a"]
    change = edited["change"]
    change["after"]["metadata"][0]["labels"]["tier"] = SECRET
    for side in ("before_sensitive", "after_sensitive"):
        change[side]["metadata"][0]["labels"] = {"tier": True}
    plan["resource_drift"] = [edited]
    return plan


def test_a_sensitive_attribute_drifting_is_masked_everywhere() -> None:
    summary = summarize(only_drift(_sensitive_plan()))
    doc = drift_json(summary, HEADER)
    (label,) = doc["drift"][0]["attributes"]
    assert label["before_sensitive"] is True and label["after_sensitive"] is True
    assert label["before"] is None and label["after"] is None
    markdown = drift_markdown(summary, HEADER)
    out = io.StringIO()
    render_drift_rich(summary, HEADER, Console(file=out, width=100, no_color=True))
    assert SECRET not in json.dumps(doc)
    for text in (markdown, out.getvalue()):
        assert SECRET not in text and '"dev"' not in text  # neither side shown
        assert "metadata[0].labels.tier: (sensitive value) → (sensitive value)" in text


def test_markdown_and_rich_name_the_attribute_and_the_deletion() -> None:
    summary = summarize(only_drift(_sample("tf-1.0.3.refresh-only.json")))
    markdown = drift_markdown(summary, HEADER)
    assert markdown.startswith("### Drift · environment `basic` · profile `basic`\n")
    assert "Drift in basic: 1 changed, 1 deleted outside Terraform. The state was not changed." in markdown
    assert '~   metadata[0].labels.tier: "dev" → "edited"' in markdown
    assert "! kubernetes_namespace_v1.c: deleted outside Terraform" in markdown
    out = io.StringIO()
    render_drift_rich(summary, HEADER, Console(file=out, width=60, no_color=True))
    assert 'metadata[0].labels.tier: "dev" → "edited"' in out.getvalue()
    quiet = summarize(only_drift({**_sample("tf-1.0.3.refresh-only.json"), "resource_drift": []}))
    assert "No drift in basic: the objects match the state." in drift_markdown(quiet, HEADER)


def test_markdown_stays_under_its_limit() -> None:
    plan = _sample("tf-1.11.4.refresh-only.json")
    (edited,) = [e for e in plan["resource_drift"] if e["address"] == "kubernetes_namespace_v1.a"]
    plan["resource_drift"] = [{**copy.deepcopy(edited), "address": f"kubernetes_namespace_v1.n{i}"}
                              for i in range(400)]
    text = drift_markdown(summarize(only_drift(plan)), HEADER, limit=5000)
    assert len(text) <= 5000 and "cut to stay under 5,000 characters" in text
