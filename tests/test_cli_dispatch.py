"""Only the command being run is built by Typer; help, completion and anything unclear see every command."""

from __future__ import annotations

import pytest

from k8sprov import cli as cli_module


def _names(args: list[str]) -> list[str]:
    from typer.main import get_command_name

    commands, groups = cli_module._invoked_only(args)
    return sorted([c.name or get_command_name(c.callback.__name__) for c in commands]  # type: ignore[union-attr]
                  + [str(g.name) for g in groups])


ALL = sorted(["envs", "init", "plan", "show", "apply", "destroy", "unlock", "update-charts", "charts", "lint",
              "render", "diff", "promote", "doctor", "bundle", "affected", "ci", "report", "drift",
              "images", "sbom"])


@pytest.mark.parametrize(("args", "expected"), [
    (["plan", "--env", "basic"], ["plan"]),
    (["-C", "plan", "apply", "--env", "basic"], ["apply"]),  # a project folder named like a command
    (["--project-dir", "envs", "--terraform", "show", "update-charts"], ["update-charts"]),
    (["--no-color", "--debug", "envs"], ["envs"]),
    (["bundle", "verify", "x.tar.gz"], ["bundle"]),
    (["ci", "matrix", "--since", "main"], ["ci"]),
    (["--helm", "render", "render", "--env", "basic"], ["render"]),  # --helm takes a value
    (["--help"], ALL),
    (["-h", "plan"], ALL),
    (["--version"], ALL),
    (["nonsense"], ALL),  # Typer's own "No such command" lists what there is
    ([], ALL),
])
def test_the_invoked_command_only(args: list[str], expected: list[str]) -> None:
    assert _names(args) == expected


def test_completion_sees_every_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_K8SPROV_COMPLETE", "complete_bash")
    assert _names(["plan"]) == ALL


def test_every_command_is_registered_again_after_a_run(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("envs", "--help").exit_code == 0
    assert cli("--version").exit_code == 0
    assert _names([]) == ALL
    result = cli("nonsense")
    assert result.exit_code == 64 and "no such command" in result.output
