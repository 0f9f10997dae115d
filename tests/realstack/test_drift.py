"""`k8sprov drift` on the shipped stack under real Terraform: the stand-ins' own cluster is edited behind
Terraform's back (tests/kit/standin_cluster.py) and the refresh-only plan must name what changed, leave the
state and the saved plan alone, and exit 0 / 2 / 1.

One project for the module: basic is applied once; each test edits the cluster and gets it back after."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from k8sprov.planview import JSON_FORMAT_VERSION
from tests.kit.realstack import RealStack, Result
from tests.kit.script import addresses

SECRET = "drift-s3cr3t-value"  # a value that must never be printed


def _state_path(stack: RealStack) -> Path:
    return stack.root / "terraform" / "terraform.tfstate.d" / "basic" / "terraform.tfstate"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def stack(real_stack: RealStack) -> Iterator[RealStack]:
    applied = real_stack.k8sprov("apply", "--env", "basic", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    pristine = real_stack.root / "cluster-after-apply"
    shutil.copytree(real_stack.cluster.folder, pristine)
    yield real_stack


@pytest.fixture(autouse=True)
def _cluster_as_applied(stack: RealStack) -> Iterator[None]:
    """Each test edits the cluster; the next one starts from the cluster as the apply left it."""
    yield
    shutil.rmtree(stack.cluster.folder)
    shutil.copytree(stack.root / "cluster-after-apply", stack.cluster.folder)


def _drift(stack: RealStack, *extra: str, debug: bool = False,
           json_out: str | None = None) -> tuple[Result, dict[str, Any], str]:
    """`drift --env basic --detailed-exitcode --json FILE --markdown FILE`: (result, JSON, Markdown)."""
    out, md = stack.root / "drift.json", stack.root / "drift.md"
    out.unlink(missing_ok=True)
    md.unlink(missing_ok=True)
    state = _state_path(stack)
    serial, digest = json.loads(state.read_text())["serial"], _digest(state)
    result = stack.k8sprov(*(["--debug"] if debug else []), "drift", "--env", "basic", "--detailed-exitcode",
                           "--json", json_out or str(out), "--markdown", str(md), *extra)
    # A drift check never writes the state, whatever it finds.
    assert (json.loads(state.read_text())["serial"], _digest(state)) == (serial, digest)
    assert not list((stack.root / ".k8sprov" / "envs" / "basic").glob("drift*"))
    doc = json.loads(out.read_text()) if out.is_file() else {}
    return result, doc, md.read_text() if md.is_file() else ""


def test_no_drift_right_after_apply(stack: RealStack) -> None:
    assert len(stack.cluster.objects()) == 7  # 3 namespaces, 4 releases: the stand-ins' cluster
    result, doc, markdown = _drift(stack)
    assert result.exit_code == 0, result.output
    assert (doc["kind"], doc["mode"], doc["has_changes"]) == ("drift", "refresh-only", False)
    assert doc["format_version"] == JSON_FORMAT_VERSION and doc["environment"] == "basic"
    assert doc["drift"] == [] and doc["drift_counts"] == {"changed": 0, "deleted": 0}
    assert "No drift in basic" in result.stdout and "No drift in basic" in markdown


def test_a_namespace_label_edited_in_the_cluster_and_the_saved_plan_stays(stack: RealStack) -> None:
    """The label is named with both values; a saved plan made before the drift run stays the one apply
    uses, byte for byte, and still valid."""
    planned = stack.k8sprov("plan", "--env", "basic", "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output
    saved = stack.root / ".k8sprov" / "envs" / "basic" / "plan.tfplan"
    saved_digest = _digest(saved)
    stack.cluster.edit("kubernetes_namespace_v1/monitoring",
                       lambda ns: ns["metadata"][0]["labels"].update({"k8sprov.io/tier": "hand-edited"}))
    result, doc, markdown = _drift(stack)
    assert result.exit_code == 2, result.output
    (change,) = doc["drift"]
    assert change["type"] == "kubernetes_namespace_v1" and change["action"] == "update"
    assert change["address"].endswith('kubernetes_namespace_v1.this["monitoring"]'), change["address"]
    (label,) = [a for a in change["attributes"] if "labels" in a["path"]]
    assert label["path"] == 'metadata[0].labels["k8sprov.io/tier"]'
    assert (label["before"], label["after"]) == ("dev", "hand-edited")
    assert doc["drift_counts"] == {"changed": 1, "deleted": 0} and doc["has_changes"] is True
    for text in (result.stdout, markdown):
        assert 'metadata[0].labels["k8sprov.io/tier"]: "dev" → "hand-edited"' in text
    assert "```diff" in markdown and "Drift in basic: 1 changed, 0 deleted" in markdown

    assert _digest(saved) == saved_digest
    status = stack.k8sprov("envs", "--json")
    (basic,) = [e for e in json.loads(status.stdout)["environments"] if e["name"] == "basic"]
    assert basic["plan"] == "valid"


def test_a_release_upgraded_by_hand(stack: RealStack) -> None:
    before = stack.cluster.get("helm_release/argocd/argo-cd")
    assert (before["version"], before["metadata"]["revision"]) == ("10.1.1", 1)
    stack.cluster.upgrade_release("argocd", "argo-cd", version="10.2.0")
    result, doc, markdown = _drift(stack)
    assert result.exit_code == 2, result.output
    (change,) = doc["drift"]
    assert change["helm"]["name"] == "argo-cd"
    assert (change["helm"]["version_before"], change["helm"]["version_after"]) == ("10.1.1", "10.2.0")
    paths = {a["path"]: (a["before"], a["after"]) for a in change["attributes"]}
    assert paths["metadata.revision"] == (1, 2) and paths["metadata.version"] == ("10.1.1", "10.2.0")
    line = 'release argo-cd in argocd upgraded by hand: chart version "10.1.1" → "10.2.0", revision 1 → 2'
    assert line in result.stdout and line in markdown


def test_an_object_deleted_in_the_cluster(stack: RealStack) -> None:
    """--json - puts only JSON on stdout; the view goes to stderr."""
    stack.cluster.delete("helm_release/argocd/argo-cd")  # helm uninstall by hand
    result, _, markdown = _drift(stack, json_out="-")
    assert result.exit_code == 2, result.output
    doc = json.loads(result.stdout)
    (change,) = doc["drift"]
    assert change["action"] == "delete" and change["helm"]["name"] == "argo-cd"
    assert doc["drift_counts"] == {"changed": 0, "deleted": 1}
    line = "deleted outside Terraform (release argo-cd in argocd is gone)"
    assert line in result.stderr and line in markdown
    assert len(addresses(stack.state("basic"))) == 7  # only an apply -refresh-only would forget it


def test_a_deleted_namespace_the_releases_live_in(stack: RealStack) -> None:
    """The stack reads each release's namespace with try(): a refresh-only plan that dropped the namespace
    still evaluates the release (an index into the missing instance would stop it)."""
    stack.cluster.delete("kubernetes_namespace_v1/argocd")
    result, doc, _ = _drift(stack)
    assert result.exit_code == 2, result.output
    (change,) = doc["drift"]
    assert change["action"] == "delete"
    assert change["address"].endswith('kubernetes_namespace_v1.this["argocd"]')


def test_a_sensitive_attribute_drifting_is_masked(stack: RealStack) -> None:
    stack.cluster.edit("helm_release/kyverno/kyverno", {"repository_password": SECRET})
    result, doc, markdown = _drift(stack, debug=True)
    assert result.exit_code == 2, result.output
    (change,) = doc["drift"]
    (password,) = [a for a in change["attributes"] if a["path"] == "repository_password"]
    assert password["after"] is None and password["after_sensitive"] is True
    assert "repository_password: (sensitive value)" in result.stdout
    for text in (result.output, json.dumps(doc), markdown):
        assert SECRET not in text


def test_an_edited_state_file_shows_as_drift_and_the_cluster_wins(stack: RealStack) -> None:
    state_file = _state_path(stack)
    original = state_file.read_text()
    state = json.loads(original)
    for resource in state["resources"]:
        if resource["type"] == "kubernetes_namespace_v1":
            for instance in resource["instances"]:
                if instance["index_key"] == "kyverno":
                    instance["attributes"]["metadata"][0]["labels"]["k8sprov.io/tier"] = "edited-in-state"
    state_file.write_text(json.dumps(state, indent=2))
    try:
        result, doc, _ = _drift(stack)
        assert result.exit_code == 2, result.output
        (change,) = doc["drift"]
        (label,) = [a for a in change["attributes"] if "labels" in a["path"]]
        assert (label["before"], label["after"]) == ("edited-in-state", "dev")
    finally:
        state_file.write_text(original)


def test_several_environments_drift_none_and_a_failure(stack: RealStack) -> None:
    """basic drifted, staging has nothing, production cannot plan (its ~/.talos/config is missing here):
    one line each, failure wins the exit code, the JSON holds each environment's drift document."""
    stack.cluster.upgrade_release("argocd", "argo-cd", version="10.2.0")
    out = stack.root / "fleet.json"
    result = stack.k8sprov("drift", "--env", "basic", "--env", "staging", "--env", "production",
                           "--detailed-exitcode", "--json", str(out))
    assert result.exit_code == 1, result.output
    assert "basic: drift: 1 changed, 0 deleted" in result.stdout
    assert "staging: no drift" in result.stdout and "production: failed" in result.stdout
    (line,) = result.error_lines()
    assert "drift check failed for production" in line
    doc = json.loads(out.read_text())
    assert doc["kind"] == "drift" and doc["exit_code"] == 1
    envs = {e["name"]: e for e in doc["environments"]}
    assert envs["basic"]["drift"]["kind"] == "drift" and len(envs["basic"]["drift"]["drift"]) == 1
    assert envs["basic"]["counts"] == {"changed": 1, "deleted": 0}
    assert envs["staging"]["drift"]["has_changes"] is False
    assert envs["production"]["drift"] is None and envs["production"]["status"] == "failed"


def test_bad_input_is_one_line(stack: RealStack) -> None:
    both = stack.k8sprov("drift", "--env", "basic", "--json", "-", "--markdown", "-")
    assert both.exit_code == 64 and both.error_lines() == [
        "error: --json - and --markdown - both want stdout — write one of them to a file"]
    none = stack.k8sprov("drift")
    assert none.exit_code == 64 and "drift needs --env ENV" in none.stderr
    unknown = stack.k8sprov("drift", "--env", "nosuch")
    assert unknown.exit_code != 0 and len(unknown.error_lines()) == 1
