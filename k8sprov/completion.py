"""Shell completion values: environment names, profile names, chart names.

Typer calls these while the shell asks for completions (`_K8SPROV_COMPLETE=complete_bash` and friends),
with the command line parsed leniently and no command run, so `ctx.obj` is not set: the project is found
from `-C` on the command line if given, else from the current folder upward, as a command would find it.
Each returns every candidate; Typer keeps those that start with what was typed. A completion never fails:
outside a project, or with a broken file, it offers nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer  # Typer reads the completers' annotations at run time: the names must resolve

if TYPE_CHECKING:
    from k8sprov.project import Project


def _project(ctx: typer.Context) -> Project | None:
    from pathlib import Path

    from k8sprov.errors import K8sprovError
    from k8sprov.project import find_project

    explicit = ctx.find_root().params.get("project_dir")
    try:
        return find_project(Path(explicit) if explicit else None, start=Path.cwd())
    except (K8sprovError, OSError):
        return None


def env_names(ctx: typer.Context) -> list[str]:
    """The environments in infra/envs/ (the stems of its *.tfvars files)."""
    project = _project(ctx)
    if project is None:
        return []
    try:
        return project.env_names
    except OSError:
        return []


def profile_names() -> list[str]:
    """The profiles an environment can declare (`environment = "..."` in its var file)."""
    from k8sprov.project import PROFILES

    return list(PROFILES)


def env_or_profile_names(ctx: typer.Context) -> list[str]:
    """Environments, then the profiles not also an environment's name (diff and promote take either)."""
    envs = env_names(ctx)
    return envs + [p for p in profile_names() if p not in envs]


def chart_names(ctx: typer.Context) -> list[str]:
    """The charts of the project's catalog (terraform/modules/provision_k8s/versions.tf), for an option or
    argument that takes a chart name. Not for `--mirror NAME=URL`: bash splits words at `=`."""
    project = _project(ctx)
    if project is None:
        return []
    from k8sprov.charts.catalog import load_catalog
    from k8sprov.errors import K8sprovError

    try:
        return list(dict.fromkeys(spec.chart for spec in load_catalog(project).charts.values()))
    except (K8sprovError, OSError, ValueError):
        return []


def release_names(ctx: typer.Context) -> list[str]:
    """The releases of the project's catalog (its keys, the names Helm installs them under)."""
    project = _project(ctx)
    if project is None:
        return []
    from k8sprov.charts.catalog import load_catalog
    from k8sprov.errors import K8sprovError

    try:
        return list(load_catalog(project, use_cache=False).charts)
    except (K8sprovError, OSError, ValueError):
        return []
