"""`--no-color` and `NO_COLOR` mean plain: no escape sequence at all on a terminal, bold and dim included,
in every command that prints a table, a plan view, a report or an error line.

In-process runs make rich see a terminal with FORCE_COLOR; the installed script also runs on a real
pseudo-terminal. Each check has its counterpart that proves the same run is styled without the request."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.core.ready import Ready, prepare
from tests.kit.fetch_terraform import TerraformKit
from tests.kit.script import SCRIPT

pytestmark = pytest.mark.integration

ESC = "\x1b"


@pytest.fixture(scope="module")
def ready(tmp_path_factory: pytest.TempPathFactory, tf_kit: TerraformKit) -> Ready:
    ready = prepare(tmp_path_factory.mktemp("plain"), tf_kit)
    # A values file with a mistake, so that lint has a finding to print (styled on a terminal).
    (ready.project / "infra/values/kyverno/staging.yaml").write_text("replicaCount: two\n")
    return ready


# Every command that prints a table, a plan view, a report or an error (the error lines included).
COMMANDS = [
    ("envs",), ("init", "--env", "a"), ("show", "--env", "a"), ("show", "--env", "a", "--detail"),
    ("plan", "--env", "b"), ("doctor", "--offline"), ("charts",), ("update-charts", "--check"), ("lint",),
    ("diff", "a", "b"), ("promote", "--from", "staging", "--to", "production", "--dry-run"),
    ("bundle", "verify", "{BUNDLE}"),
    ("plan", "--env", "nope"), ("plan", "--bogus"), ("show",), ("apply", "--env", "a"),
    ("bundle", "verify", "{PROJECT}"),
]


def _args(ready: Ready, args: tuple[str, ...]) -> list[str]:
    return [a.replace("{BUNDLE}", str(ready.bundle)).replace("{PROJECT}", str(ready.project)) for a in args]


@pytest.fixture
def terminal(ready: Ready, tf_env: TerraformKit, monkeypatch: pytest.MonkeyPatch) -> None:
    """rich sees a colour terminal (FORCE_COLOR, a TERM with colours); HOME as the saved plan knows it."""
    monkeypatch.setenv("HOME", str(ready.home))
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.mark.parametrize("how", ["NO_COLOR", "--no-color"])
@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_plain_means_no_escape_sequence(ready: Ready, terminal: None, cli, monkeypatch,
                                        args: tuple[str, ...], how: str) -> None:
    if how == "NO_COLOR":
        monkeypatch.setenv("NO_COLOR", "1")
        result = cli("-C", str(ready.project), *_args(ready, args))
    else:
        result = cli("--no-color", "-C", str(ready.project), *_args(ready, args))
    assert result.output.strip(), "the command printed nothing"
    assert ESC not in result.output, repr(result.output[:600])


@pytest.mark.parametrize("args", [("envs",), ("doctor", "--offline"), ("show", "--env", "a"), ("lint",),
                                  ("plan", "--env", "nope")], ids=" ".join)
def test_the_same_runs_are_styled_without_the_request(ready: Ready, terminal: None, cli,
                                                      args: tuple[str, ...]) -> None:
    result = cli("-C", str(ready.project), *_args(ready, args))
    assert f"{ESC}[" in result.output


def _on_a_terminal(ready: Ready, *args: str, plain: bool) -> str:
    """Run the installed script with stdout and stderr on one pseudo-terminal; everything it printed."""
    main, child = pty.openpty()
    env = ready.env(TERM="xterm-256color", NO_COLOR="", COLUMNS="120")
    flags = ["--no-color"] if plain else []
    proc = subprocess.Popen([str(SCRIPT), *flags, "-C", str(ready.project), *args],
                            stdin=subprocess.DEVNULL, stdout=child, stderr=child, env=env, cwd=ready.project)
    os.close(child)
    chunks = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:  # EIO: the child side closed
            break
        if not data:
            break
        chunks.append(data)
    os.close(main)
    proc.wait(timeout=120)
    return b"".join(chunks).decode("utf-8", errors="replace")


@pytest.mark.parametrize("args", [("envs",), ("doctor", "--offline"), ("show", "--env", "a"),
                                  ("plan", "--env", "nope"), ("plan", "--bogus")], ids=" ".join)
def test_no_color_on_a_real_terminal(ready: Ready, args: tuple[str, ...]) -> None:
    styled = _on_a_terminal(ready, *args, plain=False)
    assert f"{ESC}[" in styled, "the pseudo-terminal got no styles: the test would prove nothing"
    plain = _on_a_terminal(ready, *args, plain=True)
    assert plain.strip()
    assert ESC not in plain, repr(plain[:600])


def test_a_progress_bar_is_no_plain_output(ready: Ready, terminal: None, cli, monkeypatch,
                                           tmp_path: Path) -> None:
    """update-charts draws a live progress bar on a terminal: plain output draws none (it moves the cursor
    with escape sequences of its own). A missing archive makes it download, from a repository that is not
    there: the failure is the point only in that it comes after the reporter started."""
    copy = tmp_path / "proj"
    shutil.copytree(ready.project, copy, ignore=shutil.ignore_patterns("tfdata"))
    next(copy.glob("charts/kyverno-3.9.0.tgz")).unlink()
    monkeypatch.setenv("NO_COLOR", "1")
    result = cli("-C", str(copy), "update-charts", "--env", "a", "--mirror",
                 "kyverno=http://127.0.0.1:9/kyverno", "--timeout", "1")
    assert result.exit_code != 0
    assert ESC not in result.output, repr(result.output[:600])
