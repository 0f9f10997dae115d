"""The shipped stack (`terraform/`) under real Terraform with stand-in providers: the basic environment from
first plan to apply, no perpetual diff, protected releases, pin bumps, re-published and tampered charts.

The tests run in file order on one project (module-scoped `real_stack`): each step starts from the state
the previous one left, as a user's would."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.charts import builders
from tests.kit.realstack import RealStack, pinned_charts
from tests.kit.script import addresses
from tests.realstack.snap import check_snapshot, normalise

NAMESPACES = {"prometheus-operator-crds": "monitoring", "kyverno": "kyverno", "kyverno-policies": "kyverno",
              "argo-cd": "argocd"}


def _plan_json(stack: RealStack, *extra: str) -> tuple[Any, dict[str, Any]]:
    out = stack.root / "plan-view.json"
    result = stack.k8sprov("plan", "--env", "basic", "--detailed-exitcode", "--json", str(out), *extra)
    return result, (json.loads(out.read_text()) if out.is_file() and result.exit_code in (0, 2) else {})


def _helm(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["helm"]["name"]: c for c in data["changes"] if c["type"] == "helm_release"}


def _lock(stack: RealStack) -> dict[tuple[str, str], str]:
    lock = json.loads((stack.root / "charts" / "charts.lock").read_text())
    return {(e["name"], e["version"]): e["sha256"] for e in lock["charts"]}


def test_plan_basic_creates_namespaces_and_releases(real_stack: RealStack) -> None:
    markdown = real_stack.root / "plan-basic.md"
    result, data = _plan_json(real_stack, "--markdown", str(markdown))
    assert result.exit_code == 2, result.output
    assert data["counts"]["create"] == 7 and data["has_changes"]
    assert sum(data["counts"].values()) == 7
    namespaces = [c for c in data["changes"] if c["type"] == "kubernetes_namespace_v1"]
    assert sorted(c["index"] for c in namespaces) == ["argocd", "kyverno", "monitoring"]
    _, versions = pinned_charts(real_stack.root / "terraform")
    lock = _lock(real_stack)
    releases = _helm(data)
    assert sorted(releases) == sorted(NAMESPACES)
    for name, change in releases.items():
        version = versions["basic"][name]
        helm = change["helm"]
        assert change["action"] == "create"
        assert helm["namespace"] == NAMESPACES[name]
        assert helm["chart"] == f"./../charts/{name}-{version}.tgz"
        assert helm["version_after"] == version
        assert helm["values"] and helm["values"][0]["status"] == "added"
        description = next(a for a in change["attributes"] if a["path"] == "description")
        assert description["after"] == f"{name} {version} sha256:{lock[(name, version)]}"
    view = result.stdout[result.stdout.index("Plan · environment basic"):]
    assert "Helm releases (4)" in view
    assert all(re.search(rf"^{re.escape(name)}\s+create\s+{NAMESPACES[name]}\s", view, re.MULTILINE)
               for name in NAMESPACES)
    assert "Helm releases (4)" in markdown.read_text()


def test_plan_views_of_the_real_stack_match_snapshots(real_stack: RealStack) -> None:
    plan_file = real_stack.root / ".k8sprov" / "envs" / "basic" / "plan.tfplan"
    shown = real_stack.terraform("show", "-json", str(plan_file),
                                 data_dir=plan_file.parent / "tfdata", workspace="basic")
    assert shown.returncode == 0, shown.stderr
    (real_stack.root / "basic.plan.json").write_text(shown.stdout)
    rich = real_stack.k8sprov("show", "--plan", "basic.plan.json", cwd=real_stack.root)
    as_json = real_stack.k8sprov("show", "--plan", "basic.plan.json", "--json", "-", cwd=real_stack.root)
    markdown = real_stack.k8sprov("show", "--plan", "basic.plan.json", "--markdown", "basic.md",
                                  cwd=real_stack.root)
    assert (rich.exit_code, as_json.exit_code, markdown.exit_code) == (0, 0, 0)
    check_snapshot("basic.rich.txt", normalise(rich.stdout, real_stack.root))
    check_snapshot("basic.json", normalise(as_json.stdout, real_stack.root))
    check_snapshot("basic.md", normalise((real_stack.root / "basic.md").read_text(), real_stack.root))


def test_apply_then_plan_shows_no_changes(real_stack: RealStack) -> None:
    applied = real_stack.k8sprov("apply", "--env", "basic", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    state = real_stack.state("basic")
    assert len(addresses(state)) == 7
    releases = state["outputs"]["releases"]["value"]  # type: ignore[index]
    assert {n: (r["revision"], r["status"], r["version"]) for n, r in releases.items()} == {
        n: (1, "deployed", v) for n, v in pinned_charts(real_stack.root / "terraform")[1]["basic"].items()}
    again = real_stack.k8sprov("plan", "--env", "basic", "--detailed-exitcode")
    assert again.exit_code == 0, again.output


def test_manifest_experiment_off_and_on(real_stack: RealStack, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The env file's switch reaches the helm provider; on, the plan carries each release's objects and
    the plan view lists them (here: the first plan after turning it on, so the state holds none yet) and
    says why each release updates. Switched on, then off again, each apply goes through cleanly."""
    env_file = real_stack.root / "infra" / "envs" / "basic.tfvars"
    original = env_file.read_text()
    record = tmp_path / "record"
    record.mkdir()
    monkeypatch.setenv("K8SPROV_STANDIN_RECORD", str(record))
    assert "helm_manifest_experiment = false" in original
    env_file.write_text(original.replace("helm_manifest_experiment = false",
                                         "helm_manifest_experiment = true"))
    try:
        on, data = _plan_json(real_stack, "--detail")
        assert json.loads((record / "helm-configure.json").read_text())["experiments"]["manifest"] is True
        assert on.exit_code == 2, on.output  # manifest: null in the state -> the rendered objects
        releases = _helm(data)
        assert sorted(releases) == sorted(NAMESPACES)
        assert all(c["action"] == "update" for c in releases.values())
        state = real_stack.state("basic")
        for name, change in releases.items():
            # the manifest is shown as objects, never as one attribute
            assert not [a for a in change["attributes"] if a["path"] == "manifest"], name
            summary = change["helm"]["objects_summary"]
            assert (summary["status"], summary["source"]) == ("no-prior", "manifest"), name
            assert summary["total"] >= 1 and "the state holds no objects yet" in summary["note"]
            assert change["helm"]["update_reason"].startswith("the manifest becomes known"), name
        assert re.search(r"^Release .* Objects\s*$", on.stdout, re.MULTILINE), on.stdout
        assert on.stdout.count("the state holds no objects yet") == 4
        assert on.stdout.count("updates: the manifest becomes known (helm manifest experiment on)") == 4
        assert len(addresses(state)) == 7
        # The plan says each release gets a new revision: the apply agrees with it (no "inconsistent
        # result"), and the next plan has nothing left to do.
        applied = real_stack.k8sprov("apply", "--env", "basic", "--auto-approve")
        assert applied.exit_code == 0, applied.output
        settled = real_stack.k8sprov("plan", "--env", "basic", "--detailed-exitcode")
        assert settled.exit_code == 0, settled.output
    finally:
        env_file.write_text(original)
    off_again, data = _plan_json(real_stack)
    assert off_again.exit_code == 2, off_again.output
    assert json.loads((record / "helm-configure.json").read_text())["experiments"]["manifest"] is False
    assert {c["helm"]["update_reason"].split(";")[0] for c in _helm(data).values()} == {
        "the manifest is no longer recorded (helm manifest experiment off)"}
    applied = real_stack.k8sprov("apply", "--env", "basic", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    releases = real_stack.state("basic")["outputs"]["releases"]["value"]  # type: ignore[index]
    assert {r["revision"] for r in releases.values()} == {3}  # install, experiment on, experiment off
    again = real_stack.k8sprov("plan", "--env", "basic", "--detailed-exitcode")
    assert again.exit_code == 0, again.output


def test_promote_require_deployed_reads_the_applied_state(real_stack: RealStack) -> None:
    """What basic runs (its state, read through its backend) is what promote --require-deployed checks."""
    versions_tf = real_stack.root / "terraform" / "modules" / "provision_k8s" / "versions.tf"
    before = versions_tf.read_bytes()
    promoted = real_stack.k8sprov("promote", "--from", "basic", "--to", "production", "--require-deployed",
                                  "--dry-run")
    assert promoted.exit_code == 0, promoted.output
    basic = pinned_charts(real_stack.root / "terraform")[1]["basic"]
    assert all(f"{name}: " in promoted.stdout and basic[name] in promoted.stdout for name in basic)
    assert "next: k8sprov plan --env production" in promoted.stdout
    assert versions_tf.read_bytes() == before  # a dry run writes nothing
    deployed = real_stack.k8sprov("diff", "basic", "basic", "--deployed", "--json")
    assert deployed.exit_code == 0, deployed.output
    refused = real_stack.k8sprov("promote", "--from", "staging", "--to", "production", "--require-deployed",
                                 "--dry-run")
    assert refused.exit_code == 64
    (line,) = refused.error_lines()
    assert "staging" in line
    assert versions_tf.read_bytes() == before


def test_destroy_stops_at_prevent_destroy_and_destroys_nothing(real_stack: RealStack) -> None:
    result = real_stack.k8sprov("destroy", "--env", "basic", "--auto-approve")
    assert result.exit_code == 1
    (line,) = result.error_lines()
    assert "helm_release.protected[0] under lifecycle.prevent_destroy; nothing was destroyed" in line
    assert "docs/stack-testing.md" in line
    assert len(addresses(real_stack.state("basic"))) == 7


def test_pin_bump_updates_exactly_that_release(real_stack: RealStack) -> None:
    versions_tf = real_stack.root / "terraform" / "modules" / "provision_k8s" / "versions.tf"
    original = versions_tf.read_text()
    basic = original.index("basic = {")
    pin = re.compile(r'("argo-cd"\s*=\s*)"10\.1\.1"')
    bumped = original[:basic] + pin.sub(r'\1"9.7.1"', original[basic:], count=1)
    assert bumped != original
    versions_tf.write_text(bumped)
    try:
        vendored = real_stack.update_charts("--profile", "basic")
        assert vendored.exit_code == 0, vendored.output
        result, data = _plan_json(real_stack)
        assert result.exit_code == 2, result.output
        assert data["counts"]["update"] == 1 and data["counts"]["create"] == data["counts"]["delete"] == 0
        (change,) = [c for c in data["changes"] if c["action"] != "no-op"]
        assert change["helm"]["name"] == "argo-cd" and change["action"] == "update"
        assert (change["helm"]["version_before"], change["helm"]["version_after"]) == ("10.1.1", "9.7.1")
        # the releases the plan leaves alone are listed with their versions (a fleet report shows them)
        _, versions = pinned_charts(real_stack.root / "terraform")
        assert {r["name"]: r["version"] for r in data["unchanged_releases"]} == {
            name: version for name, version in versions["basic"].items() if name != "argo-cd"}
    finally:
        versions_tf.write_text(original)


def test_same_version_with_new_bytes_plans_an_in_place_update(real_stack: RealStack) -> None:
    old_digest = _lock(real_stack)[("kyverno", "3.9.0")]
    republished = real_stack.republish("kyverno", "3.9.0")
    real_stack.serve("kyverno", "3.9.0", republished)
    lock_file = real_stack.root / "charts" / "charts.lock"
    lock = json.loads(lock_file.read_text())
    lock["charts"] = [e for e in lock["charts"] if (e["name"], e["version"]) != ("kyverno", "3.9.0")]
    lock_file.write_text(json.dumps(lock, indent=2) + "\n")  # the entry removed by hand
    vendored = real_stack.update_charts("--profile", "basic")
    assert vendored.exit_code == 0, vendored.output
    new_digest = _lock(real_stack)[("kyverno", "3.9.0")]
    assert new_digest == builders.sha256(republished) != old_digest

    result, data = _plan_json(real_stack)
    assert result.exit_code == 2, result.output
    (change,) = [c for c in data["changes"] if c["action"] != "no-op"]
    assert change["helm"]["name"] == "kyverno" and change["action"] == "update"
    description = next(a for a in change["attributes"] if a["path"] == "description")
    assert (description["before"], description["after"]) == (f"kyverno 3.9.0 sha256:{old_digest}",
                                                              f"kyverno 3.9.0 sha256:{new_digest}")


def test_tampered_archive_stops_the_plan_in_one_line(real_stack: RealStack) -> None:
    archive: Path = real_stack.root / "charts" / "argo-cd-10.1.1.tgz"
    original = archive.read_bytes()
    archive.write_bytes(original + b"tampered")
    try:
        result = real_stack.k8sprov("plan", "--env", "basic")
        assert result.exit_code == 1
        (line,) = result.error_lines()
        assert "argo-cd-10.1.1.tgz" in line and "k8sprov update-charts" in line
        assert "Terraform will perform" not in result.stdout
        # The stack's own precondition is the second line of defence, for terraform run by hand.
        direct = real_stack.terraform("plan", "-input=false", "-var-file=../infra/envs/basic.tfvars",
                                      data_dir=real_stack.root / ".k8sprov" / "envs" / "basic" / "tfdata",
                                      workspace="basic")
        assert direct.returncode == 1
        text = " ".join(direct.stderr.split())  # Terraform wraps its messages at 78 columns
        assert "Error: Resource precondition failed" in text
        assert "chart archive ./../charts/argo-cd-10.1.1.tgz has sha256 " in text
        assert ": run k8sprov update-charts to vendor and verify the pinned charts." in text
    finally:
        archive.write_bytes(original)


def test_documented_teardown_state_rm_then_destroy(real_stack: RealStack) -> None:
    """docs/stack-testing.md, "Tearing an environment down", steps 1 and 2."""
    data_dir = real_stack.root / ".k8sprov" / "envs" / "basic" / "tfdata"
    protected = ["module.provision_k8s.module.prometheus_operator_crds.helm_release.protected[0]",
                 "module.provision_k8s.module.kyverno.helm_release.protected[0]"]
    removed = real_stack.terraform("state", "rm", *protected, data_dir=data_dir, workspace="basic")
    assert removed.returncode == 0, removed.stderr
    destroyed = real_stack.k8sprov("destroy", "--env", "basic", "--auto-approve")
    assert destroyed.exit_code == 0, destroyed.output
    assert "basic: destroyed." in destroyed.stdout
    assert addresses(real_stack.state("basic")) == []
