"""An environment's secrets at rest: which files hold them, and keeping files from older runs private.

New files are private from the start (`k8sprov.private`, and terraform's umask). Files an older k8sprov
left readable by others, or that someone copied in with `cp -p`, are tightened the next time k8sprov runs
for the environment, and it says so in one line; `k8sprov envs` names them before that.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from k8sprov.private import readable_by_others, tighten
from k8sprov.project import Project

if TYPE_CHECKING:
    from k8sprov.context import AppContext

_SHOWN = 3  # paths named in the notice; the rest are counted


def local_state_dir(project: Project, env: str) -> Path:
    """Where the local backend keeps the environment's state: its workspace's folder."""
    return project.terraform_dir / "terraform.tfstate.d" / env


def secret_files(project: Project, env: str) -> dict[str, list[Path]]:
    """The environment's files that hold secrets in clear, by what they are."""
    env_dir = project.env_state_dir(env)
    state = local_state_dir(project, env)
    return {
        "state": [state / "terraform.tfstate"],
        "state backup": [state / "terraform.tfstate.backup"],
        "plan": [env_dir / "plan.tfplan", env_dir / "destroy.tfplan"],
        # Terraform keeps the backend settings it was initialised with here, credentials included.
        "backend config": [env_dir / "tfdata" / "terraform.tfstate"],
    }


def exposed(project: Project, env: str) -> list[str]:
    """What of the environment's secrets others can read, e.g. ["state", "plan"]; empty when none."""
    return [what for what, paths in secret_files(project, env).items()
            if any(readable_by_others(path) for path in paths)]


def tighten_environments(project: Project, names: Iterable[str]) -> list[Path]:
    """Make the environments' files private (and everything shared under .k8sprov: caches, logs); returns
    the paths that changed. Other environments' folders are left for when k8sprov runs for them."""
    names = list(names)
    changed: list[Path] = []
    if project.state_dir.is_dir():
        changed += tighten(project.state_dir, recursive=False)
        for entry in sorted(project.state_dir.iterdir()):
            if entry.name == "envs":
                changed += tighten(entry, recursive=False)
                for name in names:
                    changed += tighten(entry / name)
            else:
                changed += tighten(entry)
    states = project.terraform_dir / "terraform.tfstate.d"
    changed += tighten(states, recursive=False)
    for name in names:
        changed += tighten(states / name)
    return changed


def notice(changed: Sequence[Path], root: Path) -> str | None:
    """One line saying what `tighten_environments` changed (None when nothing did)."""
    if not changed:
        return None
    files = [p for p in changed if not p.is_dir()]
    folders = len(changed) - len(files)

    def weight(path: Path) -> tuple[int, str]:  # the files that hold secrets first: state, then plans
        marks = ("terraform.tfstate", ".tfplan")
        return next((i for i, mark in enumerate(marks) if mark in path.name), len(marks)), str(path)

    shown = [str(p.relative_to(root)) if p.is_relative_to(root) else str(p)
             for p in sorted(files, key=weight)[:_SHOWN]]
    counts = " and ".join(part for part in (
        f"{len(files)} file{'s' if len(files) != 1 else ''}" if files else "",
        f"{folders} folder{'s' if folders != 1 else ''}" if folders else "") if part)
    rest = len(files) - len(shown)
    listed = ", ".join(shown) + (f" and {rest} more" if rest else "")
    return (f"k8sprov: made {counts} readable by you only (they were open to others; state, plans and caches"
            f" hold secrets)" + (f": {listed}" if listed else ""))


def make_private(ctx: AppContext, names: Iterable[str]) -> None:
    """Tighten the environments' files before k8sprov works on them; say so on stderr when it did."""
    line = notice(tighten_environments(ctx.project, names), ctx.project.root)
    if line:
        ctx.err_console.print(line, markup=False, highlight=False, soft_wrap=True)
