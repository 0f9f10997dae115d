"""diff in every format (secrets masked), and both --deployed and --require-deployed against Terraform state
written by a real `terraform state push` into each environment's backend and read back by k8sprov through
the real terraform binary (`state pull`)."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.charts import builders
from tests.charts.conftest import World
from tests.kit.fetch_terraform import TerraformKit
from tests.kit.standin import find_terraform
from tests.promotion.conftest import VERSIONS_TF, promote, snapshot
from tests.promotion.test_promote import STAGING, load_hcl_text

# Read at import: the autouse isolation fixture removes CI from the environment of each test.
IN_CI = os.environ.get("CI") == "true"
SECRET = "s3cr3t-staging-token"
PG_PASSWORD = "hunter2-staging"
VARIABLES_TF = '''variable "environment" {
  type = string
}

variable "registry_token" {
  type      = string
  sensitive = true
}

variable "state_archive" {
  type    = string
  default = null
}

variable "namespace_labels" {
  type    = map(string)
  default = {}
}
'''


def write_envs(w: World) -> None:
    envs = w.project / "infra" / "envs"
    (w.project / "terraform" / "variables.tf").write_text(VARIABLES_TF)
    (envs / "staging.tfvars").write_text(
        'environment    = "staging"\n'
        f'registry_token = "{SECRET}"\n'
        f'state_archive  = "postgres://k8sprov:{PG_PASSWORD}@db.staging.internal/state"\n'
        'namespace_labels = {\n  "k8sprov.io/tier" = "staging"\n}\n')
    (envs / "production.tfvars").write_text(
        'environment    = "production"\n'
        'registry_token = "prod-token-not-shown"\n'
        'namespace_labels = {\n  "k8sprov.io/tier" = "production"\n  team = "platform"\n}\n')


def assert_no_secret(text: str) -> None:
    for secret in (SECRET, PG_PASSWORD, "prod-token-not-shown"):
        assert secret not in text


def test_diff_in_every_format_masks_sensitive_env_values(proj: World) -> None:
    write_envs(proj)
    assert proj.run("--profile", "staging").exit_code == 0
    base = ("-C", str(proj.project), "diff", "staging", "production")

    rich = proj.cli(*base)
    assert rich.exit_code == 0, rich.output  # differences alone do not fail without --detailed-exitcode
    assert_no_secret(rich.output)
    out = rich.stdout
    kyverno_sha = builders.sha256(proj.archives[("kyverno", "3.9.0")])[:12]
    assert f"3.9.0 (sha256:{kyverno_sha})" in out and "3.8.2 (not locked)" in out
    assert "validationFailureAction" in out and "Enforce" in out
    row = next(line for line in out.splitlines() if line.strip().startswith("registry_token"))
    assert row.split() == ["registry_token", "(sensitive)", "(sensitive)"]
    row = next(line for line in out.splitlines() if line.strip().startswith("state_archive"))
    assert row.split() == ["state_archive", "(sensitive)", "unset"]
    assert "namespace_labels.team" in out
    assert out.rstrip().endswith("staging and production are different")

    detailed = proj.cli(*base, "--detailed-exitcode", "--json")
    assert detailed.exit_code == 2, detailed.output
    assert_no_secret(detailed.output)
    data = json.loads(detailed.stdout)
    assert data["equal"] is False and data["compared"] == "pins"
    charts = {c["chart"]: c for c in data["charts"]}
    assert charts["kyverno"]["a"] == {"version": "3.9.0",
                                      "sha256": builders.sha256(proj.archives[("kyverno", "3.9.0")])}
    assert charts["kyverno"]["b"] == {"version": "3.8.2", "sha256": None}
    env = {e["variable"]: e for e in data["env"]}
    assert env["registry_token"] == {"variable": "registry_token", "a": "(sensitive)", "b": "(sensitive)",
                                     "a_set": True, "b_set": True, "sensitive": True}
    assert env["state_archive"]["sensitive"] is True and env["state_archive"]["b_set"] is False
    assert env["namespace_labels.k8sprov.io/tier"]["a"] == "staging"
    values = {v["chart"]: v for v in data["values"]}
    policy = {c["path"]: c for c in values["kyverno-policies"]["changes"]}
    assert policy["validationFailureAction"] == {"path": "validationFailureAction", "a": "Audit",
                                                 "b": "Enforce"}

    md = proj.cli(*base, "--markdown", "--detailed-exitcode")
    assert md.exit_code == 2
    assert_no_secret(md.output)
    assert md.stdout.startswith("### k8sprov diff: `staging` ↔ `production`")
    assert "| `registry_token` | (sensitive) | (sensitive) |" in md.stdout
    assert f"| kyverno | 3.9.0 (sha256:{kyverno_sha}) | 3.8.2 (not locked) | differs |" in md.stdout

    same = proj.cli("-C", str(proj.project), "diff", "production", "prod-eu", "--detailed-exitcode")
    assert same.exit_code == 2  # same profile, but the env files differ (prod-eu sets no token)
    profiles = proj.cli("-C", str(proj.project), "diff", "basic", "staging", "--detailed-exitcode", "--json")
    assert profiles.exit_code == 2  # basic and staging pin alike; their values files differ
    equal = proj.cli("-C", str(proj.project), "diff", "production", "production", "--detailed-exitcode")
    assert equal.exit_code == 0, equal.output
    assert "production and production are equal" in equal.stdout

    bad = proj.cli("-C", str(proj.project), "diff", "staging", "qa")
    assert bad.exit_code == 64 and "unknown environment or profile 'qa'" in bad.stderr


# ---- state written by real Terraform --------------------------------------------------------------------


def release(name: str, version: str, sha: str | None, module: str) -> dict[str, Any]:
    """A helm_release instance as the helm provider 3.x records it (only the attributes k8sprov reads
    are meaningful; the rest give the state its real shape)."""
    return {
        "module": module,
        "mode": "managed",
        "type": "helm_release",
        "name": "this",
        "provider": 'provider["registry.terraform.io/hashicorp/helm"]',
        "instances": [{
            "index_key": 0,
            "schema_version": 1,
            "attributes": {
                "id": name,
                "name": name,
                "namespace": "kyverno" if "kyverno" in name else "monitoring" if "crds" in name else "argocd",
                "chart": f"../charts/{name}-{version}.tgz",
                "version": version,
                "status": "deployed",
                "description": f"{name} {version} sha256:{sha or 'unlocked'}",
                "metadata": {"app_version": "v1", "chart": name, "name": name, "namespace": "x",
                             "revision": 1, "version": version, "values": "{}"},
            },
            "sensitive_attributes": [],
        }],
    }


def state(serial: int, lineage: str, releases: dict[str, tuple[str, str | None]]) -> dict[str, Any]:
    modules = {"prometheus-operator-crds": "prometheus_operator_crds", "kyverno": "kyverno",
               "kyverno-policies": "kyverno_policies", "argo-cd": "argo_cd"}
    return {
        "version": 4,
        "terraform_version": "1.0.3",
        "serial": serial,
        "lineage": lineage,
        "outputs": {},
        "resources": [release(name, version, sha, f"module.provision_k8s.module.{modules[name]}")
                      for name, (version, sha) in releases.items()],
    }


@pytest.fixture(params=["kit", "modern"])
def terraform_bin(request: pytest.FixtureRequest, tf_env: TerraformKit,
                  monkeypatch: pytest.MonkeyPatch) -> str:
    """The binary k8sprov and the test both use: the kit's Terraform 1.0.3, and a modern one (1.11 here)."""
    if request.param == "kit":
        return str(tf_env.terraform)
    modern, _version, missing = find_terraform()
    if modern is None:
        if IN_CI:
            pytest.fail(str(missing))
        pytest.skip(str(missing))
    monkeypatch.setenv("K8SPROV_TERRAFORM", str(modern))
    return str(modern)


def push(terraform: str, project: Path, env: str, data: dict[str, Any]) -> None:
    """`terraform state push` into the environment's own data dir and workspace, as k8sprov set them up."""
    file = project / f"{env}-state.json"
    file.write_text(json.dumps(data))
    child = {**os.environ, "TF_DATA_DIR": str(project / ".k8sprov" / "envs" / env / "tfdata"),
             "TF_WORKSPACE": env, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}
    # umask 077, as k8sprov runs terraform: the pushed state is private like one k8sprov wrote.
    proc = subprocess.run([terraform, "state", "push", str(file)], cwd=project / "terraform",
                          env=child, capture_output=True, text=True, check=False, timeout=120, umask=0o077)
    file.unlink()
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_require_deployed_and_diff_deployed_read_real_state(proj: World, terraform_bin: str) -> None:
    write_envs(proj)
    (proj.project / "terraform" / "variables.tf").unlink()  # the null-free root: init needs no provider
    assert proj.run("--profile", "staging").exit_code == 0  # lock + archives for the staging versions
    digest = {name: builders.sha256(proj.archives[(name, v)]) for name, v in STAGING.items()}
    lineage = str(uuid.uuid4())

    # 1. Nothing deployed yet: k8sprov initialises staging's backend itself and finds no release.
    tree = snapshot(proj.project)
    empty = promote(proj, "--from", "staging", "--to", "production", "--require-deployed")
    assert empty.exit_code == 64, empty.output
    assert "state of staging has no helm_release prometheus-operator-crds" in empty.stderr
    assert snapshot(proj.project) == tree

    # 2. Staging runs an older argo-cd than it pins.
    running = {name: (v, digest[name]) for name, v in STAGING.items()}
    push(terraform_bin, proj.project, "staging", state(1, lineage, {**running, "argo-cd": ("9.7.1", None)}))
    older = promote(proj, "--from", "staging", "--to", "production", "--require-deployed")
    assert older.exit_code == 64, older.output
    assert older.stderr.strip().splitlines() == [
        "error: state of staging runs argo-cd 9.7.1, not 10.1.1 — apply staging (k8sprov apply --env staging)"
        " and let it soak first"]
    assert snapshot(proj.project) == tree

    # 3. The right version, but other bytes than the lock's.
    tampered = {**running, "kyverno": ("3.9.0", "0" * 64)}
    push(terraform_bin, proj.project, "staging", state(5, lineage, tampered))
    bytes_differ = promote(proj, "--from", "staging", "--to", "production", "--require-deployed")
    assert bytes_differ.exit_code == 64 and "kyverno 3.9.0 with sha256:000000000000" in bytes_differ.stderr
    assert snapshot(proj.project) == tree

    # 4. Staging runs exactly what it pins, with the lock's digests: the promotion goes through.
    push(terraform_bin, proj.project, "staging", state(10, lineage, running))
    ok = promote(proj, "--from", "staging", "--to", "production", "--require-deployed")
    assert ok.exit_code == 0, ok.output
    assert load_hcl_text((proj.project / VERSIONS_TF).read_text())["production"] == STAGING

    # diff --deployed: what each state records, not the pins (production now pins 3.9.0 but runs 3.8.2).
    push(terraform_bin, proj.project, "production", state(1, str(uuid.uuid4()), {"kyverno": ("3.8.2", None)}))
    deployed = proj.cli("-C", str(proj.project), "diff", "staging", "production", "--deployed", "--json",
                        "--detailed-exitcode")
    assert deployed.exit_code == 2, deployed.output
    data = json.loads(deployed.stdout)
    assert data["compared"] == "deployed"
    charts = {c["chart"]: c for c in data["charts"]}
    assert charts["kyverno"]["a"] == {"version": "3.9.0", "sha256": digest["kyverno"]}
    assert charts["kyverno"]["b"] == {"version": "3.8.2", "sha256": None}
    assert charts["argo-cd"]["b"] == {"version": None, "sha256": None}
    expected = json.loads(subprocess.run([terraform_bin, "version", "-json"], capture_output=True, text=True,
                                         check=True).stdout)["terraform_version"]
    assert versions_k8sprov_ran(proj.project) == {expected}


def versions_k8sprov_ran(project: Path) -> set[str]:
    cache = json.loads((project / ".k8sprov" / "cache" / "terraform-versions.json").read_text())
    return {version for version, _flavor in cache.values()}
