"""Read a plan: a plan JSON file directly, a binary plan file (a zip) through `terraform show -json`.

The terraform call is injected (`show_json`) so this module never starts a process: the CLI passes the
terraform adapter's `show -json`.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from k8sprov.errors import PlanError
from k8sprov.planview.document_kind import not_a_plan_hint, plan_problem

_HINT = "pass a binary plan file (terraform plan -out) or the JSON of `terraform show -json PLANFILE`"


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with BOM (PowerShell's `>` writes that)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    return data.decode("utf-8-sig")


def load_plan_file(path: Path, show_json: Callable[[Path], dict[str, Any]]) -> dict[str, Any]:
    """The plan JSON of `path`: read directly if it is JSON, through `show_json` if it is a binary plan."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4)
            if head.startswith(b"PK"):
                plan = show_json(path)
                if not isinstance(plan, dict):
                    raise PlanError(f"{path}: terraform show -json did not return a JSON object", hint=_HINT)
                return _checked(path, plan)
            fh.seek(0)
            data = fh.read()
    except FileNotFoundError:
        raise PlanError(f"plan file not found: {path}", hint="check the path") from None
    except IsADirectoryError:
        raise PlanError(f"{path} is a folder, not a plan file", hint=_HINT) from None
    except PermissionError:
        raise PlanError(
            f"cannot read plan file {path}: permission denied", hint="check its permissions"
        ) from None
    if not data or data.isspace():  # isspace stops at the first other byte; strip() would copy megabytes
        raise PlanError(f"{path} is empty, not a plan file", hint=_HINT)
    try:
        plan = json.loads(_decode(data))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise PlanError(f"{path} is neither a binary plan file nor plan JSON{where}", hint=_HINT) from None
    if not isinstance(plan, dict):
        raise PlanError(
            f"{path} holds JSON but not a plan (a {type(plan).__name__}, not an object)", hint=_HINT
        )
    return _checked(path, plan)


def _checked(path: Path, plan: dict[str, Any]) -> dict[str, Any]:
    problem = plan_problem(plan)
    if problem is not None:
        raise PlanError(f"{path} is not a Terraform plan: {problem}", hint=not_a_plan_hint(plan))
    return plan
