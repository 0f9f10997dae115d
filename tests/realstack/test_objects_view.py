"""The objects view without the manifest experiment: each release's objects rendered by the real Helm before
and after the change, on the shipped stack with the real charts, under real Terraform with stand-ins.

The tests run in file order on one project: apply first, then a values change, then a chart version change.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.kit.realstack import RealStack

CANARY = "k8sprov-canary-0f3e9a"  # a Secret value: must never be shown, in any format


@pytest.fixture(scope="module")
def stack(real_stack: RealStack) -> RealStack:
    env_file = real_stack.root / "infra" / "envs" / "basic.tfvars"
    # A credential reaching a Secret's data through the values (argo-cd's argocd-secret `extra`).
    values = real_stack.root / "infra" / "values" / "argo-cd" / "basic.yaml"
    values.write_text(values.read_text()
                      + f"\nconfigs:\n  secret:\n    extra:\n      canary.token: {CANARY}\n")
    assert "helm_manifest_experiment = false" in env_file.read_text()
    applied = real_stack.k8sprov("apply", "--env", "basic", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    return real_stack


def _views(stack: RealStack, tmp: Path) -> tuple[Any, dict[str, Any], str, str]:
    out, md = tmp / "plan.json", tmp / "plan.md"
    rich = stack.k8sprov("plan", "--env", "basic", "--detailed-exitcode", "--json", str(out),
                         "--markdown", str(md))
    detail = stack.k8sprov("show", "--env", "basic", "--detail")
    assert rich.exit_code == 2, rich.output
    assert detail.exit_code == 0, detail.output
    return rich, json.loads(out.read_text()), md.read_text(), detail.stdout


def _release(data: dict[str, Any], name: str) -> dict[str, Any]:
    (change,) = [c for c in data["changes"] if c["type"] == "helm_release" and c["helm"]["name"] == name]
    return change


def _view(output: str) -> str:
    """k8sprov's own view, after the terraform output it streams (Terraform shows a values file as it is:
    credentials belong in the sensitive `release_secrets`, which Terraform masks too)."""
    return output[output.index("Plan · environment"):]


def _no_canary(*texts: str) -> None:
    for text in texts:
        assert CANARY not in text


def test_a_values_change_shows_the_changed_objects(stack: RealStack, tmp_path: Path) -> None:
    values = stack.root / "infra" / "values" / "argo-cd" / "basic.yaml"
    original = values.read_text()
    values.write_text(original + "server:\n  podLabels:\n    team: platform\n")
    try:
        rich, data, markdown, detail = _views(stack, tmp_path)
    finally:
        values.write_text(original)
    change = _release(data, "argo-cd")
    assert change["action"] == "update"
    summary = change["helm"]["objects_summary"]
    assert (summary["status"], summary["source"]) == ("diff", "render")
    changed = {(o["kind"], o["namespace"], o["name"]): o for o in change["helm"]["objects"]}
    server = changed[("Deployment", "argocd", "argo-cd-argocd-server")]
    assert server["action"] == "update" and server["rolls"]
    assert any(a["path"].startswith("spec.template.metadata.labels") and a["path"].endswith("team")
               and a["after"] == "platform"
               for a in server["changes"]), server
    # Only the server's pods carry the label: nothing else of argo-cd changes.
    assert [k for k, o in changed.items() if o["changes"]] == [
        ("Deployment", "argocd", "argo-cd-argocd-server")]
    for text in (rich.stdout, markdown, detail):
        assert "Deployment argocd/argo-cd-argocd-server" in text
    assert "team" in detail and "platform" in detail
    _no_canary(_view(rich.stdout), markdown, detail, json.dumps(data))


def test_a_chart_version_change_shows_the_changed_objects(stack: RealStack, tmp_path: Path) -> None:
    versions_tf = stack.root / "terraform" / "modules" / "provision_k8s" / "versions.tf"
    original = versions_tf.read_text()
    basic = original.index("basic = {")
    pin = re.compile(r'("argo-cd"\s*=\s*)"10\.1\.1"')
    versions_tf.write_text(original[:basic] + pin.sub(r'\1"10.0.1"', original[basic:], count=1))
    old_archive = stack.root / "charts" / "argo-cd-10.1.1.tgz"
    kept = old_archive.read_bytes()
    try:
        stack.publish()
        vendored = stack.update_charts("--profile", "basic")
        assert vendored.exit_code == 0, vendored.output
        old_archive.unlink()  # gone from charts/ (as after a prune): only the archive store has it now
        rich, data, markdown, detail = _views(stack, tmp_path)
    finally:
        versions_tf.write_text(original)
        old_archive.write_bytes(kept)
    change = _release(data, "argo-cd")
    helm = change["helm"]
    assert (helm["version_before"], helm["version_after"]) == ("10.1.1", "10.0.1")
    summary = helm["objects_summary"]
    assert (summary["status"], summary["source"]) == ("diff", "render")
    assert summary["chart_labels_bumped"] > 10  # every object carries helm.sh/chart
    assert summary["counts"]["update"] >= summary["chart_labels_bumped"]
    assert "chart labels bumped on" in rich.stdout and "chart labels bumped on" in markdown
    _no_canary(_view(rich.stdout), markdown, detail, json.dumps(data))


def test_a_template_error_stops_plan_and_without_the_check_is_helms_message(stack: RealStack) -> None:
    """A `required` value left out: `plan` stops before Terraform with the template finding; with
    --no-render Terraform runs, and the apply fails with Helm's own message (the stand-in runs real Helm),
    quoted in k8sprov's one error line. The state keeps the release as it was."""
    values = stack.root / "infra" / "values" / "argo-cd" / "basic.yaml"
    original = values.read_text()
    values.write_text(original + "\nconfigs:\n  clusterCredentials:\n    prod:\n      config: {}\n")
    required = "A valid .Values.configs.clusterCredentials.CLUSTERNAME.server entry is required!"
    before = stack.state("basic")
    try:
        stopped = stack.k8sprov("plan", "--env", "basic")
        assert stopped.exit_code == 1, stopped.output
        assert "render found 1 error(s) in basic: nothing planned" in stopped.stderr
        assert required in stopped.stderr
        assert "argo-cd/templates/argocd-configs/cluster-secrets.yaml:26" in stopped.stderr
        assert "Terraform" not in stopped.stdout and "Refreshing state" not in stopped.output

        planned = stack.k8sprov("plan", "--env", "basic", "--no-render", "--detailed-exitcode")
        assert planned.exit_code == 2, planned.output
        applied = stack.k8sprov("apply", "--env", "basic", "--auto-approve")
        assert applied.exit_code == 1, applied.output
        (line,) = applied.error_lines()
        assert "Error upgrading chart" in line and required in line, line
    finally:
        values.write_text(original)
    after = stack.state("basic")
    assert before is not None and after is not None
    installed = [i for r in after["resources"] if r["type"] == "helm_release" for i in r["instances"]]
    assert len(installed) == 4
    restored = stack.k8sprov("plan", "--env", "basic", "--detailed-exitcode")
    assert restored.exit_code == 0, restored.output
