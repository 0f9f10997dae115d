"""What every command needs from the global options: where the project is, which terraform, how to print."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from k8sprov.project import Project


def plain_requested(no_color_flag: bool) -> bool:
    """--no-color, or NO_COLOR set to anything but the empty string (no-color.org). Kept free of rich:
    the error boundary asks before any command runs."""
    return no_color_flag or bool(os.environ.get("NO_COLOR"))


@dataclass
class AppContext:
    project_dir: Path | None = None
    terraform: str | None = None
    helm: str | None = None
    no_color: bool = False
    debug: bool = False
    cwd: Path = field(default_factory=Path.cwd)

    @cached_property
    def console(self) -> Console:
        from k8sprov.terminal import make_console

        return make_console(stderr=False, plain=self.plain)

    @cached_property
    def err_console(self) -> Console:
        from k8sprov.terminal import make_console

        return make_console(stderr=True, plain=self.plain)

    @property
    def plain(self) -> bool:
        """--no-color or NO_COLOR: no escape sequences at all, bold and dim included."""
        return plain_requested(self.no_color)

    @cached_property
    def project(self) -> Project:
        from k8sprov.project import find_project

        return find_project(self.project_dir, start=self.cwd)

    def terraform_request(self) -> str | None:
        """The binary the user asked for: --terraform, else K8SPROV_TERRAFORM, else None (search PATH)."""
        return self.terraform or os.environ.get("K8SPROV_TERRAFORM") or None

    def helm_request(self) -> str | None:
        """The Helm the user asked for: --helm, else K8SPROV_HELM, else None (search PATH)."""
        return self.helm or os.environ.get("K8SPROV_HELM") or None
