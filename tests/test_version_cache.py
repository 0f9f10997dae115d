"""The Terraform version cache answers for every binary it has seen: switching binaries does not re-probe."""

from __future__ import annotations

import json
import os
from pathlib import Path

from k8sprov.project import Project
from k8sprov.terraform import resolve_binary
from k8sprov.workflow import _VERSION_CACHE_ENTRIES, _version_cache


def _fake_terraform(folder: Path, name: str, version: str, calls: Path) -> Path:
    """An executable answering `version -json` like Terraform does, counting its calls in a file."""
    (folder / "bin").mkdir(exist_ok=True)
    path = folder / "bin" / name
    path.write_text(f'#!/bin/sh\necho {name} >> "{calls}"\n'
                    f'echo \'{{"terraform_version": "{version}"}}\'\n')
    path.chmod(0o755)
    return path


def _project(tmp_path: Path) -> Project:
    (tmp_path / "terraform").mkdir()
    (tmp_path / "infra" / "envs").mkdir(parents=True)
    return Project(tmp_path)


def test_two_binaries_used_in_turn_are_probed_once_each(tmp_path: Path) -> None:
    project = _project(tmp_path)
    calls = tmp_path / "calls.log"
    one = _fake_terraform(tmp_path, "terraform", "1.11.4", calls)
    two = _fake_terraform(tmp_path, "tofu", "1.8.2", calls)
    for _ in range(3):
        assert resolve_binary(str(one), None, _version_cache(project)).version == "1.11.4"
        second = resolve_binary(str(two), None, _version_cache(project))
        assert (second.version, second.flavor) == ("1.8.2", "opentofu")
    assert calls.read_text().split() == ["terraform", "tofu"]


def test_a_replaced_binary_is_probed_again(tmp_path: Path) -> None:
    project = _project(tmp_path)
    calls = tmp_path / "calls.log"
    path = _fake_terraform(tmp_path, "terraform", "1.5.7", calls)
    assert resolve_binary(str(path), None, _version_cache(project)).version == "1.5.7"
    _fake_terraform(tmp_path, "terraform", "1.11.4", calls)
    os.utime(path, ns=(1, 1))  # a new mtime even where the clock's resolution is coarse
    assert resolve_binary(str(path), None, _version_cache(project)).version == "1.11.4"
    assert calls.read_text().split() == ["terraform", "terraform"]


def test_the_cache_is_bounded_and_keeps_the_newest(tmp_path: Path) -> None:
    project = _project(tmp_path)
    calls = tmp_path / "calls.log"
    binaries = [_fake_terraform(tmp_path, f"terraform{i}", f"1.{i}.0", calls)
                for i in range(_VERSION_CACHE_ENTRIES + 2)]
    for binary in binaries:
        resolve_binary(str(binary), None, _version_cache(project))
    cache = json.loads((tmp_path / ".k8sprov" / "cache" / "terraform-versions.json").read_text())
    assert len(cache) == _VERSION_CACHE_ENTRIES
    assert [value[0] for value in cache.values()][-1] == f"1.{_VERSION_CACHE_ENTRIES + 1}.0"
    # The oldest fell off: asking for it probes again; the newest is answered from the cache.
    resolve_binary(str(binaries[0]), None, _version_cache(project))
    resolve_binary(str(binaries[-1]), None, _version_cache(project))
    assert calls.read_text().split().count("terraform0") == 2
    assert calls.read_text().split().count(f"terraform{_VERSION_CACHE_ENTRIES + 1}") == 1


def test_a_broken_cache_file_is_ignored_and_rewritten(tmp_path: Path) -> None:
    project = _project(tmp_path)
    cache_file = tmp_path / ".k8sprov" / "cache" / "terraform-versions.json"
    cache_file.parent.mkdir(parents=True)
    cache_file.write_text('["not", "a", "mapping"]')
    calls = tmp_path / "calls.log"
    path = _fake_terraform(tmp_path, "terraform", "1.11.4", calls)
    assert resolve_binary(str(path), None, _version_cache(project)).version == "1.11.4"
    assert len(json.loads(cache_file.read_text())) == 1
