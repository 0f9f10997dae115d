"""promote end to end: the shipped versions.tf edited byte by byte, vendoring through the loopback world."""

from __future__ import annotations

import difflib
import json
import re
import subprocess

import pytest

from k8sprov.hcl import load_hcl
from tests.charts import builders
from tests.charts.conftest import World, server_path
from tests.kit.fetch_terraform import TerraformKit
from tests.promotion.conftest import VERSIONS_TF, promote, snapshot

STAGING = {"prometheus-operator-crds": "31.0.1", "kyverno": "3.9.0", "kyverno-policies": "3.9.0",
           "argo-cd": "10.1.1"}
PRODUCTION = {"prometheus-operator-crds": "30.0.1", "kyverno": "3.8.2", "kyverno-policies": "3.8.2",
              "argo-cd": "9.7.1"}


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    """(old line, new line) pairs of a same-length edit; fails if lines were added or removed."""
    a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    assert len(a) == len(b), "an edit of pin literals never adds or removes lines"
    return [(x, y) for x, y in zip(a, b, strict=True) if x != y]


def production_pins(text: str) -> dict[str, str]:
    data = load_hcl_text(text)
    return dict(data["production"])


def load_hcl_text(text: str) -> dict[str, dict[str, str]]:
    import hcl2
    from hcl2.utils import SerializationOptions

    opts = SerializationOptions(strip_string_quotes=True, with_comments=False, explicit_blocks=False)
    data = hcl2.loads(text, serialization_options=opts)
    block = next(b for b in data["locals"] if "chart_versions" in b)
    return block["chart_versions"]  # type: ignore[no-any-return]


def test_promote_edits_only_the_target_pins_then_vendors_and_a_second_run_has_nothing_to_do(
    proj: World, tf_kit: TerraformKit
) -> None:
    assert proj.run("--profile", "production").exit_code == 0
    path = proj.project / VERSIONS_TF
    before = path.read_text()
    lock_before = json.loads((proj.charts_dir / "charts.lock").read_text())
    assert {(e["name"], e["version"]) for e in lock_before["charts"]} == set(PRODUCTION.items())

    result = promote(proj, "--from", "staging", "--to", "production")
    assert result.exit_code == 0, result.output
    after = path.read_text()
    # Byte by byte: exactly the four production pin lines differ, and only inside their string literal.
    pairs = changed_lines(before, after)
    assert len(pairs) == 4
    for old, new in pairs:
        chart = re.match(r'\s*"([^"]+)"', old)
        assert chart is not None
        name = chart.group(1)
        assert old == new.replace(f'"{STAGING[name]}"', f'"{PRODUCTION[name]}"'), (old, new)
    assert after == _expected(before)
    assert load_hcl_text(after)["production"] == STAGING
    assert load_hcl_text(after)["staging"] == STAGING and load_hcl_text(after)["basic"] == STAGING
    fmt = subprocess.run([str(tf_kit.terraform), "fmt", "-check", "-diff", "-"], input=after, text=True,
                         capture_output=True, check=False)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr
    # Vendored: the lock now holds the promoted versions (the old ones, pinned by no profile, are gone).
    lock = {(e["name"], e["version"]): e for e in json.loads((proj.charts_dir / "charts.lock").read_text())
            ["charts"]}
    for name, version in STAGING.items():
        assert lock[(name, version)]["sha256"] == builders.sha256(proj.archives[(name, version)])
        assert (proj.charts_dir / f"{name}-{version}.tgz").read_bytes() == proj.archives[(name, version)]
    out = result.stdout
    assert f"--- a/{VERSIONS_TF}" in out and '-      "argo-cd"                  = "9.7.1"' in out
    assert '+      "argo-cd"                  = "10.1.1"' in out
    assert "validationFailureAction" in out and "Audit" in out and "Enforce" in out  # values that stay
    assert out.rstrip().endswith("next: k8sprov plan --env production")

    tree = snapshot(proj.project)
    again = promote(proj, "--from", "staging", "--to", "production")
    assert again.exit_code == 0, again.output
    assert again.stdout.startswith("nothing to promote")
    assert snapshot(proj.project) == tree


def _expected(before: str) -> str:
    """The shipped file with the production block's four literals replaced, computed independently."""
    head, _, tail = before.partition("    production = {")
    for name, old in PRODUCTION.items():
        tail = tail.replace(f'"{name}"', f"@{name}@", 1)
        pattern = rf'(@{re.escape(name)}@\s*=\s*)"{re.escape(old)}"'
        tail = re.sub(pattern, rf'\g<1>"{STAGING[name]}"', tail, count=1)
        tail = tail.replace(f"@{name}@", f'"{name}"')
    return head + "    production = {" + tail


def test_dry_run_prints_the_change_and_writes_nothing(proj: World) -> None:
    tree = snapshot(proj.project)
    result = promote(proj, "--from", "staging", "--to", "production", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "dry run: nothing written" in result.stdout
    assert '+      "kyverno"                  = "3.9.0"' in result.stdout
    assert result.stdout.rstrip().endswith("next: k8sprov plan --env production")
    assert snapshot(proj.project) == tree
    assert proj.repo.log == [] and proj.gh.log == []  # not even an index request


def test_lockstep_charts_move_together_unless_forced(proj: World) -> None:
    tree = snapshot(proj.project)
    refused = promote(proj, "--from", "staging", "--to", "production", "--chart", "kyverno")
    assert refused.exit_code == 64, refused.output
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and "lockstep" in lines[0] and "--chart kyverno-policies" in lines[0]
    assert snapshot(proj.project) == tree

    both = promote(proj, "--from", "staging", "--to", "production", "--chart", "kyverno", "--chart",
                   "kyverno-policies", "--dry-run")
    assert both.exit_code == 0, both.output
    assert "kyverno: 3.8.2 -> 3.9.0" in both.stdout and "kyverno-policies: 3.8.2 -> 3.9.0" in both.stdout
    assert "argo-cd:" not in both.stdout

    forced = promote(proj, "--from", "staging", "--to", "production", "--chart", "kyverno", "--force")
    assert forced.exit_code == 0, forced.output
    pins = load_hcl_text((proj.project / VERSIONS_TF).read_text())["production"]
    assert pins == {**PRODUCTION, "kyverno": "3.9.0"}


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--from", "nowhere", "--to", "production"), "unknown environment or profile 'nowhere'"),
        (("--from", "staging", "--to", "qa"), "unknown environment or profile 'qa'"),
        (("--from", "staging", "--to", "production", "--chart", "redis"), "unknown chart 'redis'"),
        (("--from", "staging", "--to", "staging"), "are the same"),
        (("--from", "production", "--to", "prod-eu"), "both profile production"),
    ],
)
def test_refusals_are_one_line_exit_64_and_write_nothing(proj: World, args: tuple[str, ...],
                                                          needle: str) -> None:
    tree = snapshot(proj.project)
    result = promote(proj, *args)
    assert result.exit_code == 64, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0], result.stderr
    assert snapshot(proj.project) == tree


def test_a_pin_that_is_not_a_literal_is_refused(proj: World) -> None:
    path = proj.project / VERSIONS_TF
    text = path.read_text().replace('"argo-cd"                  = "9.7.1"',
                                    '"argo-cd"                  = "9.7.${1}"')
    path.write_text(text)
    tree = snapshot(proj.project)
    result = promote(proj, "--from", "staging", "--to", "production")
    assert result.exit_code == 64, result.output
    line = result.stderr.strip()
    assert "\n" not in line and "production pin of argo-cd is not a string literal" in line
    assert snapshot(proj.project) == tree
    # Other charts can still be promoted around it.
    ok = promote(proj, "--from", "staging", "--to", "production", "--chart", "argo-cd", "--dry-run")
    assert ok.exit_code == 64
    fine = promote(proj, "--from", "staging", "--to", "production", "--chart", "prometheus-operator-crds",
                   "--dry-run")
    assert fine.exit_code == 0, fine.output


def test_failed_vendoring_rolls_everything_back(proj: World) -> None:
    assert proj.run("--profile", "production").exit_code == 0
    key = ("argo-cd", "10.1.1")
    server, route = server_path(proj, key)
    server.routes[route].body = b"not the archive the index names"
    tree = snapshot(proj.project)
    result = promote(proj, "--from", "staging", "--to", "production")
    assert result.exit_code == 1, result.output
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: vendoring for profile production failed, promotion rolled back:"
                           " argo-cd 10.1.1")
    # versions.tf, charts.lock and charts/ are exactly as before: the three archives that did verify are gone.
    assert snapshot(proj.project) == tree
    assert proj.leftovers() == []


def test_unified_diff_in_output_applies_to_the_file(proj: World) -> None:
    """The printed diff is a real unified diff of versions.tf: applying it gives the written file."""
    before = (proj.project / VERSIONS_TF).read_text()
    result = promote(proj, "--from", "staging", "--to", "production", "--chart", "argo-cd", "--dry-run")
    assert result.exit_code == 0, result.output
    expected = "".join(difflib.unified_diff(
        before.splitlines(keepends=True),
        before.replace('"argo-cd"                  = "9.7.1"', '"argo-cd"                  = "10.1.1"')
        .splitlines(keepends=True), f"a/{VERSIONS_TF}", f"b/{VERSIONS_TF}"))
    assert expected.rstrip("\n") in result.stdout
    assert load_hcl(proj.project / VERSIONS_TF)  # still parses (unchanged)
