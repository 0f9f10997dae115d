"""Every real plan in corpus/ (OpenTofu's show-json test data) parses, counts match, renders."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from k8sprov.planview import PlanHeader, summarize, to_json, to_markdown
from k8sprov.planview.summary import normalize_action
from tests.planview.conftest import corpus_files
from tests.planview.helpers import rich_text


def _expected_counts(doc: dict[str, object]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for entry in doc.get("resource_changes") or []:  # type: ignore[attr-defined]
        counts[normalize_action(tuple(entry["change"]["actions"]))] += 1
    return counts


def test_corpus_is_present_and_not_empty() -> None:
    files = corpus_files()
    assert len(files) >= 8, f"expected the 8 corpus files, found {[f.name for f in files]}"


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_corpus_file_parses_counts_match_and_renders(path: Path) -> None:
    doc = json.loads(path.read_text())
    s = summarize(doc)
    expected = _expected_counts(doc)
    got = {k: v for k, v in s.counts.items() if v and k not in ("drift", "moves", "import")}
    assert got == dict(expected)
    assert len(s.changes) == len(doc.get("resource_changes") or [])
    # every renderer copes with it
    header = PlanHeader(environment="corpus")
    out = rich_text(s, header, detail=True)
    assert ("No changes" in out) != s.has_changes
    data = to_json(s, header)
    assert data["counts"] == dict(s.counts)
    json.dumps(data)
    assert to_markdown(s, header).startswith("### Terraform plan")


def test_corpus_specifics() -> None:
    by_name = {p.name: summarize(json.loads(p.read_text())) for p in corpus_files()}
    replace = by_name["requires-replace.json"]
    (c,) = replace.listed
    assert (c.action, c.reason, c.replace_paths) == ("replace", "replace_because_cannot_update", ("ami",))
    delete = by_name["basic-delete.json"]
    assert (
        next(c for c in delete.listed if c.action == "delete").reason == "delete_because_no_resource_config"
    )
    nested = by_name["nested-modules.json"]
    assert nested.listed[0].module == "module.my_module.module.more"
    moved = by_name["multi-resource-update.json"]
    assert moved.counts["moves"] == 1 and moved.has_changes
    unknown = by_name["unknown-output.json"]
    assert unknown.has_changes and unknown.changes == ()
    assert {o.name for o in unknown.output_changes} == {"foo", "bar", "baz"}
    assert not by_name["basic-update.json"].has_changes
