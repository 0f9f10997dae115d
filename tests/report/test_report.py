"""`k8sprov report`: summaries of real plans merged into Markdown, JSON and HTML; totals and exit codes."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from k8sprov.report import MARKER, read_summaries, to_markdown
from k8sprov.report.comment import LIMIT
from tests.report.conftest import CANARY, Summaries, write_summary

pytestmark = pytest.mark.integration

# the three known plans (see conftest): per environment, then the fleet
EXPECTED = {
    "basic": {"create": 15, "update": 0, "replace": 0, "delete": 0},
    "production": {"create": 0, "update": 4, "replace": 0, "delete": 0},
    "staging": {"create": 1, "update": 0, "replace": 5, "delete": 4},
}
TOTALS = {"create": 16, "update": 4, "replace": 5, "delete": 4}
BUMPS = {"argo-cd": ("9.5.22", "9.7.1"), "kyverno": ("3.8.2", "3.9.0"),
         "kyverno-policies": ("3.8.2", "3.9.0"), "prometheus-operator-crds": ("30.0.1", "31.0.1")}


def _run(cli: Any, *args: str) -> Any:
    return cli("report", *args)


def test_merged_json_has_exact_totals(summaries: Summaries, cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = _run(cli, str(summaries.folder), "--json", str(out))
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["format_version"] == "1.0" and data["kind"] == "k8sprov-report"
    envs = {e["name"]: e for e in data["environments"]}
    assert list(envs) == ["basic", "production", "staging"]
    for name, counts in EXPECTED.items():
        assert {k: envs[name]["counts"][k] for k in counts} == counts, name
    assert {k: data["totals"]["counts"][k] for k in TOTALS} == TOTALS
    assert data["totals"]["environments"] == 3 and data["totals"]["with_changes"] == 3
    assert data["totals"]["failed"] == 0
    # staging: 4 deletes and 5 replacements that delete (tainted, triggers, ...) are destructive
    assert envs["staging"]["destructive_count"] == 9 == data["totals"]["destructive"]
    assert {d["action"] for d in envs["staging"]["destructive"]} == {"delete", "replace"}
    assert any(d["reason"] == "replace_because_tainted" for d in envs["staging"]["destructive"])
    helm = envs["production"]["helm_releases"]
    assert {r["name"]: (r["version_before"], r["version_after"]) for r in helm} == BUMPS
    assert {r["chart"] for r in envs["production"]["helm_releases"]} == set(BUMPS)
    assert data["detailed_exit_code"] == 2
    # the terminal gets one row per environment and the totals
    assert re.search(r"total\s+16\s+4\s+5\s+4", result.stdout), result.stdout


def test_markdown_comment(summaries: Summaries, cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "comment.md"
    files = [str(summaries.file(e)) for e in ("staging", "basic", "production")]
    result = _run(cli, *files, "--markdown", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert text.splitlines()[0] == MARKER
    assert "## k8sprov plans: 3 environments" in text
    assert "| **total** | | **16** | **4** | **5** | **4** | **0** | |" in text
    assert "| staging | staging | 1 | 0 | 5 | 4 | 0 | ⚠️ destroys |" in text
    # destructive changes come before the details
    assert text.index("### ⚠️ Destructive changes (9)") < text.index("### Details")
    assert text.count("<details>") == 3 and "left out" not in text
    assert "| argo-cd | argocd | argo-cd | 9.5.22 → **9.7.1** | update |" in text
    assert len(text) <= LIMIT


def test_markdown_trims_details_environment_by_environment(summaries: Summaries, tmp_path: Path) -> None:
    # 60 copies of the three real summaries: far more than one comment can hold
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(60):
        for env in ("basic", "production", "staging"):
            data = json.loads(summaries.file(env).read_text())
            data["environment"] = f"{env}-{i:02d}"
            (folder / f"{env}-{i:02d}.json").write_text(json.dumps(data))
    report = read_summaries([folder])
    text = to_markdown(report)
    assert len(text) <= LIMIT
    assert text.startswith(MARKER)
    # every environment keeps its totals row; some lose their details, and the comment says which and where
    assert all(f"| {e.name} |" in text for e in report.entries)
    match = re.search(r"\*\*Details of (\d+) environment\(s\) left out\*\*", text)
    assert match, text[-2000:]
    left_out = int(match.group(1))
    assert 0 < left_out < 180 and text.count("<details>") == 180 - left_out
    assert "JSON or HTML artefact" in text
    # environments with destructive changes keep their details longest
    assert "<b>staging-00</b>" in text


def test_exit_codes(summaries: Summaries, cli: Any) -> None:
    assert _run(cli, str(summaries.file("basic")), "--detailed-exitcode").exit_code == 2
    assert _run(cli, str(summaries.file("basic"))).exit_code == 0


def test_no_changes_exits_0_and_failure_wins(summaries: Summaries, real_plans: Any, cli: Any,
                                             tmp_path: Path) -> None:
    folder = tmp_path / "fleet"
    folder.mkdir()
    write_summary(folder, "quiet", real_plans.empty)
    assert _run(cli, str(folder), "--detailed-exitcode").exit_code == 0
    shutil.copy(summaries.file("production"), folder)
    assert _run(cli, str(folder), "--detailed-exitcode").exit_code == 2
    failed = json.loads(summaries.file("staging").read_text())
    failed.update(status="failed", error="terraform plan failed: Error: Invalid value for input variable",
                  changes=[], counts={}, has_changes=None, plan=None)
    (folder / "broken.json").write_text(json.dumps(dict(failed, environment="broken")))
    result = _run(cli, str(folder), "--detailed-exitcode", "--markdown", "-")
    assert result.exit_code == 1, result.output
    assert "### ❌ Failed plans (1)" in result.stdout
    assert "- **broken**: terraform plan failed: Error: Invalid value for input variable" in result.stdout
    assert _run(cli, str(folder)).exit_code == 0


def test_secrets_never_appear(summaries: Summaries, cli: Any, tmp_path: Path) -> None:
    # the canaries are in the plans the summaries were made from (sensitive variables, outputs, values) ...
    assert CANARY in json.dumps(summaries.plans["staging"])
    assert CANARY in json.dumps(summaries.plans["production"])
    outs = {"md": tmp_path / "r.md", "json": tmp_path / "r.json", "html": tmp_path / "r.html"}
    result = cli("--debug", "report", str(summaries.folder), "--markdown", str(outs["md"]), "--json",
                 str(outs["json"]), "--html", str(outs["html"]), "--detailed-exitcode")
    assert result.exit_code == 2, result.output
    # ... and in none of the outputs
    for path in outs.values():
        assert CANARY not in path.read_text(), path.name
    assert CANARY not in result.output


def test_folder_skips_other_json_with_a_note_and_a_named_file_is_an_error(summaries: Summaries, cli: Any,
                                                                          tmp_path: Path) -> None:
    folder = tmp_path / "artefacts"
    (folder / "nested").mkdir(parents=True)
    shutil.copy(summaries.file("staging"), folder / "nested" / "staging.json")
    (folder / "package.json").write_text('{"name": "x"}')
    (folder / "plan.json").write_text(json.dumps(summaries.plans["production"]))
    (folder / "notes.txt").write_text("not json")
    (folder / "broken.json").write_text("{")
    out = tmp_path / "r.json"
    result = _run(cli, str(folder), "--json", str(out))
    assert result.exit_code == 0, result.output
    assert [e["name"] for e in json.loads(out.read_text())["environments"]] == ["staging"]
    assert f"note: skipped {folder / 'plan.json'}: a Terraform plan JSON" in result.stderr
    assert f"note: skipped {folder / 'package.json'}" in result.stderr
    assert f"note: skipped {folder / 'broken.json'}: not JSON" in result.stderr
    assert "notes.txt" not in result.stderr
    # named explicitly, a non-summary is an error in one line, and nothing is written
    out.unlink()
    result = _run(cli, str(summaries.file("basic")), str(folder / "package.json"), "--json", str(out))
    assert result.exit_code == 64
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {folder / 'package.json'} is not a k8sprov plan summary")
    assert " — " in lines[0] and "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize(("args", "message"), [
    (["missing-folder"], "error: no such file or folder: missing-folder"),
    (["EMPTY"], "error: no k8sprov plan summaries in"),
    (["DUP"], "error: two summaries for staging"),
    (["SUMMARIES", "--json", "no/such/dir/r.json"], "error: cannot write no/such/dir/r.json: the folder"),
    (["SUMMARIES", "--json", "-", "--html", "-"], "error: only one output can go to stdout (-) — write"),
])
def test_bad_input_is_one_line(summaries: Summaries, cli: Any, tmp_path: Path, args: list[str],
                               message: str) -> None:
    (tmp_path / "EMPTY").mkdir()
    (tmp_path / "DUP").mkdir()
    shutil.copy(summaries.file("staging"), tmp_path / "DUP" / "a.json")
    shutil.copy(summaries.file("staging"), tmp_path / "DUP" / "b.json")
    args = [str(summaries.folder) if a == "SUMMARIES" else a for a in args]
    result = cli("report", *args, cwd=tmp_path)
    assert result.exit_code == 64, result.output
    assert result.stderr.startswith(message) and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.output


def test_reads_plan_all_documents_and_drift_summaries(summaries: Summaries, cli: Any, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    # what `k8sprov plan --all --json` writes: counts and status per environment, a failure included
    (folder / "fleet.json").write_text(json.dumps({"environments": [
        {"name": "edge-1", "status": "changes", "error": None,
         "counts": {"create": 2, "update": 0, "replace": 0, "delete": 1},
         "seconds": 1.2, "log": ".k8sprov/logs/edge-1.log"},
        {"name": "edge-2", "status": "failed", "counts": {}, "error": "edge-2: terraform plan failed",
         "seconds": 0.4, "log": ".k8sprov/logs/edge-2.log"}], "exit_code": 1}))
    # a drift summary: the plan summary format plus "kind": "drift"
    drift = json.loads(summaries.file("production").read_text())
    drift["kind"] = "drift"
    (folder / "production-drift.json").write_text(json.dumps(drift))
    shutil.copy(summaries.file("production"), folder)
    out = tmp_path / "r.json"
    result = _run(cli, str(folder), "--json", str(out), "--detailed-exitcode")
    assert result.exit_code == 1, result.output
    data = json.loads(out.read_text())
    entries = {(e["name"], e["kind"]): e for e in data["environments"]}
    assert set(entries) == {("edge-1", "plan"), ("edge-2", "plan"), ("production", "plan"),
                            ("production", "drift")}
    assert entries[("edge-2", "plan")]["status"] == "failed" and not entries[("edge-1", "plan")]["detailed"]
    assert entries[("production", "drift")]["counts"]["update"] == 4
    assert data["totals"]["counts"]["delete"] == 1 and data["totals"]["failed"] == 1


def test_json_to_stdout_is_only_json(summaries: Summaries, cli: Any) -> None:
    result = _run(cli, str(summaries.folder), "--json", "-")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["totals"]["environments"] == 3
