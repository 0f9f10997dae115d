"""The helm module's lifecycle contract: what every release gets, and how CRD releases are protected."""

from __future__ import annotations

from typing import Any

from tests.stack.hclcheck import BLOCK_MARK, Module


def _releases(modules: dict[str, Module]) -> dict[str, dict[str, Any]]:
    return {name: body for _, rtype, name, body in modules["helm"].resources() if rtype == "helm_release"}


def _without(body: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in keys and k != BLOCK_MARK}


def test_one_release_two_addresses_identical_but_for_protection(modules: dict[str, Module]) -> None:
    releases = _releases(modules)
    assert set(releases) == {"this", "protected"}
    this, protected = releases["this"], releases["protected"]
    assert this["count"] == "${var.protect_from_destroy ? 0 : 1}"
    assert protected["count"] == "${var.protect_from_destroy ? 1 : 0}"
    assert _without(this, "count", "lifecycle") == _without(protected, "count", "lifecycle")
    assert protected["lifecycle"][0]["prevent_destroy"] is True  # a literal, as Terraform requires
    assert "prevent_destroy" not in this["lifecycle"][0]
    assert this["lifecycle"][0]["precondition"] == protected["lifecycle"][0]["precondition"]


def test_release_lifecycle_settings(modules: dict[str, Module]) -> None:
    body = _releases(modules)["this"]
    assert body["atomic"] is True and body["cleanup_on_fail"] is True
    assert body["wait"] is True and body["wait_for_jobs"] is True
    assert body["create_namespace"] is False
    assert body["timeout"] == "${var.timeout}" and body["max_history"] == "${var.max_history}"
    assert body["chart"] == "${var.chart_archive}"
    assert "repository" not in body, "charts come from vendored archives, never from the network"
    assert "version" not in body, "a local chart's version comes from the archive itself"


def test_lock_digest_reaches_the_release_and_guards_the_plan(modules: dict[str, Module]) -> None:
    helm = modules["helm"]
    body = _releases(modules)["this"]
    assert body["description"] == "${local.description}"
    assert "var.chart_sha256" in helm.locals()["description"]
    problem = helm.locals()["archive_problem"]
    needles = ("var.chart_sha256 == null", "local.archive_exists", "local.archive_sha256 != var.chart_sha256")
    for needle in needles:
        assert needle in problem
    assert "filesha256(var.chart_archive)" in helm.locals()["archive_sha256"]
    (precondition,) = body["lifecycle"][0]["precondition"]
    assert precondition["condition"] == "${local.archive_problem == null}"
    assert "run k8sprov update-charts" in precondition["error_message"]


def test_crd_releases_are_protected(modules: dict[str, Module]) -> None:
    calls = modules["provision_k8s"].modules()
    protected = {body["name"] for body in calls.values() if body["protect_from_destroy"] is True}
    assert protected == {"prometheus-operator-crds", "kyverno"}
    for body in calls.values():
        assert isinstance(body["protect_from_destroy"], bool), "keep it a literal per release"
        assert body["chart_sha256"].endswith(".sha256}")
