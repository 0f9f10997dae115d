"""k8sprov.fastparams: the fast path returns exactly what Typer's own (pydantic) coercion returns."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer import _coercion
from typer.models import OptionInfo

from k8sprov import fastparams

CASES: list[tuple[Any, dict[str, Any], Any]] = [
    (bool, {}, True),
    (str, {}, "basic"),
    (str, {}, ""),
    (int, {"min": 1, "max": 32}, 4),
    (float, {"min": 0.1}, 2.5),
    (list[str], {}, ("a=b", "c=d")),
    (list[str], {}, []),
    (Path, {}, "relative/dir"),
    (Path, {}, "."),
]


@pytest.mark.parametrize(("annotation", "info", "value"), CASES)
def test_fast_path_equals_typer(annotation: Any, info: dict[str, Any], value: Any) -> None:
    fastparams.install()
    from typer import core

    descriptor = _coercion.resolve_type_descriptor(annotation, OptionInfo(**info))
    fast = core.build_runtime_param(descriptor)  # type: ignore[attr-defined]
    real = _coercion.build_runtime_param(descriptor)
    got = fast._coerce_value(value, param=None, ctx=None)
    want = real._coerce_value(value, param=None, ctx=None)
    assert got == want
    assert type(got) is type(want)


def test_values_needing_conversion_still_go_through_typer() -> None:
    fastparams.install()
    from typer import core

    descriptor = _coercion.resolve_type_descriptor(int, OptionInfo(min=1, max=32))
    fast = core.build_runtime_param(descriptor)  # type: ignore[attr-defined]
    assert fast._coerce_value("8", param=None, ctx=None) == 8
    with pytest.raises(Exception, match="less than or equal to 32"):
        fast._coerce_value(40, param=None, ctx=None)
