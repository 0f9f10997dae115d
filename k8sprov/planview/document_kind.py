"""What a JSON document is: a Terraform/OpenTofu plan (`show -json PLANFILE`), k8sprov's own summary, or else.

Pure and cheap (no I/O). A document that merely has a `format_version` is not a plan: showing one as
"No changes" would be the worst answer the plan view can give, so the shape `show -json` always writes
is checked (its keys' types, each change's `actions`) while unknown keys and any 0.x/1.x format stay
accepted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

SUMMARY_KIND = "k8sprov plan summary"
FLEET_SUMMARY_KIND = "k8sprov multi-environment plan summary"

# Keys only a plan has (a state or a schema dump has none of them); Terraform always writes planned_values.
PLAN_KEYS = frozenset(
    {
        "resource_changes",
        "planned_values",
        "output_changes",
        "resource_drift",
        "errored",
        "applyable",
        "complete",
        "relevant_attributes",
        "deferred_changes",
        "deferred_action_invocations",
        "prior_state",
    }
)

# Types of the top-level keys `show -json` writes (it omits empty ones; it never writes null).
_TYPES: dict[str, tuple[type, str]] = {
    "terraform_version": (str, "a string"),
    "variables": (dict, "an object"),
    "planned_values": (dict, "an object"),
    "resource_drift": (list, "a list"),
    "resource_changes": (list, "a list"),
    "deferred_changes": (list, "a list"),
    "output_changes": (dict, "an object"),
    "prior_state": (dict, "an object"),
    "configuration": (dict, "an object"),
    "relevant_attributes": (list, "a list"),
    "checks": (list, "a list"),
    "timestamp": (str, "a string"),
    "applyable": (bool, "true or false"),
    "complete": (bool, "true or false"),
    "errored": (bool, "true or false"),
}
_FORMAT = re.compile(r"\d+(\.\d+)*")
_HINT = "pass a binary plan file (terraform plan -out) or the JSON of `terraform show -json PLANFILE`"


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "a number"
    return names.get(type(value), type(value).__name__)


def summary_format(doc: Any) -> str | None:
    """The format version when `doc` is a k8sprov plan summary (`plan`/`show --json`), else None."""
    if not isinstance(doc, Mapping):
        return None
    version = doc.get("format_version")
    if (
        isinstance(version, str)
        and isinstance(doc.get("plan"), Mapping)
        and isinstance(doc.get("has_changes"), bool)
        and isinstance(doc.get("counts"), Mapping)
        and isinstance(doc.get("changes"), list)
    ):
        return version
    return None


def is_fleet_summary(doc: Any) -> bool:
    """True when `doc` is what `plan --all --json` writes: one status line per environment."""
    return (
        isinstance(doc, Mapping)
        and isinstance(doc.get("environments"), list)
        and isinstance(doc.get("exit_code"), int)
    )


def describe_k8sprov_document(doc: Any) -> str | None:
    """A name for one of k8sprov's own JSON summaries ("k8sprov plan summary (format 1.1)"), else None."""
    version = summary_format(doc)
    if version is not None:
        return f"{SUMMARY_KIND} (format {version})"
    if is_fleet_summary(doc):
        return f"{FLEET_SUMMARY_KIND} (plan --all --json)"
    return None


def _changes_problem(key: str, entries: list[Any]) -> str | None:
    for i, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            return f"{key}[{i}] is {_json_type(entry)}, not an object"
        where = f"{key}[{i}]"
        if isinstance(entry.get("address"), str):
            where += f" ({entry['address']})"
        change = entry.get("change")
        if not isinstance(change, Mapping):
            return f"{where} has no change object"
        problem = _actions_problem(change.get("actions"))
        if problem:
            return f"{where} {problem}"
    return None


def _actions_problem(actions: Any) -> str | None:
    if not isinstance(actions, list):
        return f"has no list of actions (actions is {_json_type(actions)})"
    if not actions:
        return "has an empty list of actions"
    if not all(isinstance(a, str) for a in actions):
        return "has actions that are not strings"
    return None


def plan_problem(doc: Any) -> str | None:
    """Why `doc` is not the JSON of a Terraform or OpenTofu plan, in words; None when it is one."""
    if not isinstance(doc, Mapping):
        return f"the JSON is {_json_type(doc)}, not an object"
    own = describe_k8sprov_document(doc)
    if own is not None:
        return f"it is a {own}"
    has_plan_keys = not PLAN_KEYS.isdisjoint(doc.keys())
    if not has_plan_keys:
        if "format_version" in doc and "values" in doc:
            return "it is the JSON of a state (terraform show -json without a plan file)"
        if "lineage" in doc and "resources" in doc:
            return "it is a state file (terraform.tfstate)"
        if "provider_schemas" in doc:
            return "it is a provider schema dump"
    version = doc.get("format_version")
    if version is None:
        return "it has no format_version"
    if not isinstance(version, str) or not _FORMAT.fullmatch(version):
        return f'its format_version is {_json_type(version)} {version!r}, not a version like "1.2"'
    if not has_plan_keys:
        return "it has a format_version but none of a plan's keys (planned_values, resource_changes, …)"
    for key, (kind, words) in _TYPES.items():
        if key in doc and not isinstance(doc[key], kind):
            return f"its {key} is {_json_type(doc[key])}, not {words}"
    for key in ("resource_changes", "resource_drift"):
        problem = _changes_problem(key, doc.get(key) or [])
        if problem:
            return problem
    for name, change in (doc.get("output_changes") or {}).items():
        if not isinstance(change, Mapping):
            return f"output_changes.{name} is {_json_type(change)}, not an object"
        problem = _actions_problem(change.get("actions"))
        if problem:
            return f"output_changes.{name} {problem}"
    return None


def not_a_plan_hint(doc: Any) -> str:
    """How to get from `doc` to something the plan view reads."""
    if summary_format(doc) is not None:
        env = doc.get("environment")
        if isinstance(env, str) and env:
            return (
                f"it summarises environment {env}'s plan, which `k8sprov show --env {env}` shows again; "
                "--plan takes a binary plan file or `terraform show -json PLANFILE` output"
            )
        return "it is already a rendered summary (read it with jq); " + _HINT
    if is_fleet_summary(doc):
        return "show one environment's plan with `k8sprov show --env ENV`"
    return _HINT
