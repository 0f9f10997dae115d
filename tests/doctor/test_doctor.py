"""k8sprov doctor through the real CLI, against loopback stand-ins of an API server, Talos and PostgreSQL."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path
from typing import Any

import pytest

from tests.doctor.conftest import K8S_VERSION, TOKEN, ApiServer, Pki, kubeconfig, write_project
from tests.kit.fetch_terraform import TerraformKit

FAST = ("--timeout", "0.5")  # network items fail fast here; the default is 3 s


def _items(result: Any, env: str) -> dict[str, dict[str, Any]]:
    doc = json.loads(result.stdout)
    (checklist,) = [c for c in doc["checklists"] if c["name"] == env]
    return {item["name"]: item for item in checklist["items"]}


def _b64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode()


@pytest.fixture
def kube_project(tmp_path: Path, tf_env: TerraformKit) -> Path:
    return write_project(tmp_path / "proj", {
        "cert": 'environment = "basic"\nkubeconfig = {\n  context = "cert"\n}\n',
        "token": 'environment = "basic"\nkubeconfig = {\n  context = "token"\n}\n',
        "wrongca": 'environment = "basic"\nkubeconfig = {\n  context = "wrongca"\n}\n',
        "refused": 'environment = "basic"\nkubeconfig = {\n  context = "refused"\n}\n',
        "silent": 'environment = "basic"\nkubeconfig = {\n  context = "silent"\n}\n',
        "plugin": 'environment = "basic"\nkubeconfig = {\n  context = "plugin"\n}\n',
        "typo": 'environment = "basic"\nkubeconfig = {\n  context = "stagng"\n}\n',
        "current": 'environment = "basic"\n',
    })


@pytest.fixture
def kube_setup(tmp_path: Path, pki: Pki, api_server: ApiServer, listener: int, closed_port: int,
               monkeypatch: pytest.MonkeyPatch) -> Path:
    marker = tmp_path / "plugin-ran"
    plugin = tmp_path / "credential-plugin.sh"
    plugin.write_text(f"#!/bin/sh\ntouch {marker}\necho '{{}}'\n")
    plugin.chmod(plugin.stat().st_mode | stat.S_IXUSR)
    ca = {"certificate-authority-data": _b64(pki.ca)}
    path = kubeconfig(
        tmp_path / "kubeconfig",
        clusters={"good": {"server": api_server.url, **ca},
                  "wrongca": {"server": api_server.url, "certificate-authority-data": _b64(pki.other_ca)},
                  "refused": {"server": f"https://127.0.0.1:{closed_port}", **ca},
                  "silent": {"server": f"https://127.0.0.1:{listener}", **ca}},
        users={"admin": {"client-certificate-data": _b64(pki.client_cert),
                         "client-key-data": _b64(pki.client_key)},
               "bot": {"token": TOKEN},
               "sso": {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1",
                                "command": str(plugin)}}},
        contexts={"cert": ("good", "admin"), "token": ("good", "bot"), "wrongca": ("wrongca", "admin"),
                  "refused": ("refused", "admin"), "silent": ("silent", "admin"), "plugin": ("good", "sso")},
        current="token")
    monkeypatch.setenv("KUBECONFIG", str(path))
    return marker


def test_api_server_with_its_own_ca_answers_version(kube_project: Path, kube_setup: Path, cli,
                                                   api_server: ApiServer) -> None:
    before = len(api_server.seen)
    result = cli("-C", str(kube_project), "doctor", "--env", "cert", "--env", "token", "--env", "current",
                 "--json", *FAST)
    assert result.exit_code == 0, result.output
    for env in ("cert", "token", "current"):
        item = _items(result, env)["API server"]
        assert item["status"] == "ok" and K8S_VERSION in item["message"], (env, item)
    assert _items(result, "current")["context"]["message"] == "token (current-context)"
    assert sorted(s["auth"] for s in api_server.seen[before:]) == ["cert", "token", "token"]
    assert TOKEN not in result.output


def test_wrong_ca_fails_naming_tls(kube_project: Path, kube_setup: Path, cli) -> None:
    result = cli("-C", str(kube_project), "doctor", "--env", "wrongca", "--json", *FAST)
    assert result.exit_code == 1
    item = _items(result, "wrongca")["API server"]
    assert item["status"] == "fail" and "TLS" in item["message"] and "certificate" in item["message"]
    assert "certificate-authority" in item["fix"]


def test_unreachable_api_server_fails_within_the_timeout(kube_project: Path, kube_setup: Path, cli) -> None:
    result = cli("-C", str(kube_project), "doctor", "--env", "refused", "--env", "silent", "--json", *FAST)
    assert result.exit_code == 1
    refused = _items(result, "refused")["API server"]
    assert refused["status"] == "fail" and "cannot connect" in refused["message"]
    silent = _items(result, "silent")["API server"]
    assert silent["status"] == "fail" and "no answer within 0.5 s" in silent["message"]


def test_exec_plugin_context_is_skipped_and_the_plugin_never_runs(kube_project: Path, kube_setup: Path,
                                                                  cli) -> None:
    result = cli("-C", str(kube_project), "doctor", "--env", "plugin", "--json", *FAST)
    assert result.exit_code == 0, result.output
    item = _items(result, "plugin")["API server"]
    assert item["status"] == "skip" and "checked by the plugin at plan time" in item["message"]
    assert not kube_setup.exists()


def test_missing_context_fails_listing_the_known_ones(kube_project: Path, kube_setup: Path, cli) -> None:
    result = cli("-C", str(kube_project), "doctor", "--env", "typo", "--offline")
    assert result.exit_code == 1
    lines = [ln for ln in result.stdout.splitlines() if "context" in ln or "cert," in ln]
    text = " ".join(result.stdout.split())
    assert "✘ context context 'stagng' is not in" in text, result.stdout
    assert "(known: cert, plugin, refused, silent, token, wrongca)" in text, lines
    assert "fix: set kubeconfig.context in infra/envs/typo.tfvars" in text


def test_offline_skips_every_network_item(kube_project: Path, kube_setup: Path, cli,
                                          api_server: ApiServer) -> None:
    before = len(api_server.seen)
    result = cli("-C", str(kube_project), "doctor", "--env", "cert", "--env", "refused", "--offline",
                 "--json")
    assert result.exit_code == 0, result.output
    for env in ("cert", "refused"):
        item = _items(result, env)["API server"]
        assert item["status"] == "skip" and "--offline" in item["message"]
    assert len(api_server.seen) == before


def test_no_kubeconfig_at_all(tmp_path: Path, tf_env: TerraformKit, cli) -> None:
    project = write_project(tmp_path / "p", {"e": 'environment = "basic"\n'})
    result = cli("-C", str(project), "doctor", "--offline", "--json")
    assert result.exit_code == 1
    item = _items(result, "e")["kubeconfig"]
    assert item["status"] == "fail" and ".kube/config (the default) does not exist" in item["message"]
    doc = json.loads(result.stdout)
    assert doc["ok"] is False and doc["counts"]["fail"] == 1
    (project_items,) = [c["items"] for c in doc["checklists"] if c["name"] == "project"]
    terraform = {i["name"]: i for i in project_items}["terraform"]
    assert terraform["status"] == "ok" and "Terraform 1.0.3" in terraform["message"]


def _talosconfig(path: Path, port: int, **override: object) -> Path:
    import yaml

    context: dict[str, object] = {"endpoints": [f"127.0.0.1:{port}"], "nodes": ["10.0.0.11"],
                                  "ca": "Y2E=", "crt": "Y3J0", "key": "a2V5"}
    context.update(override)
    path.write_text(yaml.safe_dump({"context": "prod", "contexts": {"prod": context, "lab": context}}))
    return path


def _talos_env(config: Path, context: str = "prod") -> str:
    return (f'environment = "production"\ntalos = {{\n  talosconfig_path = "{config}"\n'
            f'  context = "{context}"\n}}\n')


def test_talos_items_against_loopback(tmp_path: Path, tf_env: TerraformKit, listener: int, closed_port: int,
                                      cli) -> None:
    project = write_project(tmp_path / "p", {
        "up": _talos_env(_talosconfig(tmp_path / "up.yaml", listener)),
        "down": _talos_env(_talosconfig(tmp_path / "down.yaml", closed_port)),
        "nocontext": _talos_env(tmp_path / "up.yaml", context="qa"),
        "nokey": _talos_env(_talosconfig(tmp_path / "nokey.yaml", listener, key=None)),
        "missing": _talos_env(tmp_path / "absent.yaml"),
    })
    result = cli("-C", str(project), "doctor", "--json", *FAST)
    assert result.exit_code == 1
    up = _items(result, "up")
    assert up["talos context"]["status"] == "ok"
    assert f"endpoint 127.0.0.1:{listener}" in up["talos context"]["message"]
    assert up["Talos API"]["status"] == "ok" and "accepts connections" in up["Talos API"]["message"]
    down = _items(result, "down")["Talos API"]
    assert down["status"] == "fail" and "connection refused" in down["message"]
    nocontext = _items(result, "nocontext")["talos context"]
    assert nocontext["status"] == "fail" and "(known: lab, prod)" in nocontext["message"]
    nokey = _items(result, "nokey")["talos context"]
    assert nokey["status"] == "fail" and "has no key" in nokey["message"]
    assert _items(result, "missing")["talosconfig"]["status"] == "fail"
    envs = json.loads(cli("-C", str(project), "envs", "--json").stdout)["environments"]
    shown = {row["name"]: row["connection"] for row in envs}
    assert shown["up"] == f"talos prod @ 127.0.0.1:{listener}"


def test_pg_backend_port_checked_without_printing_the_password(tmp_path: Path, tf_env: TerraformKit,
                                                               listener: int, closed_port: int,
                                                               cli) -> None:
    kube = kubeconfig(tmp_path / "kc", clusters={"c": {"server": "https://127.0.0.1:1"}},
                      users={"u": {"token": "t"}}, contexts={"x": ("c", "u")}, current="x")
    env = f'environment = "basic"\nkubeconfig = {{\n  path = "{kube}"\n}}\n'
    project = write_project(tmp_path / "p", {"up": env, "down": env},
                            versions='  backend "pg" {}\n')
    backends = project / "infra" / "backends"
    backends.mkdir(parents=True)
    for name, port in (("up", listener), ("down", closed_port)):
        (backends / f"{name}.hcl").write_text(
            f'conn_str = "postgres://terraform:Sup3rSecretPw@127.0.0.1:{port}/state"\n'
            f'schema_name = "{name}"\n')
    result = cli("-C", str(project), "doctor", "--json", *FAST)
    assert "Sup3rSecretPw" not in result.output
    up, down = _items(result, "up"), _items(result, "down")
    assert up["backend"]["status"] == "ok" and up["backend"]["message"].startswith("pg:")
    assert up["pg server"]["status"] == "ok" and f"127.0.0.1:{listener}" in up["pg server"]["message"]
    assert down["pg server"]["status"] == "fail" and "connection refused" in down["pg server"]["message"]
    human = cli("-C", str(project), "doctor", *FAST)
    assert human.exit_code == 1 and "Sup3rSecretPw" not in human.output
    cached = [p for p in (project / ".k8sprov").rglob("*") if p.is_file()]
    assert cached and not [p for p in cached if "Sup3rSecretPw" in p.read_text()]  # no copy at rest
    assert "✔" in human.stdout and "✘" in human.stdout and "failed" in human.stdout


def test_providers_checked_in_the_cli_configs_filesystem_mirror(tmp_path: Path, tf_env: TerraformKit,
                                                                cli) -> None:
    import shutil

    project = tmp_path / "proj"
    shutil.copytree(Path(__file__).parents[1] / "fixtures" / "nullstack", project)
    result = cli("-C", str(project), "doctor", "--env", "a", "--offline", "--json")
    items = _items(result, "project")
    assert items["providers"]["status"] == "ok", items["providers"]
    assert str(tf_env.mirror) in items["providers"]["message"]
    versions = project / "terraform" / "versions.tf"
    versions.write_text(versions.read_text().replace('version = "2.1.2"', 'version = "~> 3.2.0"'))
    result = cli("-C", str(project), "doctor", "--env", "a", "--offline", "--json")
    assert result.exit_code == 1
    item = _items(result, "project")["providers"]
    assert item["status"] == "fail" and "hashicorp/null ~> 3.2.0" in item["message"]
    assert "terraform providers mirror" in item["fix"]


def test_terraform_item_notes_opentofu_and_checks_required_version(tmp_path: Path, tf_env: TerraformKit,
                                                                   cli) -> None:
    project = write_project(tmp_path / "p", {"e": 'environment = "basic"\n'})
    tofu = tmp_path / "bin" / "tofu"
    tofu.parent.mkdir()
    tofu.write_text('#!/bin/sh\necho \'{"terraform_version": "1.8.2"}\'\n')
    tofu.chmod(0o755)
    result = cli("-C", str(project), "--terraform", str(tofu), "doctor", "--offline", "--json")
    item = _items(result, "project")["terraform"]
    assert item["status"] == "ok" and item["message"].startswith("OpenTofu 1.8.2")
    assert "OpenTofu:" in item["message"]
    versions = project / "terraform" / "versions.tf"
    versions.write_text(versions.read_text().replace('">= 1.0"', '">= 1.5"'))
    result = cli("-C", str(project), "doctor", "--offline", "--json")
    item = _items(result, "project")["terraform"]
    assert result.exit_code == 1 and item["status"] == "fail"
    assert "Terraform 1.0.3" in item["message"] and "does not meet required_version >= 1.5" in item["message"]


def test_unknown_environment_is_a_failed_item(tmp_path: Path, tf_env: TerraformKit, cli) -> None:
    project = write_project(tmp_path / "p", {"e": 'environment = "basic"\n', "bad": 'environment = "prod"\n'})
    result = cli("-C", str(project), "doctor", "--env", "nope", "--env", "bad", "--offline", "--json")
    assert result.exit_code == 1
    nope = _items(result, "nope")["env file"]
    assert nope["status"] == "fail" and "(known: bad, e)" in nope["message"]
    bad = _items(result, "bad")
    assert bad["env file"]["status"] == "ok" and bad["profile"]["status"] == "fail"
    assert "not 'prod'" in bad["profile"]["message"]


def test_files_item_fails_when_the_state_is_readable_by_others(tmp_path: Path, tf_env: TerraformKit,
                                                                cli) -> None:
    project = write_project(tmp_path / "p", {"e": 'environment = "basic"\n'})
    result = cli("-C", str(project), "doctor", "--env", "e", "--offline", "--json")
    assert _items(result, "e")["files"]["status"] == "ok"
    state = project / "terraform" / "terraform.tfstate.d" / "e" / "terraform.tfstate"
    state.parent.mkdir(parents=True)
    state.write_text("{}")
    state.chmod(0o644)  # e.g. copied with cp -p from a shared folder
    result = cli("-C", str(project), "doctor", "--env", "e", "--offline", "--json")
    item = _items(result, "e")["files"]
    assert item["status"] == "fail" and item["message"].startswith("readable by others: state")
    assert "chmod go-rwx" in item["fix"]
    assert stat.S_IMODE(state.stat().st_mode) == 0o644  # doctor only looks; it changes nothing


def test_lint_item_names_the_first_finding(tmp_path: Path, tf_env: TerraformKit, cli) -> None:
    project = write_project(tmp_path / "p", {"e": 'environment = "basic"\nnamespace_lables = {}\n'})
    (project / "terraform" / "variables.tf").write_text(
        'variable "environment" {\n  type = string\n}\n\n'
        'variable "namespace_labels" {\n  type = map(string)\n  default = {}\n}\n')
    result = cli("-C", str(project), "doctor", "--env", "e", "--offline", "--json")
    item = _items(result, "e")["lint"]
    assert item["status"] == "fail", item
    assert item["message"].startswith("1 error(s), first: infra/envs/e.tfvars:2: error: namespace_lables")
    assert "namespace_labels" in item["message"] and item["fix"].startswith("k8sprov lint --env e")
    assert result.exit_code == 1
    (project / "infra/envs/e.tfvars").write_text('environment = "basic"\nnamespace_labels = {}\n')
    result = cli("-C", str(project), "doctor", "--env", "e", "--offline", "--json")
    assert _items(result, "e")["lint"]["status"] == "ok"
