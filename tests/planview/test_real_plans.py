"""Plans made by the real Terraform 1.0.3 from fixtures/stack: counts, reasons, canary, snapshots."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from k8sprov.planview import PlanHeader, load_plan_file, summarize, to_json, to_markdown
from tests.planview.conftest import CANARY, RealPlans, check_snapshot
from tests.planview.helpers import rich_text

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
HEADER = PlanHeader(
    environment="staging",
    profile="staging",
    workspace="staging",
    terraform_version="1.0.3",
    plan_file=".k8sprov/staging/plan.tfplan",
    created_at=NOW - timedelta(minutes=7),
)


def test_creates_plan(real_plans: RealPlans) -> None:
    s = summarize(real_plans.creates)
    assert s.format_version == "0.2" and s.terraform_version == "1.0.3"
    assert s.counts["create"] == 15 and s.counts["read"] == 1
    assert sum(s.counts[k] for k in ("update", "replace", "delete", "no-op")) == 0
    assert s.has_changes
    assert {o.name: o.action for o in s.output_changes} == {
        "canary": "create",
        "greeting": "create",
        "queue_names": "create",
    }


def test_empty_plan_has_no_changes(real_plans: RealPlans) -> None:
    s = summarize(real_plans.empty)
    assert not s.has_changes
    assert s.counts["no-op"] == 15 and s.listed == ()
    assert "No changes." in rich_text(s, HEADER, now=NOW)
    assert "**No changes.**" in to_markdown(s, HEADER, now=NOW)
    assert to_json(s, HEADER)["has_changes"] is False


def test_changes_plan(real_plans: RealPlans) -> None:
    s = summarize(real_plans.changes)
    assert {k: v for k, v in s.counts.items() if v} == {
        "create": 1,
        "replace": 5,
        "delete": 4,
        "read": 1,
        "no-op": 6,
    }
    by_address = {c.address: c for c in s.changes}
    app = by_address["null_resource.app"]
    assert (app.action, app.reason, app.replace_paths) == (
        "replace",
        "replace_because_cannot_update",
        ("triggers",),
    )
    assert by_address["null_resource.tainted"].reason == "replace_because_tainted"
    assert by_address["module.child.null_resource.part[2]"].module == "module.child"
    assert by_address['null_resource.queue["beta"]'].action == "delete"
    attrs = {a.path: (a.before, a.after) for a in app.attributes}
    assert attrs["triggers.revision"] == ("v1", "v2")
    assert attrs["id"][1].value == "(known after apply)"
    outputs = {o.name: o for o in s.output_changes}
    assert outputs["greeting"].before == "hello" and outputs["greeting"].after == "hello, world"
    assert outputs["canary"].sensitive


def test_binary_plan_file_goes_through_show_json(real_plans: RealPlans) -> None:
    calls = []

    def show_json(path):  # type: ignore[no-untyped-def]
        calls.append(path)
        return real_plans.show_json(path)

    doc = load_plan_file(real_plans.changes_file, show_json)
    assert calls == [real_plans.changes_file]
    assert summarize(doc).counts == summarize(real_plans.changes).counts


def test_binary_plan_read_elsewhere_says_where_to_read_it(real_plans: RealPlans, tf_env: object, cli,
                                                           tmp_path: Path) -> None:
    """The kit's terraform cannot load the plan's providers outside the folder it was planned in."""
    elsewhere = cli("show", "--plan", str(real_plans.creates_file), cwd=tmp_path)
    assert elsewhere.exit_code == 1, elsewhere.output
    lines = elsewhere.stderr.strip().splitlines()
    assert len(lines) == 1, elsewhere.stderr
    assert "creates.tfplan" in lines[0] and "cannot load its providers" in lines[0]
    assert "folder it was planned in" in lines[0] and "--env E" in lines[0]
    assert elsewhere.stdout == ""
    # from the folder it was planned in, the same file reads fine
    there = cli("show", "--plan", str(real_plans.creates_file), cwd=real_plans.creates_file.parent)
    assert there.exit_code == 0, there.output
    assert "15 to add" in there.stdout


@pytest.mark.parametrize("which", ["creates", "changes", "empty"])
def test_canary_never_appears_in_any_output(real_plans: RealPlans, which: str) -> None:
    doc = getattr(real_plans, which)
    assert CANARY in json.dumps(doc), "the fixture must carry the canary for this test to mean anything"
    s = summarize(doc)
    outputs = {
        "summary repr": repr(s),
        "rich": rich_text(s, HEADER, now=NOW),
        "rich --detail": rich_text(s, HEADER, detail=True, now=NOW),
        "json": json.dumps(to_json(s, HEADER)),
        "markdown": to_markdown(s, HEADER, now=NOW),
        "markdown --detail": to_markdown(s, HEADER, detail=True, now=NOW),
    }
    for name, text in outputs.items():
        assert CANARY not in text, f"the sensitive canary leaked into the {name} output"
    if which != "empty":
        assert "(sensitive value)" in outputs["rich --detail"]


def test_sensitive_changes_are_visible_as_masked(real_plans: RealPlans) -> None:
    s = summarize(real_plans.creates)
    secret = next(c for c in s.changes if c.address == "null_resource.secret")
    token = next(a for a in secret.attributes if a.path == "triggers.token")
    assert token.after.value == "(sensitive value)"
    data = to_json(s, HEADER)
    entry = next(c for c in data["changes"] if c["address"] == "null_resource.secret")
    token_json = next(a for a in entry["attributes"] if a["path"] == "triggers.token")
    assert token_json == {
        "path": "triggers.token",
        "kind": "add",
        "before": None,
        "after": None,
        "after_sensitive": True,
    }
    canary_out = next(o for o in data["outputs"] if o["name"] == "canary")
    assert canary_out["sensitive"] is True and canary_out["after"] is None


def test_rich_snapshot_of_the_changes_plan(real_plans: RealPlans) -> None:
    check_snapshot("changes.rich.txt", rich_text(summarize(real_plans.changes), HEADER, now=NOW))


def test_rich_snapshot_of_the_creates_plan(real_plans: RealPlans) -> None:
    check_snapshot("creates.rich.txt", rich_text(summarize(real_plans.creates), HEADER, now=NOW))


def test_markdown_snapshot_of_the_changes_plan(real_plans: RealPlans) -> None:
    check_snapshot("changes.md", to_markdown(summarize(real_plans.changes), HEADER, now=NOW))
