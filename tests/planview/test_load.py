"""load_plan_file: plan JSON read directly, binary plans through the injected show_json, clear errors."""

from __future__ import annotations

import codecs
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from k8sprov.errors import PlanError
from k8sprov.planview import load_plan_file

PLAN = {"format_version": "1.2", "resource_changes": []}


def _never(path: Path) -> dict[str, Any]:
    raise AssertionError(f"show_json must not be called for {path}")


def test_plan_json_is_read_directly(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(PLAN))
    assert load_plan_file(path, _never) == PLAN


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_plan_json_with_a_bom_is_read(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "plan.json"
    path.write_bytes(json.dumps(PLAN).encode(encoding))
    if encoding == "utf-16":
        assert path.read_bytes()[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    assert load_plan_file(path, _never) == PLAN


def test_binary_plan_goes_through_show_json(tmp_path: Path) -> None:
    path = tmp_path / "plan.tfplan"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("tfplan", b"\x00binary")
    seen: list[Path] = []

    def show_json(p: Path) -> dict[str, Any]:
        seen.append(p)
        return PLAN

    assert load_plan_file(path, show_json) == PLAN
    assert seen == [path]


def test_show_json_returning_garbage_is_a_plan_error(tmp_path: Path) -> None:
    path = tmp_path / "plan.tfplan"
    path.write_bytes(b"PK\x03\x04rest")
    with pytest.raises(PlanError, match="did not return a JSON object"):
        load_plan_file(path, lambda p: [])  # type: ignore[arg-type,return-value]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"   \n", "is empty"),
        (
            b"Terraform will perform the following actions:",
            "neither a binary plan file nor plan JSON (line 1",
        ),
        (b"\xff\xfe\xfa garbage", "neither a binary plan file nor plan JSON"),
        (b"[1, 2, 3]", "holds JSON but not a plan (a list"),
    ],
)
def test_neither_json_nor_binary_is_a_clear_plan_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "plan.out"
    path.write_bytes(content)
    with pytest.raises(PlanError) as err:
        load_plan_file(path, _never)
    assert message in err.value.message
    assert str(path) in err.value.message


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="plan file not found"):
        load_plan_file(tmp_path / "nope.tfplan", _never)
    with pytest.raises(PlanError, match="is a folder"):
        load_plan_file(tmp_path, _never)


def test_importing_the_summary_does_not_import_rich_or_yaml() -> None:
    code = (
        "import sys; import k8sprov.planview as p; "
        "p.summarize({'format_version': '1.2', 'resource_changes': []}); "
        "print(sorted(m for m in ('rich', 'yaml') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_package_render_rich_stays_a_function_after_use() -> None:
    """The rich renderer's module must not share the exported function's name (it would shadow it)."""
    import io

    from rich.console import Console

    import k8sprov.planview as pv

    summary = pv.summarize({"format_version": "1.0", "resource_changes": []})
    pv.render_rich(summary, pv.PlanHeader(), Console(file=io.StringIO()))
    assert callable(pv.render_rich)
    pv.render_rich(summary, pv.PlanHeader(), Console(file=io.StringIO()))
