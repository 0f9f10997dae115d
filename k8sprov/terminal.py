"""The consoles k8sprov prints through: plain on request, and quiet when the reader of stdout goes away.

Plain (`--no-color`, `NO_COLOR`) means no escape sequence at all. rich's own `no_color` only drops colours
and keeps bold, dim and underline; with no colour system rich renders no style at all.
"""

from __future__ import annotations

from rich.console import Console


class _Console(Console):
    plain = False

    def on_broken_pipe(self) -> None:
        # rich would exit 1 itself; the CLI boundary ends every closed pipe the same quiet way.
        self.quiet = True
        raise BrokenPipeError


def make_console(*, stderr: bool, plain: bool, soft_wrap: bool = False) -> Console:
    console = _Console(stderr=stderr, no_color=plain, color_system=None if plain else "auto", highlight=False,
                       soft_wrap=soft_wrap)
    console.plain = plain
    return console


def is_plain(console: Console) -> bool:
    """Plain was asked for, or the output is no terminal. Live displays (progress bars) move the cursor
    with escape sequences of their own: plain output has none."""
    return bool(getattr(console, "plain", False)) or not console.is_terminal
