"""Terraform's errors as k8sprov's one line: real diagnostics from real Terraform runs, and the pure parts."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from k8sprov.diagnostics import first_sentence, one_line
from k8sprov.errors import TerraformError
from k8sprov.terraform import Terraform, TerraformBinary
from tests.kit.fetch_terraform import TerraformKit

pytestmark = pytest.mark.integration
IN_CI = os.environ.get("CI") == "true"  # read at import: the isolation fixture removes it

STACK = '''
variable "talosconfig_path" {
  type    = string
  default = "versions.tf"
}

variable "mode" {
  type    = string
  default = "audit"
  validation {
    condition     = contains(["audit", "enforce"], var.mode)
    error_message = "The mode must be audit or enforce. Anything else is refused by the policy engine."
  }
}

variable "read_remote" {
  type    = bool
  default = false
}

locals {
  talosconfig = file(pathexpand(var.talosconfig_path))
}

data "terraform_remote_state" "upstream" {
  count   = var.read_remote ? 1 : 0
  backend = "local"
  config = {
    path = "${path.module}/upstream.tfstate"
  }
}

output "size" {
  value = length(local.talosconfig)
}
'''

PRECONDITION = '''
variable "replicas" {
  type    = number
  default = 1
}

output "replicas" {
  value = var.replicas
  precondition {
    condition     = var.replicas > 0
    error_message = "replicas must be at least 1, not ${var.replicas}. Set it in the env file."
  }
}
'''


def _stack(folder: Path, text: str, binary: TerraformBinary) -> Terraform:
    folder.mkdir(parents=True)
    (folder / "main.tf").write_text(text)
    (folder / "versions.tf").write_text("terraform {}\n")
    tf = Terraform(binary, working_dir=folder, data_dir=folder / ".tfdata", workspace="default")
    tf.init()
    return tf


def _plan_error(tf: Terraform, tmp: Path, var_text: str) -> str:
    var_file = tmp / f"case-{abs(hash(var_text))}.tfvars"
    var_file.write_text(var_text)
    with pytest.raises(TerraformError) as caught:
        tf.plan(var_file, tmp / "out.tfplan")
    message = caught.value.message
    assert "\n" not in message
    return message


@pytest.fixture(scope="module")
def kit_stack(tf_kit: TerraformKit, tmp_path_factory: pytest.TempPathFactory) -> tuple[Terraform, Path]:
    tmp = tmp_path_factory.mktemp("diag")
    with pytest.MonkeyPatch.context() as mp:
        for key, value in tf_kit.env().items():
            mp.setenv(key, value)
        binary = TerraformBinary(path=str(tf_kit.terraform), version="1.0.3", flavor="terraform")
        return _stack(tmp / "stack", STACK, binary), tmp


def test_missing_file(kit_stack: tuple[Terraform, Path]) -> None:
    tf, tmp = kit_stack
    message = _plan_error(tf, tmp, f'talosconfig_path = "{tmp}/no/talos/config"\n')
    assert message == (f"terraform plan failed: Error: Invalid function argument: Invalid value for \"path\""
                       f" parameter: no file exists at {tmp}/no/talos/config ({tmp}/stack/main.tf:22)")


def test_invalid_variable_value(kit_stack: tuple[Terraform, Path]) -> None:
    tf, tmp = kit_stack
    message = _plan_error(tf, tmp, 'mode = "strict"\n')
    assert message.startswith("terraform plan failed: Error: Invalid value for variable:"
                              " The mode must be audit or enforce (")
    assert "Anything else" not in message  # only the first sentence
    assert message.endswith("/stack/main.tf:7)")


def test_provider_error(kit_stack: tuple[Terraform, Path]) -> None:
    tf, tmp = kit_stack
    message = _plan_error(tf, tmp, "read_remote = true\n")
    assert message.startswith("terraform plan failed: Error: Unable to find remote state: No stored state was"
                              " found for the given workspace in the given backend (")
    assert message.endswith("/stack/main.tf:25)")


def _modern_terraform() -> str:
    found = os.environ.get("K8SPROV_TEST_TERRAFORM") or shutil.which("terraform")
    if found:
        out = subprocess.run([found, "version"], capture_output=True, text=True, check=False).stdout
        words = out.split()
        version = words[1].lstrip("v") if len(words) > 1 else "0"
        if tuple(int(p) for p in version.split(".")[:2] if p.isdigit()) >= (1, 2):
            return found
    if IN_CI:
        pytest.fail("a Terraform >= 1.2 is needed (K8SPROV_TEST_TERRAFORM or terraform on PATH)",
                    pytrace=False)
    pytest.skip("no Terraform >= 1.2 (K8SPROV_TEST_TERRAFORM or terraform on PATH): preconditions need it")


def test_failed_precondition(tmp_path: Path, tf_kit: TerraformKit, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _modern_terraform()
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", tf_kit.env()["TF_CLI_CONFIG_FILE"])
    binary = TerraformBinary(path=path, version="1.11.4", flavor="terraform")
    tf = _stack(tmp_path / "stack", PRECONDITION, binary)
    message = _plan_error(tf, tmp_path, "replicas = 0\n")
    assert message.startswith("terraform plan failed: Error: Module output value precondition failed:"
                              " replicas must be at least 1, not 0 (")
    assert message.endswith("/stack/main.tf:10)")


def test_secrets_are_masked_in_the_line() -> None:
    text = ('Error: Failed to get existing workspaces\n\nError connecting to postgres://tf:hunter2@db:5432/s:'
            ' connection refused.\n')
    from k8sprov.terraform import RunResult

    line = RunResult(1, "", text).last_error()
    assert "hunter2" in line  # the adapter masks the whole message; see _raise_failure
    from k8sprov.masking import mask

    assert "hunter2" not in mask(line)


def test_long_details_are_shortened_and_more_errors_counted() -> None:
    detail = " ".join(["word"] * 80) + "."
    text = f"Error: First\n\n  on a.tf line 3:\n   3: x\n\n{detail}\n\nError: Second\n\nmore\n"
    line = one_line(text)
    assert line is not None and line.startswith("Error: First: word word")
    assert "…" in line and line.endswith("(a.tf:3) (and 1 more error)")
    assert len(line) < 220
    assert first_sentence("Short one. Second sentence.") == "Short one"
    assert one_line("no diagnostics here") is None


def test_helms_own_failure_is_kept_whole_in_the_one_line() -> None:
    from k8sprov.diagnostics import first_sentence

    required = "A valid .Values.configs.clusterCredentials.CLUSTERNAME.server entry is required!"
    detail = ("Upgrade failed: execution error at "
              f"(argo-cd/templates/argocd-configs/cluster-secrets.yaml:26:13): {required}")
    assert first_sentence(detail) == detail  # longer than the usual limit, and not cut at its first "."
    assert first_sentence("Plain words that run on. " * 20).endswith("Plain words that run on")
