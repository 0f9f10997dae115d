"""`k8sprov ci matrix` (GitHub, GitLab, JSON) and `plan --all --shard I/N`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from k8sprov.shard import parse_shard, select, shard_of
from tests.ci.gitrepo import ALL, commit_all


def _values_change(repo: Path, profile: str) -> None:
    path = repo / "infra" / "values" / "kyverno" / f"{profile}.yaml"
    path.write_text(path.read_text() + "# tuned\n")


def test_github_matrix_is_valid_fromjson_input_with_one_entry_per_affected_env(cli: Any, repo: Path) -> None:
    _values_change(repo, "staging")
    result = cli("-C", str(repo), "ci", "matrix", "--since", "origin/main", "--format", "github")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("\n") == 1  # one line: `echo "matrix=$(...)" >> $GITHUB_OUTPUT` needs that
    data = json.loads(result.stdout)
    assert data == {"include": [{"env": "staging", "profile": "staging"},
                                {"env": "staging-eu", "profile": "staging"}]}


def test_github_matrix_without_since_lists_every_environment(cli: Any, repo: Path) -> None:
    result = cli("-C", str(repo), "ci", "matrix")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [entry["env"] for entry in data["include"]] == ALL
    assert {entry["profile"] for entry in data["include"]} == {"basic", "staging", "production"}


def test_an_empty_change_gives_an_empty_matrix_ci_can_skip(cli: Any, repo: Path) -> None:
    (repo / "docs" / "charts.md").write_text("# rewritten\n")
    commit_all(repo)
    result = cli("-C", str(repo), "ci", "matrix", "--since", "origin/main")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"include": []}
    as_json = cli("-C", str(repo), "ci", "matrix", "--since", "origin/main", "--format", "json")
    assert json.loads(as_json.stdout)["count"] == 0


def test_gitlab_child_pipeline_has_a_plan_job_per_env_and_a_report_needing_them(cli: Any, repo: Path) -> None:
    _values_change(repo, "production")
    (repo / "infra" / "envs" / "lab.tfvars").write_text('environment = "basic"\n')
    result = cli("-C", str(repo), "ci", "matrix", "--since", "origin/main", "--format", "gitlab",
                 "--include", "ci/k8sprov.yml")
    assert result.exit_code == 0, result.output
    doc = yaml.safe_load(result.stdout)
    assert doc["include"] == [{"local": "ci/k8sprov.yml"}]
    assert doc["env:lab"] == {"extends": ".k8sprov-env", "resource_group": "k8sprov-lab",
                              "variables": {"K8SPROV_ENV": "lab", "K8SPROV_PROFILE": "basic"}}
    assert doc["env:production"]["variables"]["K8SPROV_ENV"] == "production"
    assert doc["report"] == {"extends": ".k8sprov-report", "needs": ["env:lab", "env:production"]}
    assert [key for key in doc if key.startswith("env:")] == ["env:lab", "env:production"]


def test_gitlab_child_pipeline_for_no_change_still_has_a_job(cli: Any, repo: Path) -> None:
    result = cli("-C", str(repo), "ci", "matrix", "--since", "origin/main", "--format", "gitlab")
    assert result.exit_code == 0, result.output
    doc = yaml.safe_load(result.stdout)
    jobs = [key for key in doc if key not in ("stages", "include")]
    assert jobs == ["no environment affected"]  # GitLab refuses a child pipeline without jobs
    assert "include" not in doc


def test_json_format_carries_the_reasons(cli: Any, repo: Path) -> None:
    _values_change(repo, "basic")
    result = cli("-C", str(repo), "ci", "matrix", "--since", "origin/main", "--format", "json")
    data = json.loads(result.stdout)
    assert data["count"] == 2 and data["since"] == "origin/main"
    assert data["environments"][0] == {"env": "basic", "profile": "basic",
                                       "reasons": ["infra/values/kyverno/basic.yaml changed"]}


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "circle"], "error: --format 'circle': unknown format — use github, gitlab or json"),
    (["--include", "x.yml"],
     "error: --include is for --format gitlab — drop --include or add --format gitlab"),
])
def test_bad_matrix_options_are_one_line(cli: Any, repo: Path, args: list[str], message: str) -> None:
    result = cli("-C", str(repo), "ci", "matrix", *args)
    assert result.exit_code == 64
    assert result.stderr == message + "\n"


def test_ci_matrix_help_has_one_row_per_option(cli: Any) -> None:
    group = cli("ci", "--help")
    assert group.exit_code == 0 and "matrix  Print the affected environments as a GitHub, GitLab or JSON" \
        " matrix." in group.stdout
    shown = cli("ci", "matrix", "--help")
    panel = shown.stdout.split("─ Options ─", 1)[1].split("╰", 1)[0]
    rows = [line for line in panel.splitlines()[1:] if line.strip()]
    assert [row.split()[1] for row in rows] == ["--since", "--format", "--include", "--help"]


# -- shards ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("count", [1, 2, 3, 7, 16])
def test_shards_1_to_n_cover_every_environment_exactly_once(count: int) -> None:
    names = [f"cluster-{i:03d}" for i in range(200)]
    shards = [select(names, i, count) for i in range(1, count + 1)]
    flat = [name for shard in shards for name in shard]
    assert sorted(flat) == names and len(flat) == len(set(flat))
    if count > 1:
        assert all(shard for shard in shards)  # 200 names over up to 16 shards: none empty


def test_adding_an_environment_moves_no_other_one() -> None:
    names = [f"cluster-{i:03d}" for i in range(50)]
    before = {name: shard_of(name, 4) for name in names}
    after = {name: shard_of(name, 4) for name in [*names, "new-cluster", "another"]}
    assert all(after[name] == shard for name, shard in before.items())


@pytest.mark.parametrize("text", ["0/3", "4/3", "1/0", "x/2", "1-2", "", "-1/2"])
def test_bad_shards_are_refused(text: str) -> None:
    from k8sprov.errors import UsageError

    with pytest.raises(UsageError, match="expected I/N with 1 ≤ I ≤ N"):
        parse_shard(text)


def test_plan_shard_usage_errors_are_one_line_before_anything_runs(cli: Any, repo: Path) -> None:
    bad = cli("-C", str(repo), "plan", "--all", "--shard", "3/2")
    assert bad.exit_code == 64
    assert bad.stderr == ("error: --shard '3/2': expected I/N with 1 ≤ I ≤ N — e.g. --shard 1/3,"
                          " --shard 2/3 and --shard 3/3 in three jobs\n")
    alone = cli("-C", str(repo), "plan", "--shard", "1/2")
    assert alone.exit_code == 64
    assert alone.stderr == "error: --shard splits --all or --since — k8sprov plan --all --shard 1/3\n"
    both = cli("-C", str(repo), "plan", "--since", "origin/main", "--env", "basic")
    assert both.stderr == "error: --since and --env exclude each other — pass one of them\n"


def test_plan_since_with_nothing_affected_plans_nothing_and_succeeds(cli: Any, repo: Path) -> None:
    result = cli("-C", str(repo), "plan", "--since", "origin/main", "--shard", "2/3")
    assert result.exit_code == 0, result.output
    assert result.stderr == "no environment affected since origin/main in shard 2/3: nothing to plan.\n"


def test_plan_all_with_an_empty_shard_plans_nothing_and_succeeds(cli: Any, repo: Path) -> None:
    names = sorted(p.stem for p in (repo / "infra" / "envs").glob("*.tfvars"))
    count = 16  # five environments over sixteen shards: most shards are empty
    empty = next(i for i in range(1, count + 1) if not select(names, i, count))
    result = cli("-C", str(repo), "plan", "--all", "--shard", f"{empty}/{count}")
    assert result.exit_code == 0, result.output
    assert result.stderr == f"no environments in shard {empty}/{count}: nothing to plan.\n"


def test_plan_all_shards_plan_every_environment_once(cli: Any, tmp_path: Path, tf_env: Any) -> None:
    """Real plans (Terraform 1.0.3, null resources): shards 1/5…5/5 together plan a, b and prod once (the
    names fall in three different shards of five; the two empty shards plan nothing and succeed)."""
    import shutil

    project = tmp_path / "proj"
    shutil.copytree(Path(__file__).parents[1] / "fixtures" / "nullstack", project)
    planned: list[str] = []
    assert sorted(len(select(["a", "b", "prod"], i, 5)) for i in range(1, 6)) == [0, 0, 1, 1, 1]
    for index in range(1, 6):
        out = tmp_path / f"shard-{index}.json"
        result = cli("-C", str(project), "plan", "--all", "--shard", f"{index}/5", "--json", str(out))
        if not select(["a", "b", "prod"], index, 5):
            assert result.exit_code == 0 and "nothing to plan" in result.stderr
            continue
        assert result.exit_code == 0, result.output
        names = [env["name"] for env in json.loads(out.read_text())["environments"]]
        assert names == select(["a", "b", "prod"], index, 5)
        planned += names
    assert sorted(planned) == ["a", "b", "prod"]
    assert all((project / ".k8sprov" / "envs" / name / "plan.tfplan").is_file() for name in planned)


def test_plan_since_plans_exactly_the_affected_environments(cli: Any, tmp_path: Path, tf_env: Any) -> None:
    """Real plans (Terraform 1.0.3, null resources): an edit of b's env file plans b, and only b."""
    import shutil

    from tests.ci.gitrepo import git

    project = tmp_path / "proj"
    shutil.copytree(Path(__file__).parents[1] / "fixtures" / "nullstack", project)
    (project / ".gitignore").write_text(".k8sprov/\nterraform/.terraform/\nterraform/terraform.tfstate.d/\n")
    git(project, "init", "-q")
    commit_all(project, "fleet")
    env_file = project / "infra" / "envs" / "b.tfvars"
    env_file.write_text(env_file.read_text().replace('other = "x"', 'other = "y"'))
    out = tmp_path / "plans.json"
    result = cli("-C", str(project), "plan", "--since", "HEAD", "--json", str(out))
    assert result.exit_code == 0, result.output
    assert [env["name"] for env in json.loads(out.read_text())["environments"]] == ["b"]
    assert sorted(p.name for p in (project / ".k8sprov" / "envs").iterdir()) == ["b"]
