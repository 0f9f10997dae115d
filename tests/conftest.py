"""Shared fixtures: isolation from the user's environment, a CLI runner, and the real Terraform kit."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.kit.fetch_terraform import TerraformKit, ensure_kit


@pytest.fixture(autouse=True)
def _isolate(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No colour, fixed width, and nothing of the user's terraform or k8sprov settings leaks in."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.setenv("HOME", str(home))
    for var in ("K8SPROV_TERRAFORM", "K8SPROV_CHART_MIRRORS", "TF_CLI_CONFIG_FILE", "TF_DATA_DIR",
                "TF_WORKSPACE", "TF_LOG", "TF_INPUT", "TF_CLI_ARGS", "KUBECONFIG", "CI"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture(scope="session")
def tf_kit() -> TerraformKit:
    """The real Terraform 1.0.3 binary and a hashicorp/null 2.1.2 filesystem mirror (fetched once, cached)."""
    return ensure_kit()


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
