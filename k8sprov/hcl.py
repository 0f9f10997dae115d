"""Read HCL files (tfvars, versions.tf) into plain Python values with python-hcl2.

python-hcl2 8 keeps the quotes of strings unless asked not to; every reader in k8sprov goes through here
so the whole tool sees the same plain values. Interpolations stay as their `${...}` text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from k8sprov.errors import ProjectError


def load_hcl(path: Path) -> dict[str, Any]:
    """Parse one HCL file; a syntax error becomes a one-line ProjectError naming the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProjectError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ProjectError(f"{path}: cannot read ({err.__class__.__name__})") from None
    return loads_hcl(text, str(path))


def loads_hcl(text: str, where: str) -> dict[str, Any]:
    """Parse HCL text (a file as it was at some git commit, say); errors name `where` and the line."""
    import hcl2
    from hcl2.utils import SerializationOptions

    options = SerializationOptions(strip_string_quotes=True, with_comments=False, explicit_blocks=False)
    try:
        data: dict[str, Any] = hcl2.loads(text, serialization_options=options)
    except Exception as err:  # lark raises many exception types; all mean "not valid HCL"
        line, column, reason = parse_problem(err)
        at = f" at line {line}" + (f", column {column}" if column else "") if line else ""
        raise HclSyntaxError(f"{where}: not valid HCL{at}: {reason}", line=line, column=column,
                             reason=reason) from None
    return data


class HclSyntaxError(ProjectError):
    """A file python-hcl2 cannot parse; `reason` is the parser's own words, made readable."""

    def __init__(self, message: str, *, line: int | None, column: int | None, reason: str) -> None:
        super().__init__(message, hint="fix the syntax and run again")
        self.line = line
        self.column = column
        self.reason = reason


# lark's token names, in the words of someone writing a var file.
_TOKEN_WORDS = {"RBRACE": "'}'", "LBRACE": "'{'", "RSQB": "']'", "LSQB": "'['", "RPAR": "')'", "EQ": "'='",
                "COMMA": "','", "COLON": "':'", "DBLQUOTE": "'\"'", "NAME": "a name"}
_VALUE_TOKENS = {"INT_LITERAL", "FLOAT_LITERAL", "TRUE", "FALSE", "NULL", "TEMPLATE_STRING",
                 "HEREDOC_TEMPLATE", "HEREDOC_TEMPLATE_TRIM"}


def parse_problem(err: Exception) -> tuple[int | None, int | None, str]:
    """(line, column, reason) of a python-hcl2 / lark error: what the parser met and what it expected."""
    line = getattr(err, "line", None)
    column = getattr(err, "column", None)
    line = line if isinstance(line, int) and line > 0 else None
    column = column if isinstance(column, int) and column > 0 else None
    token = getattr(err, "token", None)
    expected = getattr(err, "expected", None) or getattr(err, "allowed", None)
    if token is not None:
        kind = getattr(token, "type", "")
        shown = str(token).split("\n")[0].strip()
        met = ("unexpected end of file" if kind == "$END"
               else f"unexpected {shown!r}" if shown else "unexpected end of line")
    elif getattr(err, "char", None) is not None:
        met = f"unexpected character {err.char!r}"  # type: ignore[attr-defined]
    else:
        met = str(err).strip().splitlines()[0] if str(err).strip() else err.__class__.__name__
    if expected:
        if _VALUE_TOKENS & set(expected):  # '"', '[', '{' and names only start values: say "a value"
            words = ["a value", *sorted(_TOKEN_WORDS[t] for t in ("RBRACE", "RSQB") if t in expected)]
        else:
            words = sorted(_TOKEN_WORDS[t] for t in expected if t in _TOKEN_WORDS)
        if words:
            met += f" (expected {' or '.join(words)})"
    return line, column, met
