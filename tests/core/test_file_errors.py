"""A file k8sprov cannot write is one line, `error: <what> — <fix>` naming the path, and exit 73
(CANT_WRITE), for every command and output format; a reader that goes away (`| head -1`) ends it quietly.

The tests run as root here, and root writes into a chmod-ed read-only folder all the same, so the places
used are ones root cannot write either: a missing folder (ENOENT), a path under a regular file (ENOTDIR),
a folder where a file is wanted (EISDIR), sysfs (`/sys`: no one creates files there, EACCES), and the
project bind-mounted read-only in a private mount namespace (`unshare -m`, EROFS), the real thing a
read-only checkout is.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from k8sprov.errors import ExitCode
from tests.core.ready import Ready, prepare
from tests.kit.fetch_terraform import TerraformKit
from tests.kit.script import SCRIPT

pytestmark = pytest.mark.integration

_IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="module")
def ready(tmp_path_factory: pytest.TempPathFactory, tf_kit: TerraformKit) -> Ready:
    return prepare(tmp_path_factory.mktemp("file-errors"), tf_kit)


def _without_notices(stderr: str) -> str:
    """stderr less the notice `plan` prints before it starts when no Helm is there for its render check
    (this project vendors charts; the tests here are about what comes after)."""
    return "".join(ln for ln in stderr.splitlines(keepends=True) if not ln.startswith("notice: render check"))


def _one_error_line(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    lines = _without_notices(stderr).strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and " — " in lines[0], stderr
    return lines[0]


# -- targets the user names: --json FILE, --markdown FILE, bundle -o FILE, bundle unpack DIR ---------------

def _missing(tmp: Path) -> Path:
    return tmp / "no-such-folder" / "out"


def _under_a_file(tmp: Path) -> Path:
    (tmp / "a-file").write_text("not a folder\n")
    return tmp / "a-file" / "out"


def _a_folder(tmp: Path) -> Path:
    (tmp / "a-folder").mkdir()
    (tmp / "a-folder" / "keep").write_text("x\n")
    return tmp / "a-folder"


def _sysfs(tmp: Path) -> Path:
    assert Path("/sys/kernel").is_dir(), "sysfs is not mounted at /sys"
    return Path("/sys/k8sprov-test-out")


TARGETS: dict[str, Callable[[Path], Path]] = {
    "missing folder": _missing, "under a file": _under_a_file, "a folder": _a_folder, "sysfs": _sysfs}

# Each command and output format that writes a file the user names; {T} is the target.
WRITERS: dict[str, tuple[str, ...]] = {
    "plan --json": ("plan", "--env", "a", "--json", "{T}"),
    "plan --markdown": ("plan", "--env", "a", "--markdown", "{T}"),
    "plan of several --json": ("plan", "--env", "a", "--env", "b", "--json", "{T}"),
    "show --json": ("show", "--env", "a", "--json", "{T}"),
    "show --markdown": ("show", "--env", "a", "--markdown", "{T}"),
    "show --plan --json": ("show", "--plan", "{PLAN}", "--json", "{T}"),
    "show --plan --markdown": ("show", "--plan", "{PLAN}", "--markdown", "{T}"),
    "bundle -o": ("bundle", "--env", "a", "-o", "{T}"),
    "bundle unpack": ("bundle", "unpack", "{BUNDLE}", "{T}"),
}
# Where the answer is not "cannot write": bundle and unpack create a missing folder, as documented;
# unpack refuses a folder that holds files with its own one line.
NOT_73 = {("bundle -o", "missing folder"): ExitCode.OK, ("bundle unpack", "missing folder"): ExitCode.OK,
          ("bundle unpack", "a folder"): ExitCode.ERROR}


@pytest.mark.parametrize("kind", TARGETS)
@pytest.mark.parametrize("writer", WRITERS)
def test_an_output_that_cannot_be_written_is_one_line(ready: Ready, tmp_path: Path, cli, tf_env, monkeypatch,
                                                      writer: str, kind: str) -> None:
    monkeypatch.setenv("HOME", str(ready.home))  # a plan records HOME's kubeconfig path: keep it one
    target = TARGETS[kind](tmp_path)
    plan_file = ready.project / ".k8sprov/envs/a/plan.tfplan"
    before = plan_file.stat().st_mtime_ns
    args = [a.replace("{T}", str(target)).replace("{PLAN}", str(ready.plan_json))
            .replace("{BUNDLE}", str(ready.bundle)) for a in WRITERS[writer]]
    result = cli("-C", str(ready.project), *args)
    expected = NOT_73.get((writer, kind), ExitCode.CANT_WRITE)
    assert result.exit_code == expected, result.output
    if expected == ExitCode.OK:
        assert target.exists() and "Traceback" not in result.stderr
        return
    line = _one_error_line(result.stderr)
    assert str(target) in line
    if expected == ExitCode.CANT_WRITE:
        assert line.startswith(("error: cannot write the ", "error: cannot unpack into ")), line
    leftovers = [p.name for p in tmp_path.rglob("*") if p.name.startswith(".")]
    assert leftovers == [], "a temporary file was left behind"
    if kind != "sysfs" and writer.startswith("plan"):
        # A folder that is missing or a file is known before terraform runs: nothing was planned.
        assert plan_file.stat().st_mtime_ns == before


def test_the_messages_say_what_and_how(ready: Ready, tmp_path: Path, cli, tf_env, monkeypatch) -> None:
    monkeypatch.setenv("HOME", str(ready.home))
    missing = cli("-C", str(ready.project), "plan", "--env", "a", "--json", str(_missing(tmp_path)))
    assert missing.stderr.strip() == (
        f"error: cannot write the --json file {_missing(tmp_path)}: the folder {_missing(tmp_path).parent}"
        " does not exist — create it first, or pick another path")
    sysfs = cli("-C", str(ready.project), "bundle", "--env", "a", "-o", "/sys/k8sprov-test.tar.gz")
    assert sysfs.exit_code == ExitCode.CANT_WRITE
    assert sysfs.stderr.strip() == (
        "error: cannot write the bundle /sys/k8sprov-test.tar.gz: permission denied — give the user running"
        " k8sprov write access there, or pick another path")


# -- a read-only project folder ---------------------------------------------------------------------------

def _unshare_prefix(project: Path) -> tuple[str, ...]:
    """Run the command in a private mount namespace where the project is a read-only bind mount."""
    script = (f'mount --bind "{project}" "{project}" && mount -o remount,bind,ro "{project}" "{project}"'
              ' && exec "$@"')
    return ("unshare", "-m", "sh", "-c", script, "sh")


@pytest.fixture(scope="module")
def read_only(ready: Ready) -> tuple[str, ...]:
    prefix = _unshare_prefix(ready.project)
    probe = subprocess.run([*prefix, "touch", str(ready.project / "probe")], capture_output=True, text=True,
                           check=False)
    if "Read-only file system" not in probe.stderr:
        reason = f"no read-only bind mount here (unshare -m as root): {probe.stderr.strip()[:200]}"
        if _IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    return prefix


# command -> the exit code in a read-only project. Commands that only read work as usual (doctor fails its
# own checks here: no kubeconfig); those that write say so in one line, exit 73, before terraform runs.
READ_ONLY = {
    ("envs",): ExitCode.OK,
    ("show", "--env", "a"): ExitCode.OK,
    ("show", "--env", "a", "--json", "-"): ExitCode.OK,
    ("lint",): ExitCode.OK,
    ("lint", "--json"): ExitCode.OK,
    ("doctor", "--offline"): ExitCode.ERROR,
    ("charts",): ExitCode.OK,
    ("update-charts", "--check"): ExitCode.OK,
    ("diff", "a", "b"): ExitCode.OK,
    ("promote", "--from", "staging", "--to", "production", "--dry-run"): ExitCode.OK,
    ("bundle", "verify", "{BUNDLE}"): ExitCode.OK,
    ("init", "--env", "a", "--reinit"): ExitCode.CANT_WRITE,
    ("init", "--env", "prod"): ExitCode.CANT_WRITE,  # never initialised: its folder is made first
    ("plan", "--env", "a"): ExitCode.CANT_WRITE,
    ("plan", "--env", "a", "--env", "b"): ExitCode.CANT_WRITE,
    ("plan", "--all"): ExitCode.CANT_WRITE,
    ("apply", "--env", "a", "--auto-approve"): ExitCode.CANT_WRITE,
    ("destroy", "--env", "a", "--auto-approve"): ExitCode.CANT_WRITE,
    ("update-charts", "--env", "a"): ExitCode.CANT_WRITE,
    ("promote", "--from", "staging", "--to", "production"): ExitCode.CANT_WRITE,
    ("bundle", "--env", "a"): ExitCode.CANT_WRITE,
    ("bundle", "unpack", "{BUNDLE}", "{PROJECT}/unpacked"): ExitCode.CANT_WRITE,
}


@pytest.mark.parametrize("args", READ_ONLY, ids=" ".join)
def test_a_read_only_project(ready: Ready, read_only: tuple[str, ...], args: tuple[str, ...]) -> None:
    words = [a.replace("{BUNDLE}", str(ready.bundle)).replace("{PROJECT}", str(ready.project)) for a in args]
    result = ready.run(*words, prefix=read_only)
    assert result.returncode == READ_ONLY[args], result.stderr
    assert "Traceback" not in result.stderr
    if result.returncode == ExitCode.CANT_WRITE:
        line = _one_error_line(result.stderr)
        assert str(ready.project) in line and "read-only file system" in line, line
        assert "run from a writable copy of the project" in line


def test_a_read_only_project_starts_no_terraform(ready: Ready, read_only: tuple[str, ...],
                                                 tmp_path: Path) -> None:
    """Terraform would report the state lock it cannot create as a lock someone else holds."""
    record = tmp_path / "ran"
    fake = tmp_path / "terraform"
    fake.write_text(f'#!/bin/sh\necho "$@" >> "{record}"\nexec "{ready.kit.terraform}" "$@"\n')
    fake.chmod(0o755)
    result = ready.run("apply", "--env", "a", "--auto-approve", prefix=read_only, K8SPROV_TERRAFORM=str(fake))
    assert result.returncode == ExitCode.CANT_WRITE, result.stderr
    ran = record.read_text().splitlines() if record.exists() else []
    assert [line for line in ran if line.split()[0] not in ("version", "-version")] == []


# -- a reader that goes away ------------------------------------------------------------------------------

CLOSED_PIPE = [
    ("diff", "a", "b"), ("diff", "a", "b", "--json"), ("diff", "a", "b", "--markdown"), ("envs",),
    ("envs", "--json"), ("charts",), ("charts", "--json"), ("lint",), ("lint", "--json"),
    ("doctor", "--offline"), ("show", "--env", "a"), ("show", "--env", "a", "--json", "-"),
    ("bundle", "verify", "{BUNDLE}"), ("update-charts", "--check"), ("plan", "--env", "b"),
    ("--version",),
]


def _start(ready: Ready, args: tuple[str, ...]) -> subprocess.Popen[bytes]:
    words = [a.replace("{BUNDLE}", str(ready.bundle)) for a in args]
    return subprocess.Popen([str(SCRIPT), "-C", str(ready.project), *words], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=ready.env(),
                            cwd=ready.project)


@pytest.mark.parametrize("args", CLOSED_PIPE, ids=" ".join)
def test_a_closed_pipe_ends_quietly(ready: Ready, args: tuple[str, ...]) -> None:
    """The reader is gone before k8sprov writes a byte: every command meets a closed pipe."""
    proc = _start(ready, args)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == ExitCode.BROKEN_PIPE, err
    if "--json" in args and "-" in args:  # stdout carries only the JSON; the plan view goes to stderr
        assert err.startswith("Plan · environment a") and "Traceback" not in err and "error:" not in err
    else:
        assert _without_notices(err) == ""


@pytest.mark.parametrize("args", [("plan", "--env", "b"), ("diff", "a", "b"), ("show", "--env", "a")],
                         ids=" ".join)
def test_head_one(ready: Ready, args: tuple[str, ...]) -> None:
    """`k8sprov ... | head -1`: one line read, then the pipe closes while k8sprov (and terraform's output
    behind it) still writes."""
    proc = _start(ready, args)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    code = proc.wait(timeout=120)
    assert first  # terraform's first line is an empty one
    assert _without_notices(err) == ""
    assert code in (ExitCode.OK, ExitCode.BROKEN_PIPE)  # OK: it had written everything before the close


def test_head_one_on_a_plan_keeps_the_plan(ready: Ready, tmp_path: Path) -> None:
    """Terraform's output stops going anywhere, terraform itself goes on: the plan is saved whole."""
    copy = tmp_path / "proj"
    shutil.copytree(ready.project, copy, ignore=shutil.ignore_patterns("tfdata"))
    proc = subprocess.Popen([str(SCRIPT), "-C", str(copy), "plan", "--env", "b"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=ready.env())
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == ExitCode.BROKEN_PIPE and _without_notices(err) == ""
    assert (copy / ".k8sprov/envs/b/plan.tfplan").is_file()
