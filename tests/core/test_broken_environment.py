"""One environment whose var file cannot be read is that environment's problem: `envs` lists it with its
error and the others as usual (exit 1), `diff` of two others works, and plan names the parser's reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from k8sprov.errors import ExitCode
from tests.bundle.stack import make_project

BROKEN = 'environment = "basic"\nitems = {\n  one = \n'
REASON = "not valid HCL at line 3, column 9: unexpected end of line (expected a value)"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The null stack with a chart catalog (diff compares pins), plus two broken environments."""
    monkeypatch.setenv("COLUMNS", "200")  # the table's rows stay on one line each
    root = make_project(tmp_path / "proj")
    (root / "infra/envs/broken.tfvars").write_text(BROKEN)
    (root / "infra/envs/typo.tfvars").write_text('environment = "prodution"\n')
    return root


def test_envs_lists_every_environment_and_each_problem_in_its_row(project: Path, cli) -> None:
    result = cli("-C", str(project), "envs")
    assert result.exit_code == ExitCode.ERROR, result.output
    rows = {line.split()[0]: line for line in result.stdout.splitlines()[1:]}
    assert sorted(rows) == ["a", "b", "broken", "prod", "typo"]
    assert rows["a"].split()[1:3] == ["basic", "infra/envs/a.tfvars"]
    assert rows["prod"].split()[1] == "production"
    assert f"error: {REASON}" in rows["broken"]
    assert "error: 'environment' must be one of basic, staging, production, not 'prodution'" in rows["typo"]
    assert result.stderr.strip().splitlines() == [
        "error: 2 of 5 environments cannot be read: broken, typo — fix the var file"
        " (k8sprov lint --env broken --env typo shows where)"]


def test_envs_json_too(project: Path, cli) -> None:
    result = cli("-C", str(project), "envs", "--json")
    assert result.exit_code == ExitCode.ERROR
    rows = {row["name"]: row for row in json.loads(result.stdout)["environments"]}
    assert rows["b"]["profile"] == "staging" and rows["b"]["plan"] == "none"
    assert rows["broken"] == {"name": "broken", "var_file": "infra/envs/broken.tfvars", "error": REASON}
    assert "error" not in rows["a"]


def test_diff_of_two_good_environments_works_beside_a_broken_one(project: Path, cli) -> None:
    result = cli("-C", str(project), "diff", "a", "b")
    assert result.exit_code == ExitCode.OK, result.output
    assert "a and b are" in result.stdout
    json_result = cli("-C", str(project), "diff", "a", "prod", "--json")
    assert json_result.exit_code == ExitCode.OK and json.loads(json_result.stdout)
    named = cli("-C", str(project), "diff", "a", "broken")
    assert named.exit_code == ExitCode.USAGE
    assert named.stderr.strip().splitlines() == [
        f"error: {project}/infra/envs/broken.tfvars: {REASON} — fix the syntax and run again"]


def test_plan_of_the_broken_one_quotes_the_parser(project: Path, cli) -> None:
    result = cli("-C", str(project), "plan", "--env", "broken")
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.strip().splitlines() == [
        f"error: {project}/infra/envs/broken.tfvars: {REASON} — fix the syntax and run again"]
