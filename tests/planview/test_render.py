"""Renderers: the JSON format, Markdown size limits, rich collapsing and snapshots of a platform plan."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from k8sprov.planview import JSON_FORMAT_VERSION, PlanHeader, summarize, to_json, to_markdown
from tests.planview.conftest import CANARY, check_snapshot
from tests.planview.helpers import platform_plan, rich_text, synthetic_plan

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
HEADER = PlanHeader(
    environment="production",
    profile="production",
    workspace="production",
    terraform_version="1.9.8",
    plan_file=".k8sprov/production/plan.tfplan",
    created_at=NOW - timedelta(hours=2, minutes=5),
)


def test_platform_rich_snapshot() -> None:
    check_snapshot("platform.rich.txt", rich_text(summarize(platform_plan()), HEADER, now=NOW))


def test_platform_rich_detail_snapshot() -> None:
    check_snapshot(
        "platform.detail.rich.txt", rich_text(summarize(platform_plan()), HEADER, detail=True, now=NOW)
    )


def test_platform_markdown_snapshot() -> None:
    check_snapshot("platform.md", to_markdown(summarize(platform_plan()), HEADER, now=NOW))


def test_platform_json_snapshot() -> None:
    data = to_json(summarize(platform_plan()), HEADER)
    check_snapshot("platform.json", json.dumps(data, indent=2, sort_keys=True) + "\n")


def test_rich_view_content() -> None:
    out = rich_text(summarize(platform_plan()), HEADER, now=NOW)
    # the header, the counts, destructive changes first, then modules, helm table with the bump
    assert out.index("environment production") < out.index("Plan: ") < out.index("Destructive changes (2)")
    assert out.index("Destructive changes") < out.index("Changes by module") < out.index("Helm releases (4)")
    assert "3.8.2 → 3.9.0" in out and "30.0.1 → 31.0.1" in out
    assert "changed (sensitive)" in out
    assert "admissionController.replicas: 1 → 3" in out
    assert "(2 hours ago)" in out
    assert "null_resource.old_name → null_resource.renamed" in out
    assert "Changed outside Terraform (1)" in out
    assert "1 to import" in out and "1 moved" in out and "1 drifted" in out
    assert "argocd_url: (known after apply)" in out


def test_every_output_masks_the_platform_secrets() -> None:
    s = summarize(platform_plan())
    for text in (
        rich_text(s, HEADER, detail=True),
        rich_text(s, HEADER),
        json.dumps(to_json(s, HEADER)),
        to_markdown(s, HEADER),
        to_markdown(s, HEADER, detail=True),
        repr(s),
    ):
        assert CANARY[:13] not in text  # "CANARY-s3cr3t"


def test_json_format_is_versioned_and_complete() -> None:
    data = to_json(summarize(platform_plan()), HEADER)
    assert data["format_version"] == JSON_FORMAT_VERSION == "1.2"
    assert set(data) == {
        "format_version",
        "environment",
        "profile",
        "workspace",
        "terraform_version",
        "plan_file",
        "created_at",
        "plan",
        "has_changes",
        "counts",
        "changes",
        "drift",
        "outputs",
        "diagnostics",
        "notes",
    }
    assert data["environment"] == "production"
    assert set(data["counts"]) >= {
        "create",
        "update",
        "replace",
        "delete",
        "read",
        "no-op",
        "forget",
        "import",
        "drift",
        "moves",
    }
    change_keys = {
        "address",
        "module",
        "mode",
        "type",
        "name",
        "index",
        "provider",
        "action",
        "actions",
        "reason",
        "replace_paths",
        "previous_address",
        "importing",
        "import_id",
        "deposed",
        "attributes",
    }
    for change in data["changes"]:
        assert change_keys <= set(change)
    kyverno = next(c for c in data["changes"] if c["address"].endswith("helm_release.kyverno"))
    assert kyverno["helm"]["version_before"] == "3.8.2" and kyverno["helm"]["version_after"] == "3.9.0"
    assert kyverno["helm"]["values"][0]["changes"][0] == {
        "path": "admissionController.container.resources.limits.memory",
        "kind": "change",
        "before": "384Mi",
        "after": "512Mi",
    }
    argo = next(c for c in data["changes"] if c["address"].endswith("helm_release.argo_cd"))
    assert argo["helm"]["values_sensitive"] is True
    assert [d["status"] for d in argo["helm"]["values"]] == ["changed", "sensitive"]
    ns = next(c for c in data["changes"] if c["address"].endswith('this["kyverno"]'))
    assert ns["namespace"]["labels"] == [
        {"path": "pod-security.kubernetes.io/enforce", "kind": "add", "before": None, "after": "restricted"}
    ]
    url = next(o for o in data["outputs"] if o["name"] == "argocd_url")
    assert url["after_unknown"] is True and url["after"] is None
    json.dumps(data)  # serialisable as is


def _balanced(md: str) -> None:
    assert md.count("<details>") == md.count("</details>")
    assert len(re.findall(r"^```", md, flags=re.M)) % 2 == 0


@pytest.mark.parametrize("limit", [400, 3000, 20000, 65000])
def test_markdown_stays_under_the_limit_with_an_explicit_note(limit: int) -> None:
    s = summarize(synthetic_plan(20_000, modules=400, helm=30))
    md = to_markdown(s, HEADER, limit=limit)
    assert len(md) <= limit
    assert "Cut to stay under" in md or limit == 400  # a 400-char limit only has room for the header
    if limit >= 3000:
        assert f"Cut to stay under {limit:,} characters" in md
        assert "Run `k8sprov show --env production` for the full plan." in md
        _balanced(md)


def test_markdown_summary_comes_first_and_details_collapse() -> None:
    md = to_markdown(summarize(platform_plan()), HEADER, now=NOW)
    assert md.index("**Plan:**") < md.index("destructive change") < md.index("<details>")
    assert "3.8.2 → **3.9.0**" in md
    assert "Cut to stay" not in md
    _balanced(md)


def test_markdown_escapes_table_cells() -> None:
    doc = synthetic_plan(0)
    doc["resource_changes"] = [
        {
            "address": 'null_resource.a["x|y`z"]',
            "type": "null_resource",
            "name": "a",
            "change": {"actions": ["delete"], "before": {}, "after": None},
        }
    ]
    md = to_markdown(summarize(doc), PlanHeader())
    row = next(line for line in md.splitlines() if "null_resource.a" in line and line.startswith("|"))
    assert "x\\|y`z" in row and row.count(" | ") == 3


def test_rich_collapses_a_10000_change_plan() -> None:
    s = summarize(synthetic_plan(10_000))
    out = rich_text(s, PlanHeader(environment="big"))
    lines = out.splitlines()
    assert len(lines) < 120
    assert "… and 9,980 more in this module" in out
    assert "Destructive changes (3,334)" in out and "… and 3,314 more destructive changes" in out
    detail = rich_text(s, PlanHeader(environment="big"), detail=True)
    assert len(detail.splitlines()) < 1200 and "… and 9,900 more in this module" in detail


def test_rich_collapses_many_modules() -> None:
    out = rich_text(summarize(synthetic_plan(5_000, modules=100)), PlanHeader())
    assert "… and 60 more modules with 3,000 changes" in out


def test_rich_output_is_deterministic_at_a_fixed_width() -> None:
    s = summarize(platform_plan())
    first = rich_text(s, HEADER, now=NOW, width=100)
    assert first == rich_text(s, HEADER, now=NOW, width=100)
    assert max(len(line) for line in first.splitlines()) <= 100
    assert "\x1b[" not in first


def test_errored_plan_renders_its_diagnostics() -> None:
    doc = {
        "format_version": "1.2",
        "errored": True,
        "resource_changes": [],
        "diagnostics": [
            {
                "severity": "error",
                "summary": "Unsupported argument",
                "detail": 'An argument named "foo" is not expected here.',
                "range": {"filename": "main.tf", "start": {"line": 3}},
            }
        ],
    }
    s = summarize(doc)
    out = rich_text(s, PlanHeader())
    assert "This plan errored" in out and "Unsupported argument" in out and "main.tf:3" in out
    assert "No changes" not in out
    md = to_markdown(s, PlanHeader())
    assert "This plan errored" in md and "Unsupported argument" in md
    assert to_json(s, PlanHeader())["diagnostics"][0]["address"] == "main.tf:3"


def test_detail_shows_multiline_strings_as_a_line_diff() -> None:
    old = "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: '1'\n  b: '2'\n"
    new = old.replace("a: '1'", "a: '3'")
    doc = synthetic_plan(0)
    doc["resource_changes"] = [
        {
            "address": "kubectl_manifest.cm",
            "type": "kubectl_manifest",
            "name": "cm",
            "change": {"actions": ["update"], "before": {"yaml_body": old}, "after": {"yaml_body": new}},
        }
    ]
    s = summarize(doc)
    out = rich_text(s, PlanHeader(), detail=True)
    assert "~ yaml_body:" in out and "-  a: '1'" in out and "+  a: '3'" in out
    assert "kind: ConfigMap" not in out  # only changed lines and one line of context
    md = to_markdown(s, PlanHeader(), detail=True)
    assert "-             a: '1'" in md and "+             a: '3'" in md
