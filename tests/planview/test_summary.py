"""The pure summary model, on hand-written plan JSON shaped like real Terraform/OpenTofu output."""

from __future__ import annotations

import json
from typing import Any

import pytest

from k8sprov.errors import PlanError
from k8sprov.planview import PlanSummary, summarize
from k8sprov.planview.model import Mark
from k8sprov.planview.summary import _module_of
from tests.planview.helpers import objects_plan_with_unchanged_kyverno, plan, rc


def _attrs(summary: PlanSummary, address: str) -> dict[str, tuple[Any, Any]]:
    (change,) = [c for c in summary.changes if c.address == address]
    return {a.path: (a.before, a.after) for a in change.attributes}


def test_counts_every_action_including_both_replace_orders() -> None:
    s = summarize(
        plan(
            rc("null_resource.c", ["create"], None, {"triggers": {"a": "1"}}),
            rc("null_resource.u", ["update"], {"x": 1}, {"x": 2}),
            rc("null_resource.r1", ["delete", "create"], {"x": 1}, {"x": 2}),
            rc("null_resource.r2", ["create", "delete"], {"x": 1}, {"x": 2}),
            rc("null_resource.d", ["delete"], {"x": 1}, None),
            rc("data.null_data_source.r", ["read"], None, {"x": 1}, mode="data"),
            rc("null_resource.n", ["no-op"], {"x": 1}, {"x": 1}),
            rc("null_resource.f", ["forget"], {"x": 1}, None),
            rc("null_resource.i", ["no-op"], {"x": 1}, {"x": 1}, change_importing={"id": "abc"}),
        )
    )
    assert dict(s.counts) == {
        "create": 1,
        "update": 1,
        "replace": 2,
        "delete": 1,
        "read": 1,
        "no-op": 2,
        "forget": 1,
        "import": 1,
        "drift": 0,
        "moves": 0,
    }
    assert s.has_changes
    replaced = [c for c in s.changes if c.action == "replace"]
    assert [c.actions for c in replaced] == [("delete", "create"), ("create", "delete")]
    assert [c.address for c in s.destructive] == ["null_resource.r1", "null_resource.r2", "null_resource.d"]
    # plain no-ops are counted but not listed; the importing no-op is listed
    assert "null_resource.n" not in [c.address for c in s.listed]
    imported = next(c for c in s.listed if c.address == "null_resource.i")
    assert imported.importing and imported.import_id == "abc"


def test_has_changes_follows_detailed_exitcode_semantics() -> None:
    noop = rc("null_resource.n", ["no-op"], {"x": 1}, {"x": 1})
    assert not summarize(plan(noop)).has_changes
    out_noop = {"o": {"actions": ["no-op"], "before": 1, "after": 1}}
    assert not summarize(plan(noop, output_changes=out_noop)).has_changes
    out_change = {"o": {"actions": ["update"], "before": 1, "after": 2}}
    assert summarize(plan(noop, output_changes=out_change)).has_changes
    moved = rc("null_resource.new", ["no-op"], {"x": 1}, {"x": 1}, previous_address="null_resource.old")
    s = summarize(plan(moved))
    assert s.has_changes and s.counts["moves"] == 1
    assert s.moves[0].previous_address == "null_resource.old"
    assert summarize(plan(rc("data.x.y", ["read"], None, {}))).has_changes


def test_drift_is_counted_apart_from_changes() -> None:
    s = summarize(
        plan(
            rc("null_resource.a", ["no-op"], {"x": 1}, {"x": 1}),
            resource_drift=[
                rc("null_resource.a", ["update"], {"x": 0}, {"x": 1}),
                rc("null_resource.gone", ["delete"], {"x": 0}, None),
            ],
        )
    )
    assert s.counts["drift"] == 2
    assert s.counts["update"] == 0 and s.counts["delete"] == 0
    assert [d.action for d in s.drift] == ["update", "delete"]
    assert not s.has_changes  # drift alone is not a planned change


def test_reason_replace_paths_and_module() -> None:
    s = summarize(
        plan(
            rc(
                'module.a["x.y"].module.b.null_resource.r[0]',
                ["delete", "create"],
                {"triggers": {"k": "1"}},
                {"triggers": {"k": "2"}},
                module_address='module.a["x.y"].module.b',
                action_reason="replace_because_cannot_update",
                change_replace_paths=[["triggers", "k"], ["tags", 0, "odd.key"]],
            )
        )
    )
    (c,) = s.changes
    assert c.module == 'module.a["x.y"].module.b'
    assert c.reason == "replace_because_cannot_update"
    assert c.replace_paths == ("triggers.k", 'tags[0]["odd.key"]')


@pytest.mark.parametrize(
    ("address", "module"),
    [
        ("null_resource.a", None),
        ("module.a.null_resource.b", "module.a"),
        ('module.a["k.x"].module.b[2].data.c.d["e.f"]', 'module.a["k.x"].module.b[2]'),
        ('module.m["a\\"b.c"].x.y', 'module.m["a\\"b.c"]'),
    ],
)
def test_module_is_derived_from_the_address_when_module_address_is_missing(address: str, module: str) -> None:
    assert _module_of(address) == module


def test_unknown_values_read_known_after_apply() -> None:
    s = summarize(
        plan(
            rc(
                "null_resource.a",
                ["create"],
                None,
                {"triggers": {"a": "1"}},
                change_after_unknown={"id": True, "triggers": {"b": True}},
            )
        )
    )
    attrs = _attrs(s, "null_resource.a")
    assert attrs["id"] == (Mark.ABSENT, Mark.UNKNOWN)
    assert attrs["triggers.b"] == (Mark.ABSENT, Mark.UNKNOWN)
    assert attrs["triggers.a"] == (Mark.ABSENT, "1")


def test_sensitive_marks_boolean_and_nested_mask_values_everywhere_in_the_model() -> None:
    secret, other = "hunter2-very-secret", "p4ss-0ther-secret"
    s = summarize(
        plan(
            rc(
                "null_resource.whole",
                ["update"],
                {"password": "old-" + secret},
                {"password": secret},
                change_before_sensitive=True,
                change_after_sensitive=True,
            ),
            rc(
                "null_resource.nested",
                ["update"],
                {"cfg": {"user": "bob", "pw": [other, "x"]}},
                {"cfg": {"user": "alice", "pw": [other + "!", "y"]}},
                change_before_sensitive={"cfg": {"pw": [True, False]}},
                change_after_sensitive={"cfg": {"pw": [True, False]}},
            ),
            # the same secret leaking unmarked into another resource is caught by value
            rc("null_resource.leak", ["update"], {"note": "x"}, {"note": f"uses {secret} inside"}),
        )
    )
    nested = _attrs(s, "null_resource.nested")
    assert nested["cfg.user"] == ("bob", "alice")
    assert nested["cfg.pw[0]"] == (Mark.SENSITIVE, Mark.SENSITIVE)
    assert nested["cfg.pw[1]"] == ("x", "y")
    # a whole object marked sensitive is one masked change, nothing of its shape shown
    assert _attrs(s, "null_resource.whole") == {"": (Mark.SENSITIVE, Mark.SENSITIVE)}
    assert _attrs(s, "null_resource.leak")["note"] == ("x", Mark.SENSITIVE)
    assert secret not in repr(s) and other not in repr(s)


def test_sensitive_outputs_and_variables_are_masked() -> None:
    var_secret = "var-secret-value-123"
    s = summarize(
        plan(
            rc(
                "null_resource.a", ["update"], {"t": "a"}, {"t": f"prefix-{var_secret}"}
            ),  # unmarked use of a var
            output_changes={
                "marked": {
                    "actions": ["update"],
                    "before": "out-secret-1",
                    "after": "out-secret-2",
                    "before_sensitive": True,
                    "after_sensitive": True,
                },
                "planned": {"actions": ["create"], "before": None, "after": "out-secret-3"},
                "partial": {
                    "actions": ["update"],
                    "before": {"a": 1, "k": "out-secret-4"},
                    "after": {"a": 2, "k": "out-secret-4"},
                    "before_sensitive": {"k": True},
                    "after_sensitive": {"k": True},
                },
                "unknown": {"actions": ["create"], "before": None, "after": None, "after_unknown": True},
            },
            planned_values={"outputs": {"planned": {"sensitive": True, "value": "out-secret-3"}}},
            variables={"token": {"value": var_secret}},
            configuration={"root_module": {"variables": {"token": {"sensitive": True}}}},
        )
    )
    outs = {o.name: o for o in s.outputs}
    assert (outs["marked"].before, outs["marked"].after, outs["marked"].sensitive) == (
        Mark.SENSITIVE,
        Mark.SENSITIVE,
        True,
    )
    assert outs["planned"].after is Mark.SENSITIVE and outs["planned"].before is Mark.ABSENT
    assert outs["partial"].sensitive
    assert outs["unknown"].after is Mark.UNKNOWN
    assert _attrs(s, "null_resource.a")["t"] == ("a", Mark.SENSITIVE)
    text = repr(s)
    for needle in ("out-secret-1", "out-secret-2", "out-secret-3", "out-secret-4", var_secret):
        assert needle not in text


def test_errored_plan_keeps_its_diagnostics_masked() -> None:
    s = summarize(
        {
            "format_version": "1.2",
            "errored": True,
            "resource_changes": [rc("null_resource.a", ["create"], None, {"x": 1})],
            "diagnostics": [
                {
                    "severity": "error",
                    "summary": "Invalid value",
                    "detail": "value CANARY-diag-secret is bad",
                    "range": {"filename": "main.tf", "start": {"line": 7}},
                }
            ],
            "variables": {"v": {"value": "CANARY-diag-secret"}},
            "configuration": {"root_module": {"variables": {"v": {"sensitive": True}}}},
        }
    )
    assert s.errored
    (d,) = s.diagnostics
    assert (d.severity, d.summary, d.address) == ("error", "Invalid value", "main.tf:7")
    assert d.detail == "value (sensitive value) is bad"
    assert s.counts["create"] == 1


def test_errored_plan_without_diagnostics_says_so() -> None:
    s = summarize({"format_version": "1.2", "errored": True, "planned_values": {}})
    assert s.errored and any("errored" in n for n in s.notes)


@pytest.mark.parametrize("version", ["0.1", "0.2", "1.0", "1.2", "1.9", "2.0"])
def test_any_format_version_is_accepted(version: str) -> None:
    s = summarize(plan(rc("null_resource.a", ["create"], None, {}), version=version))
    assert s.counts["create"] == 1
    assert s.format_version == version
    assert bool(s.notes) == (version == "2.0")


def test_opentofu_plan_without_applyable_and_unknown_keys() -> None:
    doc = plan(
        rc("tofu_thing.a", ["update"], {"a": 1}, {"a": 2}, new_tofu_key={"x": 1}),
        brand_new_top_level=[1, 2],
        checks=[{"address": {}}],
        timestamp="2026-11-27T10:00:00Z",
    )
    s = summarize(doc)
    assert s.applyable is None
    assert s.timestamp == "2026-11-27T10:00:00Z"
    assert s.counts["update"] == 1


def test_unknown_actions_and_addresses_from_parts_are_kept() -> None:
    s = summarize(
        {
            "format_version": "1.2",
            "resource_changes": [
                {
                    "type": "null_resource",
                    "name": "x",
                    "module_address": "module.m",
                    "change": {"actions": ["weird", "thing"], "before": [], "after": 5},
                },
            ],
            "diagnostics": "nope",
        }
    )
    assert s.counts["weird+thing"] == 1
    weird = next(c for c in s.changes if c.action == "weird+thing")
    assert weird.address == "module.m.null_resource.x" and weird.module == "module.m"


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"format_version": "1.2"}, "none of a plan's keys"),
        ({"format_version": 1.2, "planned_values": {}}, "format_version is a number 1.2"),
        (
            {"format_version": "1.2", "resource_changes": "create"},
            "its resource_changes is a string, not a list",
        ),
        ({"format_version": "1.2", "resource_changes": {"a": 1}}, "its resource_changes is an object"),
        ({"format_version": "1.2", "output_changes": []}, "its output_changes is a list, not an object"),
        ({"format_version": "1.2", "resource_drift": {"x": 1}}, "its resource_drift is an object"),
        ({"format_version": "1.2", "planned_values": None}, "its planned_values is null"),
        ({"format_version": "1.2", "applyable": "yes", "planned_values": {}}, "applyable is a string"),
        ({"format_version": "1.2", "resource_changes": ["junk"]}, "resource_changes[0] is a string"),
        (
            {"format_version": "1.2", "resource_changes": [{"address": "a.b"}]},
            "resource_changes[0] (a.b) has no change object",
        ),
        (
            {
                "format_version": "1.2",
                "resource_changes": [{"address": "c.d", "change": {"actions": "create"}}],
            },
            "resource_changes[0] (c.d) has no list of actions (actions is a string)",
        ),
        (
            {"format_version": "1.2", "resource_changes": [{"change": {"actions": []}}]},
            "resource_changes[0] has an empty list of actions",
        ),
        (
            {"format_version": "1.2", "resource_changes": [{"change": {"actions": [1]}}]},
            "actions that are not strings",
        ),
        ({"format_version": "1.2", "output_changes": {"o": {"after": 1}}}, "output_changes.o has no list"),
    ],
)
def test_a_document_without_a_plans_shape_is_refused(doc: Any, message: str) -> None:
    """A false "No changes" is the worst answer: anything not shaped like `show -json` output is refused."""
    with pytest.raises(PlanError) as err:
        summarize(doc)
    assert message in err.value.message, err.value.message
    assert err.value.message.startswith("not a Terraform plan: ")
    assert "\n" not in err.value.one_line()


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([1, 2], "not a Terraform plan: the JSON is a list"),
        ("text", "not a Terraform plan: the JSON is a str"),
        ({"format_version": "1.0", "terraform_version": "1.9.0", "values": {"root_module": {}}}, "state"),
        ({"version": 4, "lineage": "x", "resources": []}, "state file"),
        ({"format_version": "1.0", "provider_schemas": {}}, "provider schema"),
        ({"hello": "world"}, "it has no format_version"),
    ],
)
def test_not_a_plan_raises_plan_error(doc: Any, message: str) -> None:
    with pytest.raises(PlanError) as err:
        summarize(doc)
    assert message in err.value.message
    assert "\n" not in err.value.one_line()


def test_a_plan_with_only_planned_values_is_an_empty_plan() -> None:
    """What Terraform writes for a configuration with nothing in it: no changes, and rightly so."""
    s = summarize({"format_version": "1.2", "planned_values": {"root_module": {}}, "applyable": False})
    assert not s.has_changes and s.changes == ()


def test_deposed_object_is_labelled() -> None:
    s = summarize(plan(rc("null_resource.a", ["delete"], {"x": 1}, None, deposed="00000001")))
    (c,) = s.listed
    assert c.deposed == "00000001" and c.destructive


def test_create_then_forget_is_a_replacement_that_destroys_nothing() -> None:
    s = summarize(plan(rc("null_resource.a", ["create", "forget"], {"x": 1}, {"x": 2})))
    (c,) = s.listed
    assert c.action == "replace" and not c.destructive
    assert s.counts["replace"] == 1


def test_summary_is_json_roundtrip_safe_input() -> None:
    # the summary must not keep references to the input dicts that a caller could mutate afterwards
    doc = plan(rc("null_resource.a", ["update"], {"t": {"a": "1"}}, {"t": {"a": "2"}}))
    s = summarize(json.loads(json.dumps(doc)))
    assert _attrs(s, "null_resource.a") == {"t.a": ("1", "2")}


def test_many_sensitive_values_stay_masked_and_the_substring_search_is_bounded() -> None:
    """5,000 secrets: every one masked, while the search inside other strings keeps its bound (what keeps
    masking linear; the time itself is measured in bench/, not asserted here)."""
    from k8sprov.planview.mask import MAX_SUBSTRING_SECRETS
    from k8sprov.planview.summary import _collect_secrets

    n = 5000
    doc = plan(
        *(
            rc(
                f"kubernetes_secret.s[{i}]",
                ["update"],
                {"data": {"k": f"old-secret-{i:05}"}, "note": "a"},
                {"data": {"k": f"new-secret-{i:05}"}, "note": "b"},
                change_before_sensitive={"data": True},
                change_after_sensitive={"data": True},
            )
            for i in range(n)
        ),
        rc("null_resource.leak", ["update"], {"t": "x"}, {"t": "new-secret-04999"}),
    )
    secrets = _collect_secrets(doc)
    assert secrets.hit("old-secret-04999") and secrets.hit("new-secret-00000")
    assert len(secrets._search) == MAX_SUBSTRING_SECRETS
    s = summarize(doc)
    assert "secret-0" not in repr(s)
    leak = next(c for c in s.changes if c.address == "null_resource.leak")
    assert leak.attributes[0].after.value == "(sensitive value)"


def test_deferred_changes_and_failed_checks_become_notes() -> None:
    s = summarize(
        plan(
            deferred_changes=[{"reason": "provider_config_unknown", "resource_change": {}}],
            checks=[
                {"address": {"to_display": "check.health"}, "status": "fail"},
                {"address": {"to_display": "check.ok"}, "status": "pass"},
            ],
        )
    )
    assert (
        "1 resource changes are deferred to a later plan (provider_config_unknown) and not shown" in s.notes
    )
    assert "1 check failed: check.health" in s.notes


def test_garbage_collector_is_restored_even_on_error() -> None:
    import gc

    assert gc.isenabled()
    with pytest.raises(PlanError):
        summarize({"nope": 1})
    assert gc.isenabled()
    summarize({"format_version": "1.0", "planned_values": {}})
    assert gc.isenabled()


def test_unchanged_helm_releases_keep_chart_and_version() -> None:
    from k8sprov.planview import PlanHeader, to_json

    s = summarize(objects_plan_with_unchanged_kyverno())
    assert s.counts["update"] == 3 and s.counts["no-op"] == 1
    (kyverno,) = s.unchanged_releases
    assert (kyverno.name, kyverno.namespace, kyverno.version) == ("kyverno", "kyverno", "3.8.2")
    assert kyverno.chart is not None and kyverno.chart.endswith("kyverno-3.8.2.tgz")
    data = to_json(s, PlanHeader())
    assert data["unchanged_releases"] == [{
        "address": kyverno.address, "name": "kyverno", "namespace": "kyverno", "chart": kyverno.chart,
        "version": "3.8.2"}]
    assert "CANARY" not in json.dumps(data)
    # a plan whose releases all change (or that has none) keeps exactly the keys it had
    assert "unchanged_releases" not in to_json(summarize(plan()), PlanHeader())


def test_an_unchanged_release_marked_sensitive_is_masked() -> None:
    data = objects_plan_with_unchanged_kyverno()
    for change in data["resource_changes"]:
        inner = change["change"]
        if inner["actions"] == ["no-op"]:
            inner["before_sensitive"] = dict(inner["before_sensitive"] or {}, version=True)
    (kyverno,) = summarize(data).unchanged_releases
    assert kyverno.version == Mark.SENSITIVE.value
