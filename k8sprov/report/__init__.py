"""`k8sprov report`: many environments' plan summaries merged into one comment, one JSON and one page.

CI plans each environment on its own runner (`k8sprov plan --env E --json FILE`); the matrix jobs' files
come together here:

    report = read_summaries(paths)            # one file at a time; keeps only what the outputs show
    to_markdown(report)  -> str               # one pull-request comment, under GitHub's limit
    to_json(report)      -> dict              # merged, versioned (REPORT_FORMAT_VERSION)
    to_html(report)      -> str               # one self-contained page: no scripts, styles or fonts fetched

Summaries are masked when they are written; the report carries nothing a summary does not.
"""

from __future__ import annotations

from k8sprov.report.comment import MARKER, to_markdown
from k8sprov.report.merged import REPORT_FORMAT_VERSION, to_json
from k8sprov.report.model import EnvEntry, FleetReport
from k8sprov.report.page import to_html
from k8sprov.report.read import read_summaries

__all__ = [
    "MARKER",
    "REPORT_FORMAT_VERSION",
    "EnvEntry",
    "FleetReport",
    "read_summaries",
    "to_html",
    "to_json",
    "to_markdown",
]
