"""Error lines that say the right thing: unknown options named with the command's --help (and a guess only
when one is close), usage errors of every command in one line, a folder given as a bundle, a corrupted
chart lock restored from git first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.main import get_command_name

from k8sprov.cli import app
from k8sprov.errors import ExitCode
from tests.bundle.stack import make_project

COMMANDS = [*(c.name or get_command_name(c.callback.__name__) for c in app.registered_commands if c.callback),
            "bundle", "bundle verify", "bundle unpack"]


def _one_line(stderr: str) -> str:
    assert "Traceback" not in stderr and "Usage:" not in stderr and "Try '" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.mark.parametrize("command", COMMANDS)
def test_an_unknown_option_of_every_command_is_one_line(cli, command: str) -> None:
    result = cli(*command.split(), "--bogus")
    assert result.exit_code == ExitCode.USAGE
    assert _one_line(result.stderr) == f"error: no such option: --bogus — see k8sprov {command} --help"


@pytest.mark.parametrize(("args", "line"), [
    (("plan", "--detial"),
     "error: no such option: --detial (did you mean --detail?) — see k8sprov plan --help"),
    (("plan", "--jobs", "x"), "error: invalid value for '--jobs' / '-j': Input should be a valid integer,"
                              " unable to parse string as an integer — see k8sprov plan --help"),
    (("init",), "error: missing option '--env' / '-e' — see k8sprov init --help"),
    (("bundle", "verify"), "error: missing argument 'file' — see k8sprov bundle verify --help"),
    (("nonsense",), "error: no such command 'nonsense' — see k8sprov --help"),
    (("--bogus",), "error: no such option: --bogus — see k8sprov --help"),
])
def test_usage_errors_are_one_line(cli, args: tuple[str, ...], line: str) -> None:
    result = cli(*args)
    assert result.exit_code == ExitCode.USAGE
    assert _one_line(result.stderr) == line


def test_no_random_guess_for_an_unknown_option(cli) -> None:
    result = cli("plan", "--bogus")
    assert "Possible options" not in result.output and "did you mean" not in result.output


def test_bundle_verify_of_a_folder(cli, tmp_path: Path) -> None:
    result = cli("bundle", "verify", str(tmp_path))
    assert result.exit_code == ExitCode.ERROR
    assert _one_line(result.stderr) == (
        f"error: {tmp_path} is a folder, not a bundle file — name the .tar.gz file that k8sprov bundle wrote")
    missing = cli("bundle", "verify", str(tmp_path / "nope.tar.gz"))
    assert _one_line(missing.stderr) == (
        f"error: {tmp_path / 'nope.tar.gz'}: no such file — name the .tar.gz file that k8sprov bundle wrote")


@pytest.mark.parametrize("lock", ['{"version": 1, "charts": [', '{"version": 99, "charts": []}',
                                  '{"version": 1, "charts": [{"name": "kyverno"}]}'])
def test_a_corrupted_lock_is_restored_from_git_first(cli, tmp_path: Path, lock: str) -> None:
    root = make_project(tmp_path / "proj")
    (root / "charts/charts.lock").write_text(lock)
    result = cli("-C", str(root), "update-charts", "--check")
    assert result.exit_code == ExitCode.ERROR
    line = _one_line(result.stderr)
    assert line.startswith(f"error: {root}/charts/charts.lock: ")
    assert line.endswith("— restore it from git (git checkout -- charts/charts.lock); only if it was never"
                         " committed, delete it and run k8sprov update-charts to pin again")


def test_a_lock_that_is_not_json_says_where(cli, tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj")
    good = json.loads((root / "charts/charts.lock").read_text())
    (root / "charts/charts.lock").write_text(json.dumps(good, indent=2)[:-3] + ",,}")
    result = cli("-C", str(root), "update-charts", "--check")
    assert "not a valid lock file (Expecting" in result.stderr and "line " in result.stderr
