"""Findings name the values file and line where the offending value can be found (best effort)."""

from __future__ import annotations

from k8sprov.rendering.checks import run_checks
from k8sprov.rendering.checks.sources import ValuesLocator
from k8sprov.rendering.model import ValuesDoc
from tests.render.checks_objects import ctx, deployment, release

BASE = ValuesDoc("infra/values/app/basic.yaml", "server:\n  replicas: 1\n  team: web\n  memory: 1Gb\n")
OVERRIDE = ValuesDoc(
    "override.yaml", "# later documents win the merge\nserver:\n  team: web\n  image: nginx\n"
)


def test_the_fields_own_key_wins() -> None:
    locator = ValuesLocator([ValuesDoc("v.yaml", "a:\n  name: two\nb:\n  replicas: two\n")])
    assert locator.find("two", "replicas") == "v.yaml:4"
    assert locator.find("two", "other") == "v.yaml:2"


def test_the_last_document_wins() -> None:
    assert ValuesLocator([BASE, OVERRIDE]).find("web", "team") == "override.yaml:3"
    assert ValuesLocator([BASE, OVERRIDE]).find("1Gb", "memory") == "infra/values/app/basic.yaml:4"


def test_common_values_need_their_key() -> None:
    locator = ValuesLocator([ValuesDoc("v.yaml", "enabled: true\nsecurityContext:\n  privileged: true\n")])
    assert locator.find(True, "privileged") == "v.yaml:3"
    assert locator.find(True, "hostNetwork") is None
    assert locator.find(1, "replicas") is None


def test_types_must_match() -> None:
    locator = ValuesLocator([ValuesDoc("v.yaml", "port: '8080'\nother: 8080\n")])
    assert locator.find(8080, "port") == "v.yaml:2"
    assert locator.find("8080", "port") == "v.yaml:1"


def test_unreadable_values_find_nothing() -> None:
    assert ValuesLocator([ValuesDoc("v.yaml", "a: [\n")]).find("x", "a") is None


def test_a_finding_carries_the_source() -> None:
    body = deployment()
    body["spec"]["template"]["spec"]["containers"][0]["resources"] = {"limits": {"memory": "1Gb"}}
    [found] = run_checks([release("r", "apps", body, values=(BASE, OVERRIDE))], ctx())
    assert found.source == "infra/values/app/basic.yaml:4"
    assert found.one_line().endswith("(from infra/values/app/basic.yaml:4)")
