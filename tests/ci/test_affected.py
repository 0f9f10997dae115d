"""`k8sprov affected --since REF` on a real git repository holding a copy of the project: each kind of change
gives exactly the environments whose plan it can alter, with the reasons."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.ci.gitrepo import ALL, commit_all, git, make_origin

VERSIONS = Path("terraform/modules/provision_k8s/versions.tf")


@pytest.fixture
def affected(cli: Any, repo: Path) -> Callable[..., dict[str, Any]]:
    def run(*extra: str) -> dict[str, Any]:
        result = cli("-C", str(repo), "affected", "--since", "origin/main", "--json", *extra)
        assert result.exit_code == 0, result.output
        data: dict[str, Any] = json.loads(result.stdout)
        return data
    return run


def envs(data: dict[str, Any]) -> dict[str, list[str]]:
    return {env["name"]: env["reasons"] for env in data["environments"]}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_nothing_changed_affects_nothing(affected: Callable[..., dict[str, Any]]) -> None:
    data = affected()
    assert data["environments"] == [] and data["removed"] == [] and data["not_affecting"] == []
    assert data["since"] == "origin/main" and re.fullmatch(r"[0-9a-f]{40}", data["base"])


def test_a_committed_env_file_change_affects_that_environment(repo: Path, affected: Any) -> None:
    edit(repo / "infra/envs/staging.tfvars", '"k8sprov.io/tier" = "staging"', '"k8sprov.io/tier" = "soak"')
    commit_all(repo)
    data = affected()
    assert envs(data) == {"staging": ["infra/envs/staging.tfvars changed"]}
    assert data["environments"][0]["profile"] == "staging"


def test_an_env_file_added_by_the_user_and_not_yet_committed_counts(repo: Path, affected: Any) -> None:
    (repo / "infra/envs/lab.tfvars").write_text('environment = "staging"\nenvironment_name = "lab"\n')
    data = affected()
    assert envs(data) == {"lab": ["infra/envs/lab.tfvars added"]}
    assert data["environments"][0]["profile"] == "staging"


def test_a_new_environment_is_also_affected_by_its_profiles_values(repo: Path, affected: Any) -> None:
    (repo / "infra/envs/lab.tfvars").write_text('environment = "staging"\n')
    commit_all(repo)
    edit(repo / "infra/values/kyverno/staging.yaml", "\n", "\n# more replicas soon\n")
    data = affected()
    why = "infra/values/kyverno/staging.yaml changed"
    assert envs(data) == {"lab": ["infra/envs/lab.tfvars added", why], "staging": [why], "staging-eu": [why]}


def test_a_values_file_affects_exactly_the_environments_of_its_profile(repo: Path, affected: Any) -> None:
    edit(repo / "infra/values/argo-cd/basic.yaml", "\n", "\n# tuned\n")
    git(repo, "add", "-A")  # staged, not committed
    data = affected()
    assert envs(data) == {"basic": ["infra/values/argo-cd/basic.yaml changed"],
                          "edge": ["infra/values/argo-cd/basic.yaml changed"]}


def test_a_backend_file_affects_its_environment(repo: Path, affected: Any) -> None:
    (repo / "infra/backends/production.hcl").write_text('conn_str = "postgres://db/terraform"\n')
    (repo / "infra/backends/nobody.hcl").write_text('conn_str = "postgres://db/terraform"\n')
    data = affected()
    assert envs(data) == {"production": ["infra/backends/production.hcl added"]}
    assert data["not_affecting"] == ["infra/backends/nobody.hcl"]


def test_a_pin_change_in_versions_tf_affects_only_the_profiles_whose_pins_changed(
        repo: Path, affected: Any) -> None:
    # basic and staging pin the same kyverno version: only the staging pin moves.
    text = (repo / VERSIONS).read_text()
    staging_at = text.index("    staging = {")
    head, tail = text[:staging_at], text[staging_at:]
    tail = tail.replace('"kyverno" = "3.9.0"', '"kyverno" = "3.9.1"', 1)
    (repo / VERSIONS).write_text(head + tail)
    commit_all(repo)
    data = affected()
    why = f"{VERSIONS}: staging pins kyverno 3.9.0 → 3.9.1"
    assert envs(data) == {"staging": [why], "staging-eu": [why]}


def test_comments_and_layout_in_versions_tf_affect_nothing(repo: Path, affected: Any) -> None:
    edit(repo / VERSIONS, "  chart_versions = {", "  # reviewed weekly\n  chart_versions = {")
    edit(repo / VERSIONS, '"kyverno"                  = "3.8.2"', '"kyverno" = "3.8.2"')
    data = affected()
    assert data["environments"] == []
    assert data["not_affecting"] == [str(VERSIONS)]


def test_a_catalog_entry_change_affects_the_profiles_pinning_that_chart(repo: Path, affected: Any) -> None:
    edit(repo / VERSIONS, 'namespace  = "argocd"', 'namespace  = "argo"')
    data = affected()
    why = f"{VERSIONS}: chart_catalog entry argo-cd changed"
    assert envs(data) == {name: [why] for name in ALL}


def test_the_terraform_block_of_versions_tf_affects_every_environment(repo: Path, affected: Any) -> None:
    edit(repo / VERSIONS, 'required_version = ">= 1.5"', 'required_version = ">= 1.6"')
    data = affected()
    why = f"{VERSIONS}: changed outside chart_catalog and chart_versions (every environment)"
    assert envs(data) == {name: [why] for name in ALL}


def test_a_lock_entry_affects_the_profiles_pinning_it(repo: Path, affected: Any) -> None:
    lock_file = repo / "charts/charts.lock"
    lock = json.loads(lock_file.read_text())
    for entry in lock["charts"]:
        if (entry["name"], entry["version"]) == ("argo-cd", "9.7.1"):  # production's pin only
            entry["sha256"] = "f" * 64
    lock_file.write_text(json.dumps(lock, indent=2) + "\n")
    commit_all(repo)
    data = affected()
    assert envs(data) == {"production": ["charts/charts.lock: argo-cd 9.7.1 changed"]}


def test_an_archive_under_charts_affects_the_profiles_pinning_it(repo: Path, affected: Any) -> None:
    (repo / "charts/kyverno-3.8.2.tgz").write_bytes(b"\x1f\x8b archive")
    (repo / "charts/kyverno-0.0.1.tgz").write_bytes(b"\x1f\x8b unpinned")
    data = affected()
    assert envs(data) == {"production": ["charts/kyverno-3.8.2.tgz added"]}
    assert data["not_affecting"] == ["charts/kyverno-0.0.1.tgz"]


def test_any_other_terraform_source_affects_every_environment(repo: Path, affected: Any) -> None:
    edit(repo / "terraform/main.tf", "\n", "\n# wiring reviewed\n")  # unstaged, uncommitted
    (repo / "terraform/README.md").write_text("# The stack\n")  # Terraform does not read it
    data = affected()
    assert envs(data) == {name: ["terraform/main.tf changed (every environment)"] for name in ALL}
    assert data["not_affecting"] == ["terraform/README.md"]


def test_docs_readme_and_tests_affect_nothing(repo: Path, affected: Any) -> None:
    edit(repo / "README.md", "\n", "\nMore words.\n")
    edit(repo / "docs/charts.md", "\n", "\nMore words.\n")
    edit(repo / "tests/test_docs.py", "\n", "\n# more\n")
    commit_all(repo)
    data = affected()
    assert data["environments"] == [] and data["removed"] == []
    assert data["not_affecting"] == ["README.md", "docs/charts.md", "tests/test_docs.py"]


def test_a_deleted_env_file_is_reported_removed_not_planned(repo: Path, affected: Any, cli: Any) -> None:
    (repo / "infra/envs/edge.tfvars").unlink()
    commit_all(repo)
    data = affected()
    assert data["environments"] == []
    assert data["removed"] == [{"name": "edge", "reasons": ["infra/envs/edge.tfvars deleted"]}]
    text = cli("-C", str(repo), "affected", "--since", "origin/main")
    assert text.exit_code == 0
    assert ("edge: removed (infra/envs/edge.tfvars deleted) — its resources stay until destroyed"
            in text.stdout)


def test_a_renamed_env_file_is_one_removed_and_one_new_environment(repo: Path, affected: Any) -> None:
    git(repo, "mv", "infra/envs/edge.tfvars", "infra/envs/edge-1.tfvars")
    data = affected()
    assert envs(data) == {"edge-1": ["infra/envs/edge-1.tfvars added"]}
    assert [gone["name"] for gone in data["removed"]] == ["edge"]


def test_changes_on_the_target_branch_after_branching_off_do_not_count(
        origin: Path, repo: Path, affected: Any) -> None:
    git(repo, "checkout", "-qb", "feature")
    edit(repo / "infra/envs/basic.tfvars", "\n", "\n# feature\n")
    commit_all(repo)
    edit(origin / "infra/envs/production.tfvars", "\n", "\n# merged meanwhile\n")  # main moves on
    commit_all(origin)
    try:
        git(repo, "fetch", "-q", "origin")
        assert envs(affected()) == {"basic": ["infra/envs/basic.tfvars changed"]}
    finally:
        git(origin, "reset", "-q", "--hard", "HEAD~1")


def test_a_project_in_a_subfolder_of_the_repository(tmp_path: Path, cli: Any) -> None:
    top = tmp_path / "mono"
    top.mkdir()
    make_origin(top / "platform")
    (top / "platform" / ".git").rename(top / ".git")
    git(top, "add", "-A")
    commit_all(top, "moved into platform/")
    edit(top / "platform/infra/envs/production.tfvars", "\n", "\n# x\n")
    (top / "infra").mkdir()
    (top / "infra/other.txt").write_text("not the project\n")
    result = cli("-C", str(top / "platform"), "affected", "--since", "HEAD", "--json")
    assert result.exit_code == 0, result.output
    assert envs(json.loads(result.stdout)) == {"production": ["infra/envs/production.tfvars changed"]}


def test_outside_a_git_repository_is_one_line(tmp_path: Path, cli: Any) -> None:
    project = tmp_path / "plain"
    (project / "terraform").mkdir(parents=True)
    (project / "infra" / "envs").mkdir(parents=True)
    result = cli("-C", str(project), "affected", "--since", "main")
    assert result.exit_code == 64
    assert result.stderr == f"error: {project}: not a git repository — run inside a clone of the project" \
                            " (affected environments come from git)\n"


def test_an_unknown_ref_says_how_to_get_it(cli: Any, repo: Path) -> None:
    result = cli("-C", str(repo), "affected", "--since", "origin/release-9")
    assert result.exit_code == 64
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert lines[0].startswith("error: unknown git ref 'origin/release-9' — fetch it first"
                               " (git fetch origin release-9)")
    assert "fetch-depth: 0" in lines[0]


def test_text_output_lists_each_environment_with_its_reasons(cli: Any, repo: Path) -> None:
    edit(repo / "infra/values/kyverno/production.yaml", "\n", "\n# x\n")
    result = cli("-C", str(repo), "affected", "--since", "origin/main")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("1 environment(s) affected since origin/main (merge base ")
    assert lines[1:] == ["  production (production)", "      infra/values/kyverno/production.yaml changed"]


def test_without_git_on_path_it_is_one_line(cli: Any, repo: Path, monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = cli("-C", str(repo), "affected", "--since", "origin/main")
    assert result.exit_code == 1
    assert result.stderr == ("error: git not found on PATH — install git (affected environments come"
                             " from git)\n")


def test_only_the_seams_start_processes() -> None:
    """One module per outside world starts processes: git, terraform, helm."""
    import ast

    package = Path(__file__).resolve().parents[2] / "k8sprov"
    starters = set()
    calls = {"subprocess": ("run", "Popen", "call", "check_output"), "os": ("system", "popen", "execvp")}
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            func = node.func if isinstance(node, ast.Call) else None
            if (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                    and func.attr in calls.get(func.value.id, ())):
                starters.add(str(path.relative_to(package)))
    assert starters == {"git.py", "terraform.py", "helm.py"}


def test_a_repository_git_does_not_trust_says_how_to_trust_it(cli: Any, repo: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """What git answers in a CI container whose user does not own the checkout (a stand-in git says it)."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "git").write_text("#!/bin/sh\n"
                              "echo \"fatal: detected dubious ownership in repository at '$PWD'\" >&2\n"
                              "exit 128\n")
    (fake / "git").chmod(0o755)
    monkeypatch.setenv("PATH", str(fake))
    result = cli("-C", str(repo), "affected", "--since", "origin/main")
    assert result.exit_code == 64
    assert result.stderr == (f"error: {repo}: git refuses a repository owned by another user — trust it:"
                             f" git config --global --add safe.directory {repo}\n")
