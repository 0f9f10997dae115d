"""Terraform's error diagnostics, boiled down to the one line k8sprov prints. Pure functions.

Terraform prints each diagnostic as a summary (`Error: Invalid function argument`), a source location
(`on main.tf line 18, in locals:`), a source excerpt with the values involved, and a detail paragraph.
The one line keeps the summary, the detail's first sentence (shortened when long) and `file:line`; the
excerpt is left out (it may show values). Callers mask credentials in the result (`k8sprov.masking`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

_BOX = " │╷╵\t"
_LOCATION = re.compile(r"^\s*on (?P<file>.+?) line (?P<line>\d+)(?:, in .*)?:?\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])|(?<=[.!?])$")
MAX_DETAIL = 160
# Helm's own failure inside a provider's error (`execution error at (chart/templates/x.yaml:26:13): msg`):
# the chart's message is what the user must read, so it is kept whole (up to a longer limit).
_HELM_FAILURE = re.compile(r"(?P<head>.*?(?:execution error at|template:) \(?[^\s():]+:\d+(?::\d+)?\)?:? ?)"
                           r"(?P<message>.+)")
MAX_HELM_MESSAGE = 400


@dataclass(frozen=True)
class Diagnostic:
    summary: str
    detail: str
    file: str | None
    line: int | None


def parse(text: str) -> list[Diagnostic]:
    """Every `Error:` diagnostic in terraform's output, in order (warnings are left out)."""
    found: list[Diagnostic] = []
    summary: str | None = None
    body: list[str] = []

    def close() -> None:
        if summary is not None:
            found.append(_diagnostic(summary, body))

    for raw in text.splitlines():
        # Boxed diagnostics start every line with "│ "; unboxed ones (-no-color on 1.0) do not.
        if raw.startswith("│ "):
            line = raw[2:]
        elif raw.strip(_BOX) == "":
            line = ""
        else:
            line = raw
        stripped = line.strip()
        if stripped.startswith(("Error: ", "Warning: ")) and not line.startswith((" ", "\t")):
            close()
            summary = stripped[len("Error: "):] if stripped.startswith("Error: ") else None
            body = []
            continue
        if summary is not None:
            body.append(line.rstrip())
    close()
    return found


def _diagnostic(summary: str, body: list[str]) -> Diagnostic:
    file: str | None = None
    line_no: int | None = None
    paragraphs: list[list[str]] = [[]]
    for line in body:
        match = _LOCATION.match(line)
        if match and file is None:
            file, line_no = match.group("file"), int(match.group("line"))
            continue
        if not line.strip():
            if paragraphs[-1]:
                paragraphs.append([])
            continue
        if line.startswith((" ", "\t")):  # the source excerpt and its values: never part of the line
            continue
        paragraphs[-1].append(line.strip())
    detail = next((" ".join(p) for p in paragraphs if p), "")
    return Diagnostic(summary=summary.strip(), detail=detail, file=file, line=line_no)


def first_sentence(text: str, limit: int = MAX_DETAIL) -> str:
    """The first sentence of `text`; a long one is cut at its first ";" and then shortened with "…"."""
    text = " ".join(text.split())
    helm = _HELM_FAILURE.match(text)
    if helm and len(helm.group("head")) < limit:
        message = helm.group("message")
        if len(message) > MAX_HELM_MESSAGE:
            message = message[: MAX_HELM_MESSAGE - 1].rsplit(" ", 1)[0] + "…"
        return helm.group("head") + message
    match = _SENTENCE_END.search(text)
    sentence = text[:match.start()] if match else text
    if len(sentence) > limit and "; " in sentence:
        sentence = sentence.split("; ", 1)[0]
    sentence = sentence.rstrip(".")
    if len(sentence) > limit:
        cut = sentence[: limit - 1].rsplit(" ", 1)[0]
        sentence = cut + "…"
    return sentence


def _where(file: str, line: int | None, working_dir: Path | None) -> str:
    """file:line, the file shown relative to the current folder when it lies below it."""
    shown = file
    if working_dir is not None:
        path = Path(file) if Path(file).is_absolute() else working_dir / file
        try:
            rel = os.path.relpath(os.path.normpath(path), Path.cwd())
            shown = rel if not rel.startswith("..") else os.path.normpath(path)
        except ValueError:
            shown = file
    return f"{shown}:{line}" if line is not None else shown


def one_line(text: str, *, working_dir: Path | None = None) -> str | None:
    """`Error: <summary>: <first sentence of the detail> (<file>:<line>)`, plus how many more errors
    follow; None when the text holds no diagnostic."""
    diagnostics = parse(text)
    if not diagnostics:
        return None
    first = diagnostics[0]
    line = f"Error: {first.summary}"
    if first.detail:
        line += f": {first_sentence(first.detail)}"
    if first.file:
        line += f" ({_where(first.file, first.line, working_dir)})"
    if len(diagnostics) > 1:
        more = len(diagnostics) - 1
        line += f" (and {more} more error{'s' if more > 1 else ''})"
    return line
