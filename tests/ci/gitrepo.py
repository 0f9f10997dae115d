"""A throwaway git repository holding a copy of this project, for `affected` and `ci matrix` tests.

The origin is built once per module: the project's own files (terraform/, infra/, docs/, README.md and a
test file), a charts/charts.lock for the pinned versions, and two extra environments (`staging-eu` with
profile staging, `edge` with profile basic), committed on `main`. Each test clones it, edits, commits or
leaves the edit in the working tree, and asks `k8sprov affected --since origin/main`.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ALL = ["basic", "edge", "production", "staging", "staging-eu"]  # the environments of the origin
GIT_ENV = {"GIT_AUTHOR_NAME": "k8sprov tests", "GIT_AUTHOR_EMAIL": "tests@example.invalid",
           "GIT_COMMITTER_NAME": "k8sprov tests", "GIT_COMMITTER_EMAIL": "tests@example.invalid",
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null"}


def git(cwd: Path, *args: str) -> str:
    import os

    proc = subprocess.run(["git", "-c", "init.defaultBranch=main", *args], cwd=cwd,
                          env={**os.environ, **GIT_ENV}, capture_output=True, text=True, check=False,
                          timeout=60)
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout


def lock_text(terraform_dir: Path) -> str:
    """A charts.lock with one entry per pinned (chart, version), as update-charts would write it."""
    from k8sprov.charts.catalog import parse_catalog
    from k8sprov.charts.lock import render_lock
    from k8sprov.charts.model import LockEntry
    from k8sprov.hcl import load_hcl

    path = terraform_dir / "modules" / "provision_k8s" / "versions.tf"
    catalog = parse_catalog(load_hcl(path), str(path))
    entries = [LockEntry(pin.name, pin.version, f"{pin.spec.repository}/{pin.archive_name}",
                         f"{i:064x}", 1000 + i) for i, pin in enumerate(catalog.pins())]
    return render_lock(entries)


def make_origin(dest: Path) -> Path:
    """The project's files, two more environments and a lock file, committed on main."""
    ignore = shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", "terraform.tfstate*", "*.tfplan")
    for folder in ("terraform", "infra", "docs"):
        shutil.copytree(REPO / folder, dest / folder, ignore=ignore)
    for name in ("README.md", "renovate.json"):
        shutil.copy2(REPO / name, dest / name)
    (dest / "tests").mkdir()
    shutil.copy2(REPO / "tests" / "test_docs.py", dest / "tests" / "test_docs.py")
    (dest / ".gitignore").write_text(".k8sprov/\nterraform/.terraform/\nterraform/terraform.tfstate.d/\n")
    staging = (dest / "infra" / "envs" / "staging.tfvars").read_text()
    (dest / "infra" / "envs" / "staging-eu.tfvars").write_text(
        staging.replace('environment_name = "staging"', 'environment_name = "staging-eu"'))
    basic = (dest / "infra" / "envs" / "basic.tfvars").read_text()
    (dest / "infra" / "envs" / "edge.tfvars").write_text(basic)
    (dest / "charts").mkdir()
    (dest / "charts" / "charts.lock").write_text(lock_text(dest / "terraform"))
    git(dest, "init", "-q")
    git(dest, "add", "-A")
    git(dest, "commit", "-qm", "project")
    return dest


def clone(origin: Path, dest: Path) -> Path:
    git(dest.parent, "clone", "-q", str(origin), dest.name)
    return dest


def commit_all(repo: Path, message: str = "change") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)
