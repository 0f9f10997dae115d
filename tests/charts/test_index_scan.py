"""The line reader of index.yaml gives exactly what a YAML parse gives, or hands the text to YAML."""

from __future__ import annotations

import random

import pytest

from k8sprov.charts.classic import parse_index, parse_index_yaml
from k8sprov.charts.index_scan import scan_index
from tests.charts import builders

HEAD = "apiVersion: v1\nentries:\n"


def _real_shaped(seed: int) -> bytes:
    """Indexes as Helm writes them: many charts, long histories, relative and absolute URLs."""
    rng = random.Random(seed)
    entries: dict[str, list[dict[str, object]]] = {}
    for name in ("argo-cd", "argo-workflows", "kyverno"):
        history = [builders.index_entry(name, "10.1.1", f"{name}-10.1.1.tgz", "sha256:" + "ab" * 32)]
        history += [
            builders.index_entry(name, v, f"https://github.com/o/r/releases/download/{name}-{v}/{name}-{v}.tgz",
                                 builders.sha256(v.encode()))
            for v in builders.filler_versions(rng, 300, (10, 1, 1))
        ]
        entries[name] = history
    return builders.index_yaml(entries)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_helm_layout_reads_as_yaml_does(seed: int) -> None:
    text = _real_shaped(seed)
    scanned = scan_index(text.decode())
    assert scanned is not None
    assert scanned == parse_index_yaml(text, "https://r")
    assert sum(len(v) for v in scanned.values()) > 300


def test_entry_fields_in_any_order_and_quoted() -> None:
    text = HEAD + (
        "  demo:\n"
        "  - version: '1.2.3'\n"
        "    urls:\n"
        "    - \"https://h/demo-1.2.3.tgz\"\n"
        "    - demo-1.2.3.tgz\n"
        "    digest: SHA256:ABCDEF\n"
        "    description: |\n"
        "      a block string\n"
        "      - with: lines that look like keys\n"
        "    annotations:\n"
        "      x: y\n"
        "  - urls: []\n"
        "    version: 0.9.0-rc.1\n"
        "  other:\n"
        "  - version: 2.0.0\n"
        "    urls:\n"
        "    - 'it''s.tgz'\n"
        "generated: '2026-08-20T09:00:00Z'\n"
    )
    scanned = scan_index(text)
    assert scanned == parse_index_yaml(text.encode(), "r")
    assert scanned is not None
    demo = scanned["demo"]
    assert [e.version for e in demo] == ["1.2.3", "0.9.0-rc.1"]
    assert demo[0].urls == ("https://h/demo-1.2.3.tgz", "demo-1.2.3.tgz")
    assert demo[0].digest == "abcdef"
    assert scanned["other"][0].urls == ("it's.tgz",)


@pytest.mark.parametrize(
    ("why", "body"),
    [
        ("flow style entries", "entries: {demo: [{version: 1.0.0}]}\n"),
        ("flow style list of a chart", HEAD + "  demo: [{version: 1.0.0}]\n"),
        ("a version YAML reads as a number", HEAD + "  demo:\n  - version: 1.10\n"),
        ("a version YAML reads as a boolean", HEAD + "  demo:\n  - version: yes\n"),
        ("an anchor", HEAD + "  demo:\n  - version: &v 1.0.0\n"),
        ("an escape in double quotes", HEAD + '  demo:\n  - version: "1.0.\\x30"\n'),
        ("a tab", HEAD + "  demo:\n  - version:\t1.0.0\n"),
        ("urls deeper than Helm has them", HEAD + "  demo:\n  - urls:\n      - a.tgz\n    version: 1.0.0\n"),
        ("the version on the next line", HEAD + "  demo:\n  - version:\n      1.0.0\n"),
        ("an entry without a version", HEAD + "  demo:\n  - urls: []\n"),
        ("a chart named twice", HEAD + "  demo:\n  - version: 1.0.0\n  demo:\n  - version: 1.0.1\n"),
        ("odd indentation", HEAD + "   demo:\n  - version: 1.0.0\n"),
        ("a second document", HEAD + "  demo:\n  - version: 1.0.0\n---\nentries: {}\n"),
        ("no entries at all", "apiVersion: v1\n"),
        ("a key twice in one entry", HEAD + "  demo:\n  - version: 1.0.0\n    version: 1.0.1\n"),
    ],
)
def test_anything_else_is_left_to_yaml(why: str, body: str) -> None:
    assert scan_index(body) is None, why


def test_parse_index_falls_back_to_yaml_with_the_same_result() -> None:
    text = b"apiVersion: v1\nentries:\n  demo: [{version: 1.0.0, urls: [demo-1.0.0.tgz], digest: AB}]\n"
    assert scan_index(text.decode()) is None
    index = parse_index(text, "https://r")
    assert index == parse_index_yaml(text, "https://r")
    assert index["demo"][0].urls == ("demo-1.0.0.tgz",) and index["demo"][0].digest == "ab"
