"""What a shell user meets: completion through Typer's protocol (the installed script), and --help rows."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Annotated

import pytest
import typer
from typer.testing import CliRunner

from k8sprov.cli import app
from k8sprov.completion import chart_names
from tests.kit.script import SCRIPT

REPO = Path(__file__).parents[1]


def _complete(line: str, *, cwd: Path, extra_env: dict[str, str] | None = None) -> list[str]:
    """What bash would offer for `line` (the last word is the one being completed; '' after a space)."""
    words = line.split(" ")
    env = {**os.environ, "_K8SPROV_COMPLETE": "complete_bash", "COMP_WORDS": line,
           "COMP_CWORD": str(len(words) - 1), **(extra_env or {})}
    assert SCRIPT.is_file(), f"{SCRIPT} missing: run make install"
    proc = subprocess.run([str(SCRIPT)], cwd=cwd, env=env, capture_output=True, text=True, timeout=60,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    return proc.stdout.split()


def test_plan_env_completes_to_the_environments_of_the_project() -> None:
    assert _complete("k8sprov plan --env ", cwd=REPO) == ["basic", "production", "staging"]


@pytest.mark.parametrize(("line", "offered"), [
    ("k8sprov plan -e s", ["staging"]),
    ("k8sprov apply --env p", ["production"]),
    ("k8sprov show --env ", ["basic", "production", "staging"]),
    ("k8sprov update-charts --env b", ["basic"]),
    ("k8sprov update-charts --profile ", ["basic", "staging", "production"]),
    ("k8sprov update-charts -p st", ["staging"]),
    ("k8sprov render --env ", ["basic", "production", "staging"]),
    ("k8sprov render --env basic --release kyv", ["kyverno", "kyverno-policies"]),
])
def test_env_and_profile_options_complete(line: str, offered: list[str]) -> None:
    assert _complete(line, cwd=REPO) == offered


def test_env_completion_follows_dash_c(tmp_path: Path) -> None:
    project = REPO / "tests" / "fixtures" / "nullstack"
    assert _complete(f"k8sprov -C {project} init --env ", cwd=tmp_path) == ["a", "b", "prod"]


def test_env_completion_outside_a_project_offers_nothing(tmp_path: Path) -> None:
    assert _complete("k8sprov plan --env ", cwd=tmp_path) == []
    assert _complete(f"k8sprov -C {tmp_path} plan --env ", cwd=tmp_path) == []


def test_commands_complete() -> None:
    offered = _complete("k8sprov ", cwd=REPO)
    assert {"plan", "apply", "show", "envs", "update-charts", "charts"} <= set(offered)


def test_show_and_install_completion_for_bash(tmp_path: Path) -> None:
    # Shell detection off: the options then take the shell's name instead of asking the parent process.
    env = {**os.environ, "HOME": str(tmp_path), "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    shown = subprocess.run([str(SCRIPT), "--show-completion", "bash"], env=env, capture_output=True,
                           text=True, timeout=60, check=False)
    assert shown.returncode == 0, shown.stderr
    assert "_K8SPROV_COMPLETE=complete_bash" in shown.stdout and "complete " in shown.stdout
    installed = subprocess.run([str(SCRIPT), "--install-completion", "bash"], env=env, capture_output=True,
                               text=True, timeout=60, check=False)
    assert installed.returncode == 0, installed.stderr
    script = tmp_path / ".bash_completions" / "k8sprov.sh"
    assert "_K8SPROV_COMPLETE=complete_bash" in script.read_text()
    assert str(script) in (tmp_path / ".bashrc").read_text()


def test_chart_names_complete_from_the_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No command takes a bare chart name yet: a small app with one option shows the completer works."""
    catalog = Path("terraform/modules/provision_k8s/versions.tf")
    (tmp_path / catalog).parent.mkdir(parents=True)
    shutil.copy(REPO / catalog, tmp_path / catalog)
    (tmp_path / "infra/envs").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    pick = typer.Typer()

    @pick.command()
    def choose(chart: Annotated[str, typer.Option("--chart", autocompletion=chart_names)]) -> None:
        pass

    def offered(line: str) -> list[str]:
        env = {"_PICK_COMPLETE": "complete_bash", "COMP_WORDS": line,
               "COMP_CWORD": str(len(line.split(" ")) - 1)}
        result = CliRunner().invoke(pick, [], prog_name="pick", env=env)
        assert result.exit_code == 0, result.output
        return result.stdout.split()

    assert offered("pick --chart ") == ["prometheus-operator-crds", "kyverno", "kyverno-policies", "argo-cd"]
    assert offered("pick --chart kyverno-") == ["kyverno-policies"]


def _commands() -> list[list[str]]:
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    return [[], *([name] for name in sorted(group.commands))]


@pytest.mark.parametrize("command", _commands(), ids=lambda c: " ".join(c) or "k8sprov")
def test_help_flags_show_no_metavar_and_each_option_is_one_line(command: list[str], cli) -> None:
    """At the suite's 100 columns every option is one row: no wrapped help, no `<bool>` after a flag."""
    result = cli(*command, "--help")
    assert result.exit_code == 0, result.output
    panel = result.stdout.split("─ Options ─", 1)[1].split("╰", 1)[0]
    assert not re.search(r"<(bool|str|int|float|path)\b", panel), panel
    rows = [line for line in panel.splitlines()[1:] if line.strip()]
    wrapped = [line for line in rows if not re.match(r"│ (\*  )?\s*-", line)]
    assert not wrapped, "option help wraps onto a second line:\n" + "\n".join(rows)
    # every option of the command has its row (none hidden by the panel split above)
    group = typer.main.get_command(app)
    target = group if not command else group.commands[command[0]]  # type: ignore[attr-defined]
    options = [p for p in target.params if isinstance(p, typer.core.TyperOption) and not p.hidden]
    assert len(rows) == len(options) + 1, rows  # + --help
    for option in options:
        assert "\n" not in (option.help or ""), option.name
