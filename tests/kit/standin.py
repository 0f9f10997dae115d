"""Stand-in providers for running the real stack (`terraform/`) under a real Terraform, offline.

The registry is out of reach here, so hashicorp/helm, hashicorp/kubernetes, hashicorp/null and
siderolabs/talos are served by `tests/kit/standin_provider.py` with the real providers' schemas
(`tests/kit/standin_schema.py`), laid out as a filesystem mirror:

    <cache>/standin/mirror/registry.terraform.io/<ns>/<type>/<version>/linux_amd64/terraform-provider-<type>_v<version>

each a small shell script that execs this virtualenv's Python, plus a CLI config with only
`provider_installation { filesystem_mirror { ... } }`.

Usage:
    eval "$(.venv/bin/python tests/kit/standin.py --print-env)"
    k8sprov plan --env basic            # in a checkout whose charts are vendored

prints `export TF_CLI_CONFIG_FILE=...`, `export K8SPROV_HELM=...` (the real Helm 3.17.3, fetched by
tests/kit/fetch_helm.py) and `export K8SPROV_TERRAFORM=...` (a Terraform >= 1.5:
$K8SPROV_TEST_TERRAFORM, else `terraform` or `tofu` on PATH). Without one it says what is missing on
stderr and exits 1. Cache: $K8SPROV_TEST_CACHE, else ~/.cache/k8sprov-test.

Note: `terraform init` records the stand-ins' hashes in `terraform/.terraform.lock.hcl`; do not commit a
lock file written against stand-ins.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.kit.fetch_terraform import cache_dir
from tests.kit.standin_schema import schema_response

# provider -> (namespace, version served, schema source): versions satisfy terraform/versions.tf pins
PROVIDERS: dict[str, tuple[str, str, str]] = {
    "helm": ("hashicorp", "3.3.0", "helm"),
    "kubernetes": ("hashicorp", "3.4.0", "kubernetes"),
    "null": ("hashicorp", "3.2.4", "null"),
    "talos": ("siderolabs", "0.11.0", "talos"),
}
MIN_TERRAFORM = (1, 5)
# Terraform resolves `hashicorp/helm` on registry.terraform.io, OpenTofu on registry.opentofu.org.
HOSTS = ("registry.terraform.io", "registry.opentofu.org")
KIT_FORMAT = 2  # 2: helm set_sensitive.value served sensitive


@dataclass(frozen=True)
class StandIns:
    mirror: Path
    cli_config: Path
    terraform: Path | None
    terraform_version: str | None
    missing: str | None  # why there is no usable Terraform, in one line
    helm: Path | None = None  # the real Helm 3.17.3 (tests/kit/fetch_helm.py)

    def env(self) -> dict[str, str]:
        env = {"TF_CLI_CONFIG_FILE": str(self.cli_config)}
        if self.terraform is not None:
            env["K8SPROV_TERRAFORM"] = str(self.terraform)
        if self.helm is not None:
            env["K8SPROV_HELM"] = str(self.helm)
        return env


def _null_schema() -> bytes:
    """hashicorp/null 3.2: null_resource (triggers, id) and the null_data_source; no provider settings."""
    import json

    from tf.gen import tfplugin_pb2 as pb

    def attr(name: str, ctype: object, **flags: bool) -> object:
        return pb.Schema.Attribute(name=name, type=json.dumps(ctype).encode(), **flags)

    resp = pb.GetProviderSchema.Response(provider=pb.Schema(block=pb.Schema.Block()))
    resp.resource_schemas["null_resource"].CopyFrom(pb.Schema(block=pb.Schema.Block(attributes=[
        attr("id", "string", computed=True), attr("triggers", ["map", "string"], optional=True)])))
    resp.data_source_schemas["null_data_source"].CopyFrom(pb.Schema(block=pb.Schema.Block(attributes=[
        attr("has_computed_default", "string", optional=True, computed=True),
        attr("id", "string", computed=True), attr("inputs", ["map", "string"], optional=True),
        attr("outputs", ["map", "string"], computed=True),
        attr("random", "string", computed=True)])))
    data: bytes = resp.SerializeToString()
    return data


def terraform_version(path: str) -> str | None:
    try:
        out = subprocess.run([path, "version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r"(?:Terraform|OpenTofu) v(\d+\.\d+\.\d+)", out)
    return m[1] if m else None


def find_terraform() -> tuple[Path | None, str | None, str | None]:
    """(path, version, why-missing): $K8SPROV_TEST_TERRAFORM, else terraform or tofu on PATH, if >= 1.5."""
    wanted = os.environ.get("K8SPROV_TEST_TERRAFORM")
    candidates = [wanted] if wanted else [p for p in (shutil.which("terraform"), shutil.which("tofu")) if p]
    if not candidates:
        return None, None, "no Terraform >= 1.5: set K8SPROV_TEST_TERRAFORM or put terraform/tofu on PATH"
    seen = []
    for candidate in candidates:
        version = terraform_version(candidate)
        seen.append(f"{candidate} ({version or 'unrecognised'})")
        if version and tuple(int(x) for x in version.split(".")[:2]) >= MIN_TERRAFORM:
            return Path(candidate).resolve(), version, None
    return None, None, ("no Terraform >= 1.5: found only " + ", ".join(seen)
                        + "; set K8SPROV_TEST_TERRAFORM")


def ensure_standins() -> StandIns:
    """Build (once per cache and virtualenv) the mirror, the schemas and the CLI config."""
    root = cache_dir().resolve() / "standin"
    # The scripts name this virtualenv's Python and this checkout: one mirror per pair.
    import hashlib

    identity = f"{sys.executable}\n{Path(__file__).resolve()}\n{KIT_FORMAT}"
    key = hashlib.sha256(identity.encode()).hexdigest()[:12]
    base = root / f"kit-{key}"
    mirror = base / "mirror"
    schemas = base / "schemas"
    cli_config = base / "terraformrc"
    provider_py = Path(__file__).resolve().parent / "standin_provider.py"
    schemas.mkdir(parents=True, exist_ok=True)
    for name, (namespace, version, source) in PROVIDERS.items():
        schema_file = schemas / f"{name}-{version}.pb"
        if not schema_file.is_file():
            data = _null_schema() if source == "null" else schema_response(source)
            tmp = schema_file.with_suffix(f".{os.getpid()}.part")
            tmp.write_bytes(data)
            tmp.replace(schema_file)
        text = ("#!/bin/sh\n# stand-in provider (k8sprov test kit): real schema, no cluster\n"
                f"exec {shlex.quote(sys.executable)} {shlex.quote(str(provider_py))} --provider {name} "
                f"--schema {shlex.quote(str(schema_file))} --cert-cache {shlex.quote(str(base / 'cert'))}\n")
        for host in HOSTS:
            folder = mirror / host / namespace / name / version / "linux_amd64"
            script = folder / f"terraform-provider-{name}_v{version}"
            if not script.is_file() or script.read_text() != text:
                folder.mkdir(parents=True, exist_ok=True)
                tmp = folder / f".script.{os.getpid()}.part"
                tmp.write_text(text)
                tmp.chmod(0o755)
                tmp.replace(script)
    config = f'provider_installation {{\n  filesystem_mirror {{\n    path = "{mirror}"\n  }}\n}}\n'
    if not cli_config.is_file() or cli_config.read_text() != config:
        cli_config.write_text(config)
    terraform, version, missing = find_terraform()
    from tests.kit.fetch_helm import ensure_helm

    return StandIns(mirror, cli_config, terraform, version, missing, helm=ensure_helm())


def require(kit: StandIns, *, in_ci: bool) -> StandIns:
    """For tests: the kit when a Terraform >= 1.5 is there; else skip with the one-line reason, or fail
    under CI (a CI run must never skip these)."""
    import pytest

    if kit.missing:
        if in_ci:
            pytest.fail(f"real-stack tests need {kit.missing}", pytrace=False)
        pytest.skip(kit.missing)
    return kit


def main() -> None:
    parser = argparse.ArgumentParser(description="Stand-in providers for the real stack (test kit).")
    parser.add_argument("--print-env", action="store_true", help="print `export NAME=VALUE` lines")
    args = parser.parse_args()
    kit = ensure_standins()
    if kit.missing:
        print(f"standin: {kit.missing}", file=sys.stderr)
        if args.print_env:
            sys.exit(1)
    if args.print_env:
        for name, value in kit.env().items():
            print(f"export {name}={shlex.quote(value)}")
    else:
        found = (f"Terraform {kit.terraform_version} at {kit.terraform}" if kit.terraform
                 else "no Terraform >= 1.5: the real-stack tests skip (and fail under CI=true)")
        print(f"stand-in mirror at {kit.mirror}\nCLI config {kit.cli_config}\n{found}")


if __name__ == "__main__":
    main()
