"""The stack's chart/lock logic evaluated by real Terraform (1.0.3 `terraform console`), not by us.

Terraform 1.0.3 cannot load the modules themselves (they use `optional()` defaults, `nullable` and
preconditions, which need >= 1.3 / 1.1 / 1.2), so the `locals` blocks that carry the logic are lifted
verbatim into a scratch module with plain variable declarations and evaluated there: the lock lookup
in provision_k8s, and the archive check and error message behind the helm module's precondition.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.kit.fetch_terraform import TerraformKit
from tests.stack.conftest import MODULE_DIRS
from tests.stack.hclcheck import Module

pytestmark = pytest.mark.integration


def _locals_blocks(text: str) -> list[str]:
    """The source text of every top-level `locals { ... }` block (brace matching, strings respected)."""
    blocks = []
    for m in re.finditer(r"^locals \{", text, re.MULTILINE):
        depth, i, in_str = 0, m.end() - 1, False
        while True:
            ch = text[i]
            if in_str:
                if ch == "\\":
                    i += 1
                elif ch == '"':
                    in_str = False
            elif ch == '"':
                in_str = True
            elif ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    blocks.append(text[m.start(): i + 1])
                    break
            i += 1
    return blocks


def _console(kit: TerraformKit, workdir: Path, expr: str, variables: dict[str, Any]) -> Any:
    args = [str(kit.terraform), "console"]
    for key, value in variables.items():
        args += ["-var", f"{key}={json.dumps(value)}"]  # JSON is valid HCL for `type = any` variables
    result = subprocess.run(args, input=f"jsonencode({expr})\n", cwd=workdir, capture_output=True, text=True,
                            timeout=60, check=False, env={"TF_IN_AUTOMATION": "1", "HOME": str(workdir)})
    assert result.returncode == 0, result.stderr
    return json.loads(json.loads(result.stdout.strip()))


@pytest.fixture
def helm_scratch(tmp_path: Path) -> Path:
    main = (MODULE_DIRS["helm"] / "main.tf").read_text()
    first = _locals_blocks(main)[0]
    assert "archive_problem" in first
    (tmp_path / "main.tf").write_text(
        "\n".join(f'variable "{v}" {{\n  type    = any\n  default = null\n}}' for v in
                  ("name", "chart_archive", "chart_version", "chart_sha256"))
        + '\nvariable "values_files" {\n  default = []\n}\nvariable "set" {\n  default = []\n}\n'
        + 'variable "set_sensitive" {\n  default = []\n}\n' + first)
    return tmp_path


def _precondition_message(module: Module) -> str:
    (body,) = [b for _, t, n, b in module.resources() if t == "helm_release" and n == "this"]
    message: str = body["lifecycle"][0]["precondition"][0]["error_message"]
    return message


def test_archive_check_and_plan_time_message(tf_kit: TerraformKit, helm_scratch: Path,
                                             modules: dict[str, Module]) -> None:
    archive = helm_scratch / "kyverno-3.9.0.tgz"
    archive.write_bytes(b"chart bytes")
    digest = hashlib.sha256(b"chart bytes").hexdigest()
    message_expr = '"' + _precondition_message(modules["helm"]).replace('"', '\\"') + '"'
    message_expr = message_expr.replace('\\"chart archive mismatch\\"', '"chart archive mismatch"')
    base = {"name": "kyverno", "chart_version": "3.9.0"}

    ok = {**base, "chart_archive": "./kyverno-3.9.0.tgz", "chart_sha256": digest}
    assert _console(tf_kit, helm_scratch, "local.archive_problem", ok) is None
    assert _console(tf_kit, helm_scratch, "local.description", ok) == f"kyverno 3.9.0 sha256:{digest}"

    cases = {
        "missing": ({**ok, "chart_archive": "./kyverno-3.9.1.tgz"},
                    "chart archive ./kyverno-3.9.1.tgz is missing"),
        "changed": ({**ok, "chart_sha256": "0" * 64},
                    f"chart archive ./kyverno-3.9.0.tgz has sha256 {digest}, "
                    f"but charts.lock records {'0' * 64}"),
        "unlocked": ({k: v for k, v in ok.items() if k != "chart_sha256"},
                     "kyverno 3.9.0 has no entry in charts.lock"),
    }
    for case, (variables, problem) in cases.items():
        assert _console(tf_kit, helm_scratch, "local.archive_problem", variables) == problem, case
        message = _console(tf_kit, helm_scratch, message_expr, variables)
        assert message.startswith(problem) and "run k8sprov update-charts" in message, case


def test_lock_digest_reaches_each_release(tf_kit: TerraformKit, tmp_path: Path) -> None:
    provision = (MODULE_DIRS["provision_k8s"] / "provision.tf").read_text()
    versions = (MODULE_DIRS["provision_k8s"] / "versions.tf").read_text()
    scratch = tmp_path / "module"
    scratch.mkdir()
    variables = ("environment", "environment_name", "charts_dir", "values_dir", "namespace_labels",
                 "release_overrides", "release_secrets", "default_timeout", "default_max_history")
    (scratch / "main.tf").write_text(
        "\n".join(f'variable "{v}" {{\n  type    = any\n  default = null\n}}' for v in variables) + "\n"
        + "\n".join(_locals_blocks(versions) + _locals_blocks(provision)))
    charts = tmp_path / "charts"
    charts.mkdir()
    lock = {"version": 1, "charts": [
        {"name": "kyverno", "version": v, "source": f"https://x/kyverno-{v}.tgz", "sha256": d * 64, "size": 1}
        for v, d in (("3.8.2", "a"), ("3.9.0", "b"))
    ]}
    (charts / "charts.lock").write_text(json.dumps(lock))
    common = {"environment_name": "x", "charts_dir": "../charts", "values_dir": "../infra/values",
              "namespace_labels": {}, "release_overrides": {"argo-cd": {"timeout": 900}},
              "release_secrets": {"argo-cd": [{"name": "configs.secret.argocdServerAdminPassword",
                                               "value": "pw"}]},
              "default_timeout": 600, "default_max_history": 10}

    basic = _console(tf_kit, scratch, "local.releases", {**common, "environment": "basic"})
    assert basic["kyverno"]["sha256"] == "b" * 64
    assert basic["kyverno"]["archive"] == "../charts/kyverno-3.9.0.tgz"
    assert basic["kyverno"]["values_files"] == ["../infra/values/kyverno/basic.yaml"]
    assert basic["argo-cd"]["sha256"] is None  # not locked: the helm module's precondition stops the plan
    assert basic["argo-cd"]["timeout"] == 900 and basic["kyverno"]["timeout"] == 600
    # release_secrets reach their release only, for the helm module's set_sensitive
    assert basic["argo-cd"]["set_sensitive"] == [{"name": "configs.secret.argocdServerAdminPassword",
                                                  "value": "pw"}]
    assert basic["kyverno"]["set_sensitive"] == []

    production = _console(tf_kit, scratch, "local.releases", {**common, "environment": "production"})
    assert production["kyverno"]["sha256"] == "a" * 64
    assert production["kyverno"]["archive"] == "../charts/kyverno-3.8.2.tgz"

    # a chart with a pinned signing key carries "signer" in its entry only (docs/supply-chain.md)
    lock["charts"][1]["signer"] = "2B8F22F57260EFA67BE1C5824B11F800CD9D2252"
    (charts / "charts.lock").write_text(json.dumps(lock))
    signed = _console(tf_kit, scratch, "local.releases", {**common, "environment": "basic"})
    assert signed["kyverno"]["sha256"] == "b" * 64

    for broken in ('{"version": 1, "charts": [{"name": "kyverno"}]}', "not json"):
        (charts / "charts.lock").write_text(broken)  # malformed: no digests, no crash
        releases = _console(tf_kit, scratch, "local.releases", {**common, "environment": "basic"})
        assert {r["sha256"] for r in releases.values()} == {None}, broken
    (charts / "charts.lock").unlink()  # no lock at all: no digests, no crash
    nolock = _console(tf_kit, scratch, "local.releases", {**common, "environment": "basic"})
    assert {r["sha256"] for r in nolock.values()} == {None}

    namespaces = _console(tf_kit, scratch, "local.namespaces", {**common, "environment": "basic"})
    assert namespaces == {
        "argocd": {"charts": ["argo-cd"], "psa": "restricted"},
        "kyverno": {"charts": ["kyverno", "kyverno-policies"], "psa": "restricted"},
        "monitoring": {"charts": ["prometheus-operator-crds"], "psa": "restricted"},
    }


def _kube_locals(main: str) -> str:
    """The root module's kubeconfig resolution (kube_config_paths, kube_context), lifted verbatim."""
    paths = re.search(r"^  kube_config_paths = .*?^  \)$", main, re.MULTILINE | re.DOTALL)
    context = re.search(r"^  kube_context = .*$", main, re.MULTILINE)
    assert paths and context, "main.tf must define local.kube_config_paths and local.kube_context"
    return "locals {\n" + paths.group(0) + "\n" + context.group(0) + "\n}\n"


def test_kubeconfig_resolution_follows_kubectl(tf_kit: TerraformKit, tmp_path: Path) -> None:
    """No path in the env file: the files k8sprov passes (KUBECONFIG's list), else ~/.kube/config; the env
    file's path and context win over what k8sprov resolved."""
    main = (MODULE_DIRS["root"] / "main.tf").read_text()
    assert "config_paths           = local.kube.config_paths" in main  # the kubernetes provider
    assert "    config_paths           = local.kube.config_paths" in main  # helm's kubernetes attribute
    (tmp_path / "main.tf").write_text(
        "\n".join(f'variable "{v}" {{\n  type    = any\n  default = null\n}}'
                  for v in ("kubeconfig", "kube_config_paths", "kube_context")) + "\n" + _kube_locals(main))
    expr = "{paths = local.kube_config_paths, context = local.kube_context}"
    home = str(tmp_path)

    listed = {"kubeconfig": {"path": None, "context": None}, "kube_config_paths": ["/k/a", "~/b"],
              "kube_context": "two"}
    assert _console(tf_kit, tmp_path, expr, listed) == {"paths": ["/k/a", f"{home}/b"], "context": "two"}
    nothing = {"kubeconfig": {"path": None, "context": None}, "kube_config_paths": [], "kube_context": None}
    assert _console(tf_kit, tmp_path, expr, nothing) == {"paths": [f"{home}/.kube/config"], "context": None}
    pinned = {**listed, "kubeconfig": {"path": "~/pinned", "context": "staging"}}
    assert _console(tf_kit, tmp_path, expr, pinned) == {"paths": [f"{home}/pinned"], "context": "staging"}
