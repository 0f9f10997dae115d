"""`tests/kit/standin.py --print-env`: the one entry point other checks use to run the real stack."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

from tests.kit.fetch_terraform import TerraformKit
from tests.kit.standin import StandIns

STANDIN = Path(__file__).resolve().parents[1] / "kit" / "standin.py"


def _print_env(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(STANDIN), "--print-env"], capture_output=True, text=True,
                          env=env, timeout=120, check=False)


def test_print_env_names_the_cli_config_and_a_modern_terraform(standins: StandIns, monkeypatch) -> None:
    import os

    monkeypatch.setenv("K8SPROV_TEST_TERRAFORM", str(standins.terraform))
    result = _print_env(dict(os.environ))
    assert result.returncode == 0, result.stderr
    exports = dict(shlex.split(line.removeprefix("export "))[0].split("=", 1)
                   for line in result.stdout.splitlines())
    assert all(line.startswith("export ") for line in result.stdout.splitlines())
    assert exports["K8SPROV_TERRAFORM"] == str(standins.terraform)
    config = Path(exports["TF_CLI_CONFIG_FILE"]).read_text()
    assert "filesystem_mirror" in config and "direct" not in config
    mirror = Path(config.split('path = "')[1].split('"')[0])
    scripts = sorted(p.relative_to(mirror).as_posix() for p in mirror.glob("registry.terraform.io/**/*")
                     if p.name.startswith("terraform-provider-"))
    assert scripts == [
        "registry.terraform.io/hashicorp/helm/3.3.0/linux_amd64/terraform-provider-helm_v3.3.0",
        "registry.terraform.io/hashicorp/kubernetes/3.4.0/linux_amd64/terraform-provider-kubernetes_v3.4.0",
        "registry.terraform.io/hashicorp/null/3.2.4/linux_amd64/terraform-provider-null_v3.2.4",
        "registry.terraform.io/siderolabs/talos/0.11.0/linux_amd64/terraform-provider-talos_v0.11.0",
    ]
    assert len(list(mirror.glob("registry.opentofu.org/*/*/*/linux_amd64/terraform-provider-*"))) == 4


def test_print_env_without_a_modern_terraform_says_what_is_missing(tf_kit: TerraformKit) -> None:
    import os

    env = {**os.environ, "K8SPROV_TEST_TERRAFORM": str(tf_kit.terraform)}  # Terraform 1.0.3: too old
    result = _print_env(env)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip() == (f"standin: no Terraform >= 1.5: found only {tf_kit.terraform} (1.0.3); "
                                     "set K8SPROV_TEST_TERRAFORM")


def test_missing_terraform_skips_with_its_reason_but_fails_under_ci(standins: StandIns) -> None:
    import dataclasses

    import pytest

    from tests.kit.standin import require

    missing = dataclasses.replace(standins, terraform=None, terraform_version=None,
                                  missing="no Terraform >= 1.5: set K8SPROV_TEST_TERRAFORM")
    with pytest.raises(pytest.skip.Exception, match=r"^no Terraform >= 1\.5: set K8SPROV_TEST_TERRAFORM$"):
        require(missing, in_ci=False)
    with pytest.raises(pytest.fail.Exception, match=r"^real-stack tests need no Terraform >= 1\.5"):
        require(missing, in_ci=True)
    assert require(standins, in_ci=True) is standins
