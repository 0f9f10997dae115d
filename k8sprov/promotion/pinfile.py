"""Where each pin of `local.chart_versions` sits in versions.tf, byte for byte; an edit of just those bytes.

python-hcl2 gives values but not positions, and re-serialising HCL would lose comments and alignment. So a
small scanner walks the file's tokens (strings, comments, heredocs, brackets), finds `chart_versions` in a
`locals` block and records, for every `profile -> chart` entry, the span of its value when that value is one
plain string literal. A promotion then replaces exactly those spans: every other byte stays as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from k8sprov.errors import ProjectError

# What a promoted version may contain: it is written between quotes, so nothing that could end or
# template the string.
_SAFE_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+_~-]*$")
_HEREDOC = re.compile(r"<<-?([A-Za-z_][A-Za-z0-9_-]*)\r?\n")
_PUNCT = "{}[](),=:"


@dataclass(frozen=True)
class Token:
    kind: str  # "str" | "tmpl" (string with ${ or %{) | "punct" | "nl" | "word" | "heredoc"
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class PinSite:
    """One `"chart" = <value>` entry under `chart_versions.<profile>`."""

    profile: str
    chart: str
    start: int  # span of the whole value expression (quotes included for a literal)
    end: int
    literal: str | None  # the string's content when the value is one plain literal, else None
    line: int

    @property
    def is_literal(self) -> bool:
        return self.literal is not None


def _scan_string(text: str, i: int) -> tuple[int, bool]:
    """End offset of the string starting at text[i] == '"', and whether it holds a template sequence."""
    j = i + 1
    template = False
    depth = 0  # inside ${ ... } strings may nest; a quote there does not end the outer string
    while j < len(text):
        c = text[j]
        if c == "\\":
            j += 2
            continue
        if depth == 0 and c == '"':
            return j + 1, template
        if c in "$%" and text.startswith("{", j + 1):
            if text[j - 1] == c:
                j += 2  # $${ and %%{ are escapes, not templates
                continue
            template = True
            depth += 1
            j += 2
            continue
        if depth and c == "}":
            depth -= 1
        elif depth and c == '"':
            end, _ = _scan_string(text, j)
            j = end
            continue
        elif c == "\n" and depth == 0:
            break
        j += 1
    raise ProjectError(f"unterminated string at offset {i}", hint="fix the syntax and run again")


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            tokens.append(Token("nl", c, i, i + 1))
            i += 1
        elif c in " \t\r":
            i += 1
        elif c == "#" or text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise ProjectError(f"unterminated comment at offset {i}", hint="fix the syntax and run again")
            i = end + 2
        elif c == '"':
            end, template = _scan_string(text, i)
            tokens.append(Token("tmpl" if template else "str", text[i:end], i, end))
            i = end
        elif c == "<" and (m := _HEREDOC.match(text, i)):
            marker = m.group(1)
            close = re.compile(rf"^[ \t]*{re.escape(marker)}[ \t]*$", re.MULTILINE)
            found = close.search(text, m.end())
            if not found:
                raise ProjectError(f"unterminated heredoc {marker} at offset {i}", hint="fix the syntax")
            tokens.append(Token("heredoc", text[i:found.end()], i, found.end()))
            i = found.end()
        elif c in _PUNCT:
            tokens.append(Token("punct", c, i, i + 1))
            i += 1
        else:
            j = i
            while j < n and text[j] not in _PUNCT and text[j] not in " \t\r\n\"#" \
                    and not text.startswith("//", j) and not text.startswith("/*", j):
                j += 1
            tokens.append(Token("word", text[i:j], i, j))
            i = j
    return tokens


def _key(tok: Token) -> str | None:
    if tok.kind == "word":
        return tok.text
    if tok.kind == "str":
        return tok.text[1:-1]
    return None


class _Cursor:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0

    def peek(self, skip_nl: bool = True) -> Token | None:
        j = self.i
        while j < len(self.tokens):
            if not (skip_nl and self.tokens[j].kind == "nl"):
                return self.tokens[j]
            j += 1
        return None

    def next(self, skip_nl: bool = True) -> Token | None:
        while self.i < len(self.tokens):
            tok = self.tokens[self.i]
            self.i += 1
            if not (skip_nl and tok.kind == "nl"):
                return tok
        return None

    def value(self) -> list[Token]:
        """The tokens of one expression: up to a newline, comma or closing bracket at depth 0."""
        out: list[Token] = []
        depth = 0
        while self.i < len(self.tokens):
            tok = self.tokens[self.i]
            if depth == 0 and (tok.kind == "nl" or (tok.kind == "punct" and tok.text in ",}])")):
                break
            if tok.kind == "punct" and tok.text in "{[(":
                depth += 1
            elif tok.kind == "punct" and tok.text in "}])":
                depth -= 1
            out.append(tok)
            self.i += 1
        return out

    def skip_object(self) -> None:
        """After an opening brace: skip to just past its closing brace."""
        depth = 1
        while self.i < len(self.tokens) and depth:
            tok = self.tokens[self.i]
            if tok.kind == "punct" and tok.text in "{[(":
                depth += 1
            elif tok.kind == "punct" and tok.text in "}])":
                depth -= 1
            self.i += 1


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def find_pins(text: str, where: str = "versions.tf") -> list[PinSite]:
    """Every entry of `local.chart_versions`, in file order."""
    cur = _Cursor(tokenize(text))
    sites: list[PinSite] = []
    found = False
    while (tok := cur.next()) is not None:
        if tok.kind == "word" and tok.text == "locals" and (brace := cur.peek()) and brace.text == "{":
            cur.next()
            found = _scan_locals(cur, text, sites) or found
    if not found:
        raise ProjectError(f"{where}: no `chart_versions` map in a locals block",
                           hint="the chart catalog lives in terraform/modules/provision_k8s/versions.tf")
    return sites


def _scan_locals(cur: _Cursor, text: str, sites: list[PinSite]) -> bool:
    found = False
    while (tok := cur.next()) is not None:
        if tok.kind == "punct" and tok.text == "}":
            return found
        name = _key(tok)
        eq = cur.next()
        if name is None or eq is None or eq.text not in ("=", ":"):
            continue
        value_start = cur.peek()
        if name == "chart_versions" and value_start is not None and value_start.text == "{":
            cur.next()
            _scan_profiles(cur, text, sites)
            found = True
        elif value_start is not None and value_start.text in ("{", "[", "("):
            cur.next()
            cur.skip_object()
        else:
            cur.value()
    return found


def _scan_profiles(cur: _Cursor, text: str, sites: list[PinSite]) -> None:
    while (tok := cur.next()) is not None:
        if tok.kind == "punct" and tok.text == "}":
            return
        if tok.kind == "punct" and tok.text == ",":
            continue
        profile = _key(tok)
        eq = cur.next()
        opening = cur.next()
        well_formed = eq is not None and eq.text in ("=", ":") and opening is not None and opening.text == "{"
        if profile is None or not well_formed:
            raise ProjectError(f"versions.tf line {_line_of(text, tok.start)}: chart_versions entries must be"
                               " `profile = { chart = \"version\" }`", hint="keep the pins literal")
        while (entry := cur.next()) is not None:
            if entry.kind == "punct" and entry.text == "}":
                break
            if entry.kind == "punct" and entry.text == ",":
                continue
            chart = _key(entry)
            eq = cur.next()
            if chart is None or eq is None or eq.text not in ("=", ":"):
                raise ProjectError(f"versions.tf line {_line_of(text, entry.start)}: cannot read the pin",
                                   hint="keep the pins literal: \"chart\" = \"version\"")
            value = cur.value()
            if not value:
                raise ProjectError(f"versions.tf line {_line_of(text, entry.start)}: pin without a value")
            literal = value[0].text[1:-1] if len(value) == 1 and value[0].kind == "str" else None
            sites.append(PinSite(profile=profile, chart=chart, start=value[0].start, end=value[-1].end,
                                 literal=literal, line=_line_of(text, entry.start)))


def pins_of(sites: list[PinSite], profile: str) -> dict[str, PinSite]:
    return {s.chart: s for s in sites if s.profile == profile}


def rewrite(text: str, sites: list[PinSite], profile: str, versions: dict[str, str]) -> str:
    """`text` with the literal pins of `profile` for the given charts replaced by `versions`; nothing else."""
    by_chart = pins_of(sites, profile)
    edits: list[tuple[int, int, str]] = []
    for chart, version in versions.items():
        site = by_chart[chart]
        if not site.is_literal:
            raise ProjectError(f"versions.tf line {site.line}: {profile} pin of {chart} is not a literal")
        if not _SAFE_VERSION.match(version):
            raise ProjectError(f"version {version!r} of {chart} cannot be written as a plain pin")
        edits.append((site.start, site.end, f'"{version}"'))
    out = text
    for start, end, replacement in sorted(edits, reverse=True):
        out = out[:start] + replacement + out[end:]
    return out
