"""`--help` that reads right: a flag shows no metavar, and every option's help fits on one line.

Typer ≥ 0.29 prints a type column for every option, flags included (`--detail <bool>`), which reads as if
the flag took a value. Its plain (non-rich) help already leaves flags without one; `install()` makes the
rich help do the same, and shortens the help of Typer's own `--show-completion`, which wraps. If Typer's
internals are not the ones this was written against, it does nothing.
"""

from __future__ import annotations

from typing import Any

_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    try:
        from typer.core import TyperOption

        original = TyperOption.display_type_rich
    except (ImportError, AttributeError):
        return

    def display_type_rich(self: Any, ctx: Any) -> str | None:
        if getattr(self, "is_flag", False) and not getattr(self, "count", False):
            return None
        result: str | None = original(self, ctx)
        return result

    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]
    _installed = True
    _shorten_completion_help()


def _shorten_completion_help() -> None:
    try:
        from typer import completion
        from typer.models import OptionInfo

        placeholders = (completion._install_completion_placeholder_function,
                        completion._install_completion_no_auto_placeholder_function)
    except (ImportError, AttributeError):
        return
    for function in placeholders:
        for info in function.__defaults__ or ():
            if isinstance(info, OptionInfo) and (info.help or "").startswith("Show completion for"):
                info.help = "Print the completion script, to install it by hand."
