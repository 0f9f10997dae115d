"""The shipped renovate.json finds every basic and staging pin of versions.tf, and no production pin."""

from __future__ import annotations

import json
import re
from pathlib import Path

from k8sprov.charts.catalog import parse_catalog
from k8sprov.hcl import load_hcl
from k8sprov.promotion.pinfile import find_pins

REPO = Path(__file__).parents[2]
VERSIONS_TF = REPO / "terraform" / "modules" / "provision_k8s" / "versions.tf"
# RE2 features Python's `re` lacks or spells differently; the config must avoid all but named groups.
_NOT_RE2 = re.compile(r"\(\?[=!]|\(\?<[=!]|\\[1-9]|\(\?>|[*+?}]\+")


def manager() -> dict[str, object]:
    config = json.loads((REPO / "renovate.json").read_text())
    managers = config["customManagers"]
    assert len(managers) == 1
    entry: dict[str, object] = managers[0]
    assert entry["customType"] == "regex" and entry["datasourceTemplate"] == "helm"
    return entry


def python_pattern(re2: str) -> re.Pattern[str]:
    assert not _NOT_RE2.search(re2), "uses a construct RE2 does not support"
    return re.compile(re2.replace("(?<", "(?P<"))


def test_file_pattern_selects_versions_tf() -> None:
    patterns = manager()["managerFilePatterns"]
    assert isinstance(patterns, list) and patterns
    for pattern in patterns:
        assert pattern.startswith("/") and pattern.endswith("/")  # a regex, not a glob
        assert re.search(pattern[1:-1], "terraform/modules/provision_k8s/versions.tf")
        assert not re.search(pattern[1:-1], "terraform/versions.tf")


def test_match_strings_find_exactly_the_basic_and_staging_pins() -> None:
    text = VERSIONS_TF.read_text()
    catalog = parse_catalog(load_hcl(VERSIONS_TF), "versions.tf")
    match_strings = manager()["matchStrings"]
    assert isinstance(match_strings, list)
    found: list[tuple[int, str, str, str]] = []
    for raw in match_strings:
        pattern = python_pattern(raw)
        assert {"currentValue", "depName", "registryUrl"} <= set(pattern.groupindex)
        for m in pattern.finditer(text):
            found.append((m.start("currentValue"), m["depName"], m["currentValue"], m["registryUrl"]))
    sites = {s.start + 1: s for s in find_pins(text)}  # +1: the value's span includes its opening quote
    wanted = {
        (s.profile, s.chart, s.literal) for s in sites.values() if s.profile in ("basic", "staging")
    }
    got = set()
    for offset, dep, value, registry in found:
        site = sites.get(offset)
        assert site is not None, f"{dep} {value}: the match is not a pin literal"
        assert site.profile != "production", f"production pin of {dep} must move only through promote"
        assert dep == site.chart and value == site.literal
        assert registry == catalog.charts[dep].repository
        got.add((site.profile, dep, value))
    assert got == wanted and len(found) == len(wanted) == 2 * len(catalog.charts)


def test_the_catalog_still_reads_the_commented_file() -> None:
    catalog = parse_catalog(load_hcl(VERSIONS_TF), "versions.tf")
    assert catalog.versions["staging"]["kyverno"] == "3.9.0"
    assert catalog.lockstep("kyverno") == ["kyverno", "kyverno-policies"]
    assert catalog.lockstep("argo-cd") == ["argo-cd"]
