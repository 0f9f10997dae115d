"""Plan view: a Helm-aware, masked summary of a Terraform plan, rendered as rich text, JSON or Markdown.

    plan = load_plan_file(path, show_json)          # plan JSON (binary plans via terraform show -json)
    summary = summarize(plan, locked_charts=...)    # pure; raises PlanError only for non-plans
                                                    # (locked_charts: archive name -> version, from the
                                                    #  caller's charts.lock; objects: planview.objects)
    render_rich(summary, header, console, detail=False)
    to_json(summary, header) -> dict                # the --json document (format_version "1.0")
    to_markdown(summary, header, limit=65000) -> str

rich is imported only when `render_rich` is called, so importing this package stays cheap.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from k8sprov.planview.load import load_plan_file
from k8sprov.planview.model import ACTIONS, PlanHeader, PlanSummary, ResourceChange
from k8sprov.planview.render_json import JSON_FORMAT_VERSION, to_json
from k8sprov.planview.render_markdown import to_markdown
from k8sprov.planview.summary import summarize

if TYPE_CHECKING:
    from rich.console import Console

__all__ = [
    "ACTIONS",
    "JSON_FORMAT_VERSION",
    "PlanHeader",
    "PlanSummary",
    "ResourceChange",
    "load_plan_file",
    "render_rich",
    "summarize",
    "to_json",
    "to_markdown",
]


def render_rich(
    summary: PlanSummary,
    header: PlanHeader,
    console: Console,
    *,
    detail: bool = False,
    now: datetime | None = None,
    max_per_group: int | None = None,
) -> None:
    """Print the rich plan view on `console` (see k8sprov.planview.rich_view)."""
    from k8sprov.planview.rich_view import render_rich as _render

    _render(summary, header, console, detail=detail, now=now, max_per_group=max_per_group)
