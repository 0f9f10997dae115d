"""The versions.tf pin scanner: positions of literals, non-literals, and things that only look like pins."""

from __future__ import annotations

import pytest

from k8sprov.errors import ProjectError
from k8sprov.promotion.pinfile import find_pins, rewrite

TEXT = '''# chart_versions = { production = { "x" = "0.0.0" } }  (a comment, not the map)
locals {
  note = "chart_versions = {" # a string, not the map
  other = { a = { b = "c" } }
  chart_versions = {
    /* block comment with "quotes" and { braces */
    staging = {
      // renovate: datasource=helm depName=a registryUrl=https://example.test/
      "a" = "1.2.0" # trailing comment
      b   = "2.0.0"
    }
    "production" = {
      "a" = "1.1.0"
      b   = "v${local.x}"
      c   = local.pinned
    }
  }
}
'''


def test_finds_every_pin_with_its_literal_and_span() -> None:
    sites = find_pins(TEXT)
    got = [(s.profile, s.chart, s.literal, TEXT[s.start:s.end]) for s in sites]
    assert got == [
        ("staging", "a", "1.2.0", '"1.2.0"'),
        ("staging", "b", "2.0.0", '"2.0.0"'),
        ("production", "a", "1.1.0", '"1.1.0"'),
        ("production", "b", None, '"v${local.x}"'),
        ("production", "c", None, "local.pinned"),
    ]
    assert [s.line for s in sites] == [9, 10, 13, 14, 15]


def test_rewrite_changes_only_the_named_literals() -> None:
    sites = find_pins(TEXT)
    out = rewrite(TEXT, sites, "production", {"a": "1.2.0"})
    assert out == TEXT.replace('"a" = "1.1.0"', '"a" = "1.2.0"')
    with pytest.raises(ProjectError, match="not a literal"):
        rewrite(TEXT, sites, "production", {"b": "2.0.0"})
    with pytest.raises(ProjectError, match="cannot be written"):
        rewrite(TEXT, sites, "production", {"a": '1"; x = "'})


def test_a_file_without_the_map_is_an_error() -> None:
    with pytest.raises(ProjectError, match="no `chart_versions`"):
        find_pins('locals {\n  chart_catalog = {}\n}\n')
