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
        from rich.console import Console

        return Console(no_color=self._no_color(), highlight=False, soft_wrap=False)

    @cached_property
    def err_console(self) -> Console:
        from rich.console import Console

        return Console(stderr=True, no_color=self._no_color(), highlight=False)

    def _no_color(self) -> bool:
        return self.no_color or "NO_COLOR" in os.environ

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
