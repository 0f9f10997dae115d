"""After `promote`, the CI gate (`update-charts --check`) passes; a pin moving back is refused unless asked
for, and flagged by `diff` and `promote`."""

from __future__ import annotations

import json

from tests.charts.conftest import World
from tests.promotion.conftest import VERSIONS_TF, promote, snapshot

OLD_PRODUCTION = ["argo-cd-9.7.1.tgz", "kyverno-3.8.2.tgz", "kyverno-policies-3.8.2.tgz",
                  "prometheus-operator-crds-30.0.1.tgz"]


def _gate(proj: World) -> object:
    return proj.cli("-C", str(proj.project), "update-charts", "--check")


def test_the_ci_gate_passes_after_a_promotion(proj: World) -> None:
    assert proj.run().exit_code == 0  # every profile vendored: the tree a CI gate accepts
    assert _gate(proj).exit_code == 0
    dry = promote(proj, "--from", "staging", "--to", "production", "--dry-run")
    assert dry.exit_code == 0, dry.output
    for name in OLD_PRODUCTION:
        assert f"would remove charts/{name} (no profile pins it any more)" in dry.stdout
        assert (proj.charts_dir / name).is_file()

    result = promote(proj, "--from", "staging", "--to", "production")
    assert result.exit_code == 0, result.output
    gate = _gate(proj)
    assert gate.exit_code == 0, gate.output
    lines = result.stdout.rstrip().splitlines()
    assert lines[-5:-1] == [f"removed charts/{n} (no profile pins it any more)" for n in OLD_PRODUCTION]
    assert lines[-1] == "next: k8sprov plan --env production"
    lock = json.loads((proj.charts_dir / "charts.lock").read_text())
    assert {f"{e['name']}-{e['version']}.tgz" for e in lock["charts"]}.isdisjoint(OLD_PRODUCTION)
    assert not any((proj.charts_dir / name).exists() for name in OLD_PRODUCTION)


def test_an_archive_another_profile_still_pins_stays(proj: World) -> None:
    assert proj.run().exit_code == 0
    path = proj.project / VERSIONS_TF
    # basic keeps argo-cd 9.7.1: promoting staging's 10.1.1 to production must not remove that archive
    text = path.read_text()
    head, sep, tail = text.partition("    basic = {")
    path.write_text(head + sep + tail.replace('"argo-cd" = "10.1.1"', '"argo-cd" = "9.7.1"', 1))
    assert proj.run().exit_code == 0
    result = promote(proj, "--from", "staging", "--to", "production", "--chart", "argo-cd")
    assert result.exit_code == 0, result.output
    assert (proj.charts_dir / "argo-cd-9.7.1.tgz").is_file()
    assert "removed" not in result.stdout
    assert _gate(proj).exit_code == 0


def test_a_downgrade_is_refused_in_one_line_unless_allowed(proj: World) -> None:
    assert proj.run().exit_code == 0
    tree = snapshot(proj.project)
    refused = promote(proj, "--from", "production", "--to", "staging", "--chart", "argo-cd")
    assert refused.exit_code == 64, refused.output
    (line,) = refused.stderr.strip().splitlines()
    assert line == ("error: promoting production to staging would downgrade argo-cd 10.1.1 → 9.7.1 — "
                    "pass --allow-downgrade to move back on purpose, or leave those out with --chart")
    assert snapshot(proj.project) == tree
    also_dry = promote(proj, "--from", "production", "--to", "staging", "--dry-run")
    assert also_dry.exit_code == 64 and "kyverno 3.9.0 → 3.8.2" in also_dry.stderr

    allowed = promote(proj, "--from", "production", "--to", "staging", "--chart", "argo-cd",
                      "--allow-downgrade")
    assert allowed.exit_code == 0, allowed.output
    assert "  argo-cd: 10.1.1 -> 9.7.1  (downgrade)" in allowed.stdout.splitlines()
    upgrade = promote(proj, "--from", "basic", "--to", "staging", "--chart", "argo-cd")
    assert upgrade.exit_code == 0, upgrade.output
    assert "  argo-cd: 9.7.1 -> 10.1.1" in upgrade.stdout.splitlines()


def test_diff_flags_what_a_promotion_would_move_back(proj: World) -> None:
    base = ("-C", str(proj.project), "diff")
    ahead = proj.cli(*base, "production", "staging")
    assert ahead.exit_code == 0, ahead.output
    row = next(line for line in ahead.stdout.splitlines() if line.strip().startswith("argo-cd"))
    assert row.split()[-3:] == ["differs", "(staging", "newer)"]
    assert ("downgrade: promote --from production --to staging would move staging back: "
            "prometheus-operator-crds 31.0.1 → 30.0.1, kyverno 3.9.0 → 3.8.2, "
            "kyverno-policies 3.9.0 → 3.8.2, argo-cd 10.1.1 → 9.7.1") in " ".join(ahead.stdout.split())
    data = json.loads(proj.cli(*base, "production", "staging", "--json").stdout)
    assert {c["chart"]: (c["newer"], c["downgrade"]) for c in data["charts"]}["argo-cd"] == ("b", True)
    markdown = proj.cli(*base, "production", "staging", "--markdown").stdout
    assert "| argo-cd | 9.7.1 (not locked) | 10.1.1 (not locked) | differs (staging newer) |" in markdown
    usual = proj.cli(*base, "staging", "production")
    assert "downgrade" not in usual.stdout and "newer" not in usual.stdout
    usual_json = json.loads(proj.cli(*base, "staging", "production", "--json").stdout)
    assert {c["newer"] for c in usual_json["charts"]} == {"a"}
    assert not any(c["downgrade"] for c in usual_json["charts"])
