"""Keep pydantic out of start-up: Typer ≥ 0.29 builds a pydantic TypeAdapter for every option of the command
being run — given or not — and importing pydantic and building those adapters costs ~0.2 s per command,
more than importing Typer itself (measured in bench/RESULTS.md, B1/B5/B6).

`install()` wraps Typer's `build_runtime_param` so the adapter is built only when a value needs it. Values
whose coercion is the identity are returned as they are, exactly as the adapter would return them:

- a `bool` for a `bool` option, a `str` for a `str` option, an `int` (not bool) for an `int` option within
  its `min`/`max`, a `float` for a `float` option within them; a list of `str` for `list[str]` (as a list);
- `None` (option not given) never reached an adapter anyway (Typer's `RuntimeParam.coerce`);
- a `str` for a `pathlib.Path` option becomes `Path(value)` (all pydantic does there) and then goes through
  Typer's own `coerce_cli_path` checks, as with the adapter.

Everything else — custom parsers, paths, enums, strings to convert, out-of-range numbers and their error
messages — goes to Typer's own adapter, built on first use. If Typer's internals are not the ones this was
written against, `install()` does nothing.
"""

from __future__ import annotations

from typing import Any, get_args, get_origin

_installed = False


def _identity(annotation: Any, info: Any, value: Any) -> bool:
    """True when Typer's adapter would return `value` unchanged for this annotation and these settings."""
    if getattr(info, "parser", None) is not None:
        return False
    if annotation is bool:
        return isinstance(value, bool)
    if annotation is str:
        return type(value) is str
    if annotation is int or annotation is float:
        if type(value) is not annotation:
            return False
        low, high = getattr(info, "min", None), getattr(info, "max", None)
        return (low is None or value >= low) and (high is None or value <= high)
    if get_origin(annotation) is list and get_args(annotation) == (str,):
        return isinstance(value, list | tuple) and all(type(v) is str for v in value)
    return False


def install() -> None:
    global _installed
    if _installed:
        return
    try:
        from dataclasses import dataclass, field
        from pathlib import Path

        from typer import _coercion, core
        from typer._param_types import coerce_cli_path

        original = core.build_runtime_param  # type: ignore[attr-defined]
        base = _coercion.RuntimeParam
        if not callable(original) or not hasattr(base, "_coerce_value") or not hasattr(base, "coerce"):
            return
    except (ImportError, AttributeError):
        return

    @dataclass(frozen=True)
    class LazyRuntimeParam(base):  # type: ignore[misc, valid-type]
        descriptor: Any = None
        _real: list[Any] = field(default_factory=list)

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            info = self.parameter_info
            if _identity(self.annotation, info, value):
                return list(value) if isinstance(value, tuple) else value
            if (self.annotation is Path and type(value) is str and info.parser is None
                    and info.path_type in (None, Path)):
                # The adapter's only pydantic step is Path(value); the checks are Typer's own function.
                return coerce_cli_path(Path(value), info, path_type=Path, param=param, ctx=ctx)
            if not self._real:
                self._real.append(original(self.descriptor))
            return self._real[0]._coerce_value(value, param=param, ctx=ctx)

    def build_runtime_param(descriptor: Any) -> Any:
        if getattr(descriptor, "file_annotation", None) is not None:
            return original(descriptor)
        return LazyRuntimeParam(
            annotation=descriptor.annotation, parameter_info=descriptor.parameter_info, descriptor=descriptor
        )

    core.build_runtime_param = build_runtime_param  # type: ignore[attr-defined]
    _installed = True
