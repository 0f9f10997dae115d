"""Project.environment keeps each var file's profile by content hash; a changed file is read again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from k8sprov.errors import ProjectError
from k8sprov.project import Project


def _project(tmp_path: Path, text: str) -> Project:
    (tmp_path / "terraform").mkdir()
    (tmp_path / "infra" / "envs").mkdir(parents=True)
    (tmp_path / "infra" / "envs" / "e.tfvars").write_text(text)
    return Project(tmp_path)


def test_profile_is_cached_and_follows_the_file(tmp_path: Path) -> None:
    project = _project(tmp_path, 'environment = "staging"\n')
    assert project.environment("e").profile == "staging"
    cache = json.loads((tmp_path / ".k8sprov" / "cache" / "profiles.json").read_text())
    assert list(cache.values()) == ["staging"]
    assert Project(tmp_path).environment("e").profile == "staging"  # from the cache

    (tmp_path / "infra" / "envs" / "e.tfvars").write_text('environment = "production"\n')
    assert Project(tmp_path).environment("e").profile == "production"

    (tmp_path / "infra" / "envs" / "e.tfvars").write_text('environment = "nope"\n')
    with pytest.raises(ProjectError, match="must be one of"):
        Project(tmp_path).environment("e")


def test_a_broken_cache_is_ignored(tmp_path: Path) -> None:
    project = _project(tmp_path, 'environment = "basic"\n')
    cache = tmp_path / ".k8sprov" / "cache" / "profiles.json"
    cache.parent.mkdir(parents=True)
    cache.write_text("not json")
    assert project.environment("e").profile == "basic"
    assert "basic" in json.loads(cache.read_text()).values()
