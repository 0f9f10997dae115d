"""Every shipped environment, Talos, and the stack's own input checks, under real Terraform with stand-ins.

One project for the module; the failing scenarios share one extra environment file (`edge`), rewritten per
case, so Terraform initialises its data dir once."""

from __future__ import annotations

import base64
import json
import os
import pty
import select
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.kit.realstack import RealStack
from tests.kit.script import SCRIPT, addresses


def _pem(kind: str, body: str) -> str:
    return base64.b64encode(f"-----BEGIN {kind}-----\n{body}\n-----END {kind}-----\n".encode()).decode()


TALOSCONFIG = f"""\
context: production
contexts:
  production:
    endpoints:
      - talos.prod.example.internal
    nodes:
      - 10.0.10.11
    ca: {_pem("CERTIFICATE", "ca")}
    crt: {_pem("CERTIFICATE", "admin")}
    key: {_pem("ED25519 PRIVATE KEY", "key")}
"""


@pytest.fixture(scope="module")
def stack(real_stack: RealStack) -> RealStack:
    """The shipped production.tfvars reads ~/.talos/config: the project's HOME gets the fixture there."""
    talos = real_stack.root / "home" / ".talos"
    talos.mkdir(parents=True, exist_ok=True)
    (talos / "config").write_text(TALOSCONFIG)
    return real_stack


@pytest.fixture(scope="module")
def data_dir(stack: RealStack) -> Path:
    """A data dir of terraform's own (init -backend=false), for running it by hand."""
    path = stack.root / ".by-hand"
    init = stack.terraform("init", "-backend=false", "-input=false", data_dir=path)
    assert init.returncode == 0, init.stderr
    return path


def test_validate_and_a_plan_of_each_shipped_env(stack: RealStack, data_dir: Path) -> None:
    validated = stack.terraform("validate", data_dir=data_dir)
    assert validated.returncode == 0 and "Success" in validated.stdout, validated.stderr + validated.stdout

    shipped = sorted(p.stem for p in (stack.root / "infra" / "envs").glob("*.tfvars"))
    assert shipped == ["basic", "production", "staging"]
    # basic is planned (and applied) in test_basic_lifecycle.py; production adds the Talos kubeconfig
    expected = {"staging": 7, "production": 8}
    for env in expected:
        out = stack.root / f"{env}.view.json"
        result = stack.k8sprov("plan", "--env", env, "--json", str(out))
        assert result.exit_code == 0, f"{env}: {result.output}"
        view = json.loads(out.read_text())
        assert view["counts"]["create"] == expected[env], env
        assert view["profile"] == env
    production = json.loads((stack.root / "production.view.json").read_text())
    assert any(c["type"] == "talos_cluster_kubeconfig" for c in production["changes"])


def _pty_k8sprov(stack: RealStack, *args: str, answer: str, record: Path) -> tuple[int, str]:
    """Run the installed script on a real terminal, answer its question, return (exit code, screen)."""
    env = {**os.environ, **stack.env(), "K8SPROV_STANDIN_RECORD": str(record)}
    for key in ("CI", "TF_DATA_DIR", "TF_WORKSPACE"):
        env.pop(key, None)
    master, slave = pty.openpty()
    proc = subprocess.Popen([str(SCRIPT), "-C", str(stack.root), *args], stdin=slave, stdout=slave,
                            stderr=slave, env=env, close_fds=True)
    os.close(slave)
    screen = b""
    answered = False
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                screen += chunk
                if not answered and b"to confirm:" in screen:
                    os.write(master, answer.encode() + b"\n")
                    answered = True
            elif proc.poll() is not None:
                break
        code = proc.wait(timeout=60)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    return code, screen.decode(errors="replace")


def test_production_apply_asks_for_the_typed_name_and_wires_talos(stack: RealStack, tmp_path: Path) -> None:
    code, screen = _pty_k8sprov(stack, "apply", "--env", "production", answer="prod", record=tmp_path)
    assert "Type the environment name (production) to confirm:" in screen
    assert code == 1 and "cancelled: not confirmed" in screen
    assert not addresses(stack.state("production"))

    code, screen = _pty_k8sprov(stack, "apply", "--env", "production", answer="production", record=tmp_path)
    assert code == 0, screen
    assert "production: applied." in screen
    state = stack.state("production")
    assert "talos_cluster_kubeconfig.this[0]" in addresses(state) and len(addresses(state)) == 8
    assert "client-key-data" not in screen  # the sensitive kubeconfig is never shown

    # both providers were configured from the kubeconfig Talos returned
    helm = json.loads((tmp_path / "helm-configure.json").read_text())["kubernetes"]
    kubernetes = json.loads((tmp_path / "kubernetes-configure.json").read_text())
    for config in (helm, kubernetes):
        assert config["host"] == "https://talos.prod.example.internal:6443"
        assert config["client_key"].startswith("-----BEGIN ") and config["config_path"] is None


EDGE_CASES = {
    "talos-context": (
        'environment = "production"\n'
        'talos = {\n  talosconfig_path = "~/.talos/config"\n  context = "missing"\n}\n',
        "The talosconfig ~/.talos/config has no usable context missing with ca, crt and key; "
        "check talos.talosconfig_path and talos.context."),
    "release-overrides": (
        'environment = "basic"\nrelease_overrides = {\n  "nginx" = { timeout = 60 }\n}\n',
        "release_overrides has unknown release(s) nginx; known: argo-cd, kyverno, kyverno-policies, "
        "prometheus-operator-crds."),
    "environment-name": (
        'environment = "basic"\nenvironment_name = "Team_A!"\n',
        "environment_name must be a valid Kubernetes label value"),
    "release-secrets": (
        'environment = "basic"\n'
        'release_secrets = {\n  "nginx" = [{ name = "auth.password", value = "x" }]\n}\n',
        "release_secrets has unknown release(s) nginx; known: argo-cd, kyverno, kyverno-policies, "
        "prometheus-operator-crds."),
}


@pytest.mark.parametrize("case", sorted(EDGE_CASES))
def test_stack_input_checks_fail_in_one_line(stack: RealStack, data_dir: Path, case: str) -> None:
    tfvars, message = EDGE_CASES[case]
    stack.write_env("edge", tfvars)
    result = stack.k8sprov("plan", "--env", "edge")
    assert result.exit_code == 1, result.output  # ExitCode.ERROR: the plan was refused
    (line,) = result.error_lines()
    # The stack's own message, not just Terraform's summary. An unknown release_overrides key may be
    # stopped even earlier by k8sprov's lint of the env file, in its own words.
    assert message.rstrip(".") in line or (case.startswith("release-") and "lint" in line), line
    # The stack's check itself, as Terraform reports it to someone running terraform by hand.
    direct = stack.terraform("plan", "-input=false", "-var-file=../infra/envs/edge.tfvars",
                             data_dir=data_dir)
    assert direct.returncode == 1
    assert message in " ".join(direct.stderr.split())  # Terraform wraps its messages at 78 columns


# ---- secrets: never printed, by any command, in any format -----------------------------------------

CANARY_OVERRIDE = "CANARY-override-pw-5d1e"  # a credential-named `set` entry of TF_VAR_release_overrides
CANARY_OVERRIDE_2 = "CANARY-override-pw-9b7c"  # the same entry, changed after the apply
CANARY_SECRET = "CANARY-secret-pw-2f8a"  # release_secrets (sensitive), from TF_VAR_release_secrets
CANARY_FILE = "CANARY-file-pw-7e3b"  # a credential-named `set` entry written in an env file
CANARY_FILE_SECRET = "CANARY-file-secret-4c0d"  # release_secrets written in an env file (lint warns)
CANARIES = (CANARY_OVERRIDE, CANARY_OVERRIDE_2, CANARY_SECRET, CANARY_FILE, CANARY_FILE_SECRET)
PASSWORD = "configs.secret.argocdServerAdminPassword"
GITHUB = "configs.secret.githubSecret"
CANARY_FILE_ENV = (
    'environment = "staging"\nenvironment_name = "canary-file"\n'
    'release_overrides = {\n  "argo-cd" = {\n    set = [\n'
    f'      {{ name = "{PASSWORD}", value = "{CANARY_FILE}" }},\n'  # line 6
    '    ]\n  }\n}\n'
    'release_secrets = {\n  "argo-cd" = [\n'
    f'    {{ name = "{GITHUB}", value = "{CANARY_FILE_SECRET}" }},\n'
    '  ]\n}\n'
)


def _overrides(value: str) -> str:
    return ('{"argo-cd"={set=[{name="' + PASSWORD + '", value="' + value + '"}, '
            '{name="server.replicas", value="2"}]}}')


def _no_canary(what: str, *texts: str) -> None:
    for text in texts:
        for canary in CANARIES:
            assert canary not in text, f"{what} printed {canary}"


def test_no_command_prints_a_secret(stack: RealStack, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The canaries reach the plan (JSON, state, Terraform's own output) and must come out of no view.

    The shipped staging environment, as in the report this guards against (and its data dir is already
    initialised by the plans above)."""
    stack.write_env("canary-file", CANARY_FILE_ENV)
    monkeypatch.setenv("TF_VAR_release_overrides", _overrides(CANARY_OVERRIDE))
    monkeypatch.setenv("TF_VAR_release_secrets",
                       '{"argo-cd"=[{name="configs.secret.githubSecret", value="' + CANARY_SECRET + '"}]}')
    seen: list[tuple[str, str]] = []

    def run(*args: str) -> Any:
        result = stack.k8sprov(*args)
        seen.append((" ".join(args), result.output))
        return result

    js, md = tmp_path / "ps.json", tmp_path / "ps.md"
    planned = run("--debug", "plan", "--env", "staging", "--detail", "--json", str(js), "--markdown", str(md))
    assert planned.exit_code == 0, planned.output
    # the canaries are really in the saved plan, so the views below have something to hide
    plan_json = stack.terraform("show", "-json", str(stack.root / ".k8sprov/envs/staging/plan.tfplan"),
                                data_dir=stack.root / ".k8sprov/envs/staging/tfdata", workspace="staging")
    assert plan_json.returncode == 0, plan_json.stderr
    assert CANARY_OVERRIDE in plan_json.stdout and CANARY_SECRET in plan_json.stdout
    (stack.root / "staging.canary.json").write_text(plan_json.stdout)
    summary = json.loads(js.read_text())
    argo = next(c for c in summary["changes"] if c["address"].endswith("argo_cd.helm_release.this[0]"))
    shown = {a["path"]: a for a in argo["attributes"]}
    assert shown["set[0].value"]["after_sensitive"] and shown["set[1].value"]["after"] == "2"
    assert shown["set[0].name"]["after"] == PASSWORD  # the name stays readable
    assert shown["set_sensitive"]["after_sensitive"]

    run("show", "--env", "staging", "--detail", "--json", "-")  # the human view goes to stderr
    run("show", "--plan", str(stack.root / "staging.canary.json"), "--detail",
        "--markdown", str(tmp_path / "s.md"))
    run("--debug", "show", "--plan", str(stack.root / "staging.canary.json"), "--json", "-")
    applied = run("--debug", "apply", "--env", "staging", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    state = json.dumps(stack.state("staging"))
    assert CANARY_OVERRIDE in state  # the stand-in, like the helm provider, keeps `set` in metadata.values

    # after the apply, the same entry changes: the plan's before side carries the old value everywhere
    monkeypatch.setenv("TF_VAR_release_overrides", _overrides(CANARY_OVERRIDE_2))
    changed = run("--debug", "plan", "--env", "staging", "--detail", "--json", str(js), "--markdown", str(md))
    assert changed.exit_code == 0, changed.output
    assert json.loads(js.read_text())["counts"]["update"] >= 1
    run("lint", "--env", "canary-file")
    run("lint", "--env", "canary-file", "--json")
    run("diff", "canary-file", "staging")
    run("diff", "canary-file", "staging", "--json")
    run("diff", "canary-file", "staging", "--markdown")
    run("promote", "--from", "staging", "--to", "production", "--dry-run")
    for what, output in seen:
        _no_canary(what, output)
    _no_canary("the --json and --markdown files", js.read_text(), md.read_text(),
               (tmp_path / "s.md").read_text())
    assert any("(sensitive value)" in out for _, out in seen)


def test_lint_points_a_credential_in_overrides_to_release_secrets(stack: RealStack,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    stack.write_env("canary-file", CANARY_FILE_ENV)
    monkeypatch.setenv("TF_VAR_release_overrides", _overrides(CANARY_OVERRIDE))
    result = stack.k8sprov("lint", "--env", "canary-file")
    warnings = [ln for ln in result.output.splitlines() if PASSWORD in ln]
    assert any("infra/envs/canary-file.tfvars:6" in ln and "release_secrets" in ln for ln in warnings), \
        result.output
    assert "infra/envs/canary-file.tfvars:10: warning: release_secrets: holds credentials in a var file" \
        in result.output
    assert any("TF_VAR_release_overrides" in ln and "release_secrets" in ln for ln in warnings), result.output
    _no_canary("lint", result.output)
