"""The k8sprov steps of the example pipelines (examples/ci/), in order, on the real stack with stand-in
providers: affected → matrix → one plan per matrix entry (--json summaries, the plan artefacts) → the merged
report → on the main branch, apply from the artefact in another checkout, as a separate CI job would.

One project for the module (tests/kit/realstack.py: this repository's terraform/ and infra/, test charts
vendored from a loopback repository), made a git repository with `main` as the pull request's target."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest

from tests.ci.gitrepo import commit_all, git
from tests.kit.realstack import RealStack


@pytest.fixture(scope="module")
def pr(real_stack: RealStack) -> RealStack:
    """The stack committed on main (vendored charts and the provider lock file included, as a team commits
    them), then a pull request branch: staging's kyverno values change and the user adds `lab` (basic)."""
    root = real_stack.root
    ignored = [".k8sprov/", "home/", "terraform/.terraform/", "terraform/terraform.tfstate.d/"]
    (root / ".gitignore").write_text("\n".join(ignored) + "\n")
    init = real_stack.k8sprov("init", "--env", "basic")  # writes terraform/.terraform.lock.hcl
    assert init.exit_code == 0, init.output
    git(root, "init", "-q")
    commit_all(root, "platform")
    git(root, "checkout", "-qb", "pr")
    values = root / "infra" / "values" / "kyverno" / "staging.yaml"
    values.write_text(values.read_text() + "# soak with more memory\n")
    basic = (root / "infra" / "envs" / "basic.tfvars").read_text()
    (root / "infra" / "envs" / "lab.tfvars").write_text(
        basic.replace('environment_name = "basic"', 'environment_name = "lab"'))
    commit_all(root, "staging values, a lab cluster")
    return real_stack


def _commands() -> set[str]:
    from k8sprov.cli import app

    return {c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands}


def test_pipeline_steps_affected_matrix_plans_report(pr: RealStack) -> None:
    # 1. affected: what the pull request can change, and why
    affected = pr.k8sprov("affected", "--since", "main", "--json")
    assert affected.exit_code == 0, affected.output
    reasons = {env["name"]: env["reasons"] for env in json.loads(affected.stdout)["environments"]}
    assert reasons == {"lab": ["infra/envs/lab.tfvars added"],
                       "staging": ["infra/values/kyverno/staging.yaml changed"]}
    # 2. the matrix CI fans out on
    matrix = pr.k8sprov("ci", "matrix", "--since", "main", "--format", "github")
    assert matrix.exit_code == 0, matrix.output
    include = json.loads(matrix.stdout)["include"]
    assert include == [{"env": "lab", "profile": "basic"}, {"env": "staging", "profile": "staging"}]
    # 3. one plan per entry, each job writing its summary and keeping its saved plan (the artefact)
    summaries = []
    for entry in include:
        out = pr.root / "plans" / f"plan-{entry['env']}.json"
        out.parent.mkdir(exist_ok=True)
        plan = pr.k8sprov("plan", "--env", entry["env"], "--json", str(out), "--lock-timeout", "1m")
        assert plan.exit_code == 0, plan.output
        summary = json.loads(out.read_text())
        assert summary["environment"] == entry["env"] and summary["profile"] == entry["profile"]
        assert summary["has_changes"] and summary["counts"]["create"] == 7
        assert (pr.root / ".k8sprov" / "envs" / entry["env"] / "plan.tfplan").is_file()
        summaries.append(out)
    # 4. the merged report for the pull request comment (the `report` command, when the tree has it)
    if "report" in _commands():
        merged = pr.root / "plans" / "report.md"
        report = pr.k8sprov("report", *map(str, summaries), "--markdown", str(merged))
        assert report.exit_code == 0, report.output
        assert all(name in merged.read_text() for name in ("lab", "staging"))
    else:
        assert [p.name for p in sorted((pr.root / "plans").glob("plan-*.json"))] == \
            ["plan-lab.json", "plan-staging.json"]


def test_apply_on_main_uses_the_plan_artefact_from_the_review(pr: RealStack, tmp_path: Path) -> None:
    """The apply job is another runner: a fresh checkout of the merged branch, no data dir, the saved plan
    restored from the artefact under .k8sprov/envs/<env>/ (same HOME, as on one kind of runner)."""
    if not (pr.root / ".k8sprov" / "envs" / "lab" / "plan.tfplan").is_file():
        test_pipeline_steps_affected_matrix_plans_report(pr)
    main = tmp_path / "main"
    git(tmp_path, "clone", "-q", "--branch", "pr", str(pr.root), "main")
    runner = dataclasses.replace(pr, root=main)
    runner.env = pr.env  # type: ignore[method-assign]  # the same HOME (kubeconfig paths) as the plan job's runner
    artefact = main / ".k8sprov" / "envs" / "lab"
    artefact.mkdir(parents=True)
    for name in ("plan.tfplan", "plan.json"):
        shutil.copy(pr.root / ".k8sprov" / "envs" / "lab" / name, artefact / name)
    # inputs that moved since the review: refused before terraform runs, the plan kept
    values = main / "infra" / "values" / "argo-cd" / "basic.yaml"
    values.write_text(values.read_text() + "# edited after the review\n")
    refused = runner.k8sprov("apply", "--env", "lab", "--auto-approve")
    assert refused.exit_code == 1
    assert refused.error_lines() == [
        "error: saved plan plan.tfplan for lab cannot be applied: inputs changed since:"
        " infra/values/argo-cd/basic.yaml — run k8sprov plan --env lab"]
    git(main, "checkout", "--", "infra/values/argo-cd/basic.yaml")
    applied = runner.k8sprov("apply", "--env", "lab", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert "Using the saved plan" in applied.stdout and "lab: applied." in applied.stdout
    state = json.loads((main / "terraform" / "terraform.tfstate.d" / "lab" / "terraform.tfstate").read_text())
    assert sum(len(r["instances"]) for r in state["resources"]) == 7  # 3 namespaces, 4 releases
    assert not (artefact / "plan.tfplan").exists()  # retired after the apply
