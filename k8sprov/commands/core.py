"""envs, init, plan, show, apply, destroy."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    pass
