"""Secrets at rest: plans, state, data dirs, caches and logs are their owner's alone; summaries are shareable.

The integration test drives the real CLI and the real Terraform 1.0.3 on the null-resource stack with a
sensitive variable carrying a canary (passed as TF_VAR_api_token, so no file of the user's holds it).
"""

from __future__ import annotations

import json
import os
import re
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from k8sprov.atrest import notice
from k8sprov.private import open_private, private_dir, tighten, write_private_atomic

CANARY = "CANARY-at-rest-3e8d51"

# Outputs named like credentials, whose values Terraform itself hides: the masker must leave them alone.
PASSWORD_OUTPUTS = """\
output "password" {
  value     = var.api_token
  sensitive = true
}

output "pwd" {
  value = try(null_resource.credentials[0].id, "")
}
"""


@pytest.fixture
def umask_022() -> Iterator[None]:
    """The usual umask, so that "0644 unless made private" is what the test sees whatever runs it."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def _entries(*roots: Path) -> Iterator[Path]:
    for root in roots:
        yield root
        yield from root.rglob("*")


def _not_private(*roots: Path) -> list[str]:
    """Entries that are not 0600 files (0700 when executable) or 0700 folders; links are skipped."""
    wrong = []
    for path in _entries(*roots):
        st = path.lstat()
        if stat.S_ISLNK(st.st_mode):
            continue
        expected = (0o700,) if stat.S_ISDIR(st.st_mode) else (0o600, 0o700)
        if stat.S_IMODE(st.st_mode) not in expected:
            wrong.append(f"{stat.S_IMODE(st.st_mode):o} {path}")
    return wrong


def _holds(path: Path, secret: str) -> bool:
    """Whether a file holds `secret`, also inside a (compressed) plan file's members."""
    data = path.read_bytes()
    if secret.encode() in data:
        return True
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return any(secret.encode() in archive.read(name) for name in archive.namelist())
    return False


def _holders(secret: str, *roots: Path) -> dict[Path, int]:
    return {p: _mode(p) for p in _entries(*roots) if p.is_file() and not p.is_symlink() and _holds(p, secret)}


def _loosen(*roots: Path) -> None:
    """What an older k8sprov (or `cp -p` from a careless place) left: 0644 files in 0755 folders."""
    for path in _entries(*roots):
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)


def _notices(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "readable by you only" in line]


@pytest.mark.integration
def test_plans_state_caches_and_logs_are_private_summaries_are_not(
        project: Path, cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, umask_022: None) -> None:
    (project / "infra/envs/sec.tfvars").write_text('environment = "basic"\nwith_credentials = true\n'
                                                   'items = { one = "1" }\n')
    (project / "terraform/password_outputs.tf").write_text(PASSWORD_OUTPUTS)
    (project / "charts").mkdir()  # vendored charts are committed, not secret: never made private
    (project / "charts/charts.lock").write_text("{}\n")
    monkeypatch.setenv("TF_VAR_api_token", CANARY)
    private_roots = (project / ".k8sprov", project / "terraform/terraform.tfstate.d")
    md, js = tmp_path / "plan.md", tmp_path / "plan.json"

    planned = cli("-C", str(project), "plan", "--env", "sec", "--json", str(js), "--markdown", str(md))
    assert planned.exit_code == 0, planned.output
    # Terraform's placeholders reach the terminal as Terraform wrote them, not as "password = *** value)".
    assert re.search(r"\+ password += \(sensitive value\)", planned.stdout), planned.stdout
    assert re.search(r"\+ pwd += \(known after apply\)", planned.stdout), planned.stdout
    assert "***" not in planned.stdout
    assert not _notices(planned.stderr)  # a fresh project: nothing to tighten
    assert _holds(project / ".k8sprov/envs/sec/plan.tfplan", CANARY)  # the plan really holds the secret
    assert _not_private(*private_roots[:1]) == []
    # The summaries are made to be shared: ordinary files, and masked.
    assert (_mode(js), _mode(md)) == (0o644, 0o644)
    assert CANARY not in js.read_text() and CANARY not in md.read_text()

    applied = cli("-C", str(project), "apply", "--env", "sec", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    state = project / "terraform/terraform.tfstate.d/sec/terraform.tfstate"
    assert _holds(state, CANARY) and _mode(state) == 0o600

    monkeypatch.setenv("TF_VAR_api_token", CANARY + "-rotated")  # sec changes again: a saved plan stays
    fleet = cli("-C", str(project), "plan", "--all", "--json", str(tmp_path / "all.json"))
    assert fleet.exit_code == 0, fleet.output
    assert sorted(p.name for p in (project / ".k8sprov/logs").iterdir()) == [
        "a.log", "b.log", "prod.log", "sec.log"]
    assert _not_private(*private_roots) == []
    holders = _holders(CANARY, project, tmp_path)
    assert state in holders and project / ".k8sprov/envs/sec/plan.tfplan" in holders
    assert {str(p): oct(m) for p, m in holders.items() if m & 0o077} == {}
    assert _mode(tmp_path / "all.json") == 0o644
    assert _mode(project / "terraform/.terraform.lock.hcl") == 0o644  # committed, not secret
    assert (_mode(project / "charts"), _mode(project / "charts/charts.lock")) == (0o755, 0o644)

    # Files from an older run (or copied in with `cp -p`): envs names them, without changing anything...
    _loosen(*private_roots)
    listed = cli("-C", str(project), "envs", "--json")
    assert listed.exit_code == 0, listed.output
    exposed = {e["name"]: e["readable_by_others"] for e in json.loads(listed.stdout)["environments"]}
    assert exposed == {"a": ["plan"], "b": ["plan"], "prod": ["plan"], "sec": ["state", "plan"]}
    monkeypatch.setenv("COLUMNS", "200")  # seven columns: on a wide terminal no header wraps
    table = cli("-C", str(project), "envs")
    monkeypatch.setenv("COLUMNS", "100")
    assert "readable by others" in table.stdout and "state, plan" in table.stdout
    assert "warning: others can read" in table.stderr and "init --env" in table.stderr
    assert _mode(state) == 0o644

    # ...the next run for an environment tightens its files (and the shared caches and logs), in one line
    applied = cli("-C", str(project), "apply", "--env", "sec", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    (line,) = _notices(applied.stderr)
    assert line.startswith("k8sprov: made ") and "terraform/terraform.tfstate.d/sec/terraform.tfstate" in line
    assert _not_private(project / ".k8sprov/envs/sec", project / ".k8sprov/cache", project / ".k8sprov/logs",
                        project / "terraform/terraform.tfstate.d/sec") == []
    assert (project / "terraform/terraform.tfstate.d/sec/terraform.tfstate.backup").is_file()
    assert _mode(project / ".k8sprov/envs/a/plan.tfplan") == 0o644  # other environments: when they run

    fleet = cli("-C", str(project), "plan", "--all")
    assert fleet.exit_code == 0, fleet.output
    (line,) = _notices(fleet.stderr + fleet.stdout)  # one line for all environments
    assert ".k8sprov/envs/a/plan.tfplan" in line
    assert _not_private(*private_roots) == []
    assert {str(p): oct(m) for p, m in _holders(CANARY, project, tmp_path).items() if m & 0o077} == {}
    assert json.loads(cli("-C", str(project), "envs", "--json").stdout)["environments"][0][
        "readable_by_others"] == []

    again = cli("-C", str(project), "init", "--env", "a")
    assert again.exit_code == 0, again.output
    assert not _notices(again.output)  # said once


def test_write_private_atomic_is_0600_in_0700_folders_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        target = tmp_path / "state" / "cache" / "index.json"
        write_private_atomic(target, '{"a": 1}')
        assert target.read_text() == '{"a": 1}'
        assert (_mode(target), _mode(target.parent), _mode(target.parent.parent)) == (0o600, 0o700, 0o700)
        target.chmod(0o644)
        write_private_atomic(target, b"bytes")  # replacing a loose file leaves a private one
        assert (target.read_bytes(), _mode(target)) == (b"bytes", 0o600)
        assert [p.name for p in target.parent.iterdir()] == ["index.json"]  # no temporary file left
    finally:
        os.umask(old)


def test_open_private_and_private_dir_tighten_what_exists(tmp_path: Path, umask_022: None) -> None:
    folder = tmp_path / "logs"
    folder.mkdir(mode=0o755)
    assert private_dir(folder) == folder and _mode(folder) == 0o700
    log = folder / "a.log"
    log.write_text("old\n")
    log.chmod(0o644)
    with open_private(log, "w", encoding="utf-8") as fh:
        fh.write("new\n")
    assert (log.read_text(), _mode(log)) == ("new\n", 0o600)
    pid = tmp_path / "fresh" / "run.pid"
    with open_private(pid, "a+") as fh:
        fh.write("42\n")
    with open_private(pid, "a+") as fh:
        fh.seek(0)
        assert fh.read() == "42\n"
    assert (_mode(pid), _mode(pid.parent)) == (0o600, 0o700)


def test_tighten_drops_group_and_other_bits_and_never_follows_links(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "state").write_text("s")
    (tree / "sub/provider").write_text("#!/bin/sh\n")
    (tree / "sub/provider").chmod(0o755)
    (tree / "state").chmod(0o644)
    tree.chmod(0o755)
    (tree / "sub").chmod(0o750)
    outside = tmp_path / "outside.txt"
    outside.write_text("x")
    outside.chmod(0o644)
    (tree / "link").symlink_to(outside)
    changed = tighten(tree)
    assert sorted(p.name for p in changed) == ["provider", "state", "sub", "tree"]
    assert [_mode(tree), _mode(tree / "sub"), _mode(tree / "state"), _mode(tree / "sub/provider")] == [
        0o700, 0o700, 0o600, 0o700]
    assert _mode(outside) == 0o644  # the link's target is not ours to change
    assert tighten(tree) == []
    assert tighten(tmp_path / "missing") == []


def test_notice_names_state_and_plans_first_and_counts_the_rest(tmp_path: Path) -> None:
    root = tmp_path
    paths = [root / ".k8sprov/cache/profiles.json", root / ".k8sprov/envs/a/plan.tfplan",
             root / "terraform/terraform.tfstate.d/a/terraform.tfstate", root / ".k8sprov/logs/a.log"]
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    line = notice([*paths, root / ".k8sprov"], root)
    assert line == ("k8sprov: made 4 files and 1 folder readable by you only (they were open to others;"
                    " state, plans and caches hold secrets):"
                    " terraform/terraform.tfstate.d/a/terraform.tfstate, .k8sprov/envs/a/plan.tfplan,"
                    " .k8sprov/cache/profiles.json and 1 more")
    assert notice([], root) is None
