"""The rules of `k8sprov affected` as pure functions: file names and texts in, environments out."""

from __future__ import annotations

import json
from pathlib import Path

from k8sprov.affected import catalog_changes, impact, lock_changes
from k8sprov.git import Change

REPO = Path(__file__).resolve().parents[2]
VERSIONS = (REPO / "terraform" / "modules" / "provision_k8s" / "versions.tf").read_text()
PROFILES = {"dev": "basic", "stage": "staging", "prod": "production"}
PINS = {"basic": {("kyverno", "3.9.0")}, "staging": {("kyverno", "3.9.0")},
        "production": {("kyverno", "3.8.2")}}


def _impact(*changes: Change, old: dict[str, str | None] | None = None,
            new: dict[str, str | None] | None = None) -> dict[str, list[str]]:
    report = impact(changes, PROFILES, old_text=lambda p: (old or {}).get(p),
                    new_text=lambda p: (new or {}).get(p), current_pins=lambda: PINS)
    return {env.name: list(env.reasons) for env in report.environments}


def test_a_versions_tf_that_appears_or_disappears_affects_everything() -> None:
    assert catalog_changes(None, VERSIONS) == ("added", {})
    assert catalog_changes(VERSIONS, None) == ("deleted", {})


def test_a_versions_tf_that_cannot_be_parsed_affects_everything() -> None:
    why, found = catalog_changes(VERSIONS, "locals {\n  chart_versions = {\n")
    assert why is not None and why.startswith("cannot be compared (not valid HCL") and found == {}


def test_a_new_profile_with_pins_is_reported_for_that_profile_only() -> None:
    extra = VERSIONS.replace("    production = {", '    canary = {\n      "argo-cd" = "10.1.1"\n    }\n'
                                                   "    production = {")
    assert catalog_changes(VERSIONS, extra) == (None, {"canary": ["canary pins argo-cd (none) → 10.1.1"]})


def test_lock_changes_name_the_entries_that_moved() -> None:
    lock = {"version": 1, "charts": [
        {"name": "kyverno", "version": "3.9.0", "source": "s", "sha256": "a" * 64, "size": 1},
        {"name": "kyverno", "version": "3.8.2", "source": "s", "sha256": "b" * 64, "size": 1}]}
    moved = json.loads(json.dumps(lock))
    moved["charts"][1]["size"] = 2
    assert lock_changes(json.dumps(lock), json.dumps(moved)) == (None, {("kyverno", "3.8.2")})
    assert lock_changes(None, json.dumps(lock)) == (None, {("kyverno", "3.9.0"), ("kyverno", "3.8.2")})
    assert lock_changes(json.dumps(lock), "{not json") == ("cannot be read as a lock file", set())


def test_a_broken_lock_affects_every_environment() -> None:
    got = _impact(Change("M", "charts/charts.lock"), old={"charts/charts.lock": "{}"},
                  new={"charts/charts.lock": "[]"})
    assert sorted(got) == ["dev", "prod", "stage"]
    assert got["dev"] == ["charts/charts.lock: cannot be read as a lock file (every environment)"]


def test_a_values_file_of_a_profile_without_environments_affects_nothing() -> None:
    report = impact([Change("M", "infra/values/kyverno/canary.yaml"), Change("A", "infra/values/README.md"),
                     Change("M", "infra/backends/production.hcl.example")], PROFILES,
                    old_text=lambda _p: None, new_text=lambda _p: None, current_pins=lambda: PINS)
    assert report.environments == []
    assert report.not_affecting == ["infra/values/kyverno/canary.yaml", "infra/values/README.md",
                                    "infra/backends/production.hcl.example"]


def test_state_and_caches_under_terraform_are_no_source() -> None:
    got = _impact(Change("A", "terraform/terraform.tfstate.d/dev/terraform.tfstate"),
                  Change("A", "terraform/.terraform/modules/modules.json"),
                  Change("A", "terraform/.terraform.lock.hcl"))
    assert got == {name: ["terraform/.terraform.lock.hcl added (every environment)"] for name in PROFILES}


def test_each_reason_is_listed_once_per_environment() -> None:
    got = _impact(Change("M", "terraform/main.tf"), Change("M", "infra/envs/dev.tfvars"))
    assert got["dev"] == ["terraform/main.tf changed (every environment)", "infra/envs/dev.tfvars changed"]
