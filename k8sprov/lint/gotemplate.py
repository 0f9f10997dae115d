"""What a chart's templates do with `.Values`: paths read, maps consumed whole, maps shaped like another.

A small abstract interpreter over Go template actions (text/template + Sprig as Helm uses them). It knows
where `.` and `$` point (the chart's root context, a place in `.Values`, a `dict` built in the template),
follows `with`/`range`/`if` scopes, variables, pipelines and `include`/`template` calls into named
templates, and records:

- `read`: paths the templates read (`.Values.a.b`, `$.Values.a`, `index .Values "a" "b"`, `.b` inside
  `with .Values.a`, `get`/`hasKey`/`dig` with literal keys);
- `free`: maps consumed whole (`toYaml`, `range`, `omit`, `pick`, `merge`, `tpl`, `index` with a key that is
  not a literal): any key under them is the user's to choose;
- `opaque`: maps handed to something this reader cannot follow (a named template that is not there):
  unknown keys under them are only "unsure";
- `alias`: `merge (deepCopy .Values.a) .Values.b` — `b` has `a`'s shape.

String literals are data, never references: `required "set .Values.x" .Values.y` reads only `y`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

Path_ = tuple[str, ...]

_COMMENT = re.compile(r"\{\{-?\s*/\*.*?\*/\s*-?\}\}", re.DOTALL)
_ACTION = re.compile(r'\{\{-?((?:[^"`}\']|"(?:[^"\\\n]|\\.)*"|`[^`]*`|\'(?:[^\'\\\n]|\\.)*\'|\}(?!\}))*)\}\}',
                     re.DOTALL)
_TOKEN = re.compile(
    r"""(?P<ws>\s+)
      | (?P<str>"(?:[^"\\]|\\.)*"|`[^`]*`)
      | (?P<char>'(?:[^'\\]|\\.)+')
      | (?P<var>\$[A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)
      | (?P<num>-?\d[\w.]*)
      | (?P<field>(?:\.[A-Za-z0-9_]+)+|\.)
      | (?P<decl>:=)
      | (?P<assign>=)
      | (?P<pipe>\|)
      | (?P<lp>\()
      | (?P<rp>\))
      | (?P<comma>,)
      | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)

# Functions that take a map and use all of it: whatever keys the user puts there reach the output.
_CONSUME = frozenset({
    "toYaml", "toJson", "toPrettyJson", "toRawJson", "toToml", "mustToJson", "mustToPrettyJson",
    "mustToRawJson", "tpl", "omit", "pick", "keys", "values", "mustMerge", "merge", "mergeOverwrite",
    "mustMergeOverwrite", "sortAlpha", "toStrings", "mustToYaml",
})
_MERGE = frozenset({"merge", "mergeOverwrite", "mustMerge", "mustMergeOverwrite"})
_PASS = frozenset({"required", "deepCopy", "mustDeepCopy"})
_EITHER = frozenset({"default", "coalesce", "or", "ternary"})


class Ref:
    """A place in the release's values; `base` = length of the chart's own prefix (for subcharts)."""

    __slots__ = ("base", "path")

    def __init__(self, path: Path_, base: int) -> None:
        self.path = path
        self.base = base

    def child(self, key: str) -> Ref:
        if len(self.path) == self.base and key == "global":
            return Ref(("global",), 0)  # a subchart's .Values.global is the parent's global
        return Ref((*self.path, key), self.base)


class Root:
    """A chart's root context (`.` at the top of a template): `.Values` leads into its values."""

    __slots__ = ("prefix",)

    def __init__(self, prefix: Path_) -> None:
        self.prefix = prefix


class Dict:
    __slots__ = ("items",)

    def __init__(self, items: dict[str, Any]) -> None:
        self.items = items


class Multi:
    """One of several values (`default .a .b`, `coalesce`, `or`): whatever is done to it is done to each."""

    __slots__ = ("options",)

    def __init__(self, options: list[Any]) -> None:
        self.options = options


class Lit:
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


@dataclass
class TemplateFacts:
    read: set[Path_] = field(default_factory=set)
    free: set[Path_] = field(default_factory=set)
    opaque: set[Path_] = field(default_factory=set)
    alias: dict[Path_, Path_] = field(default_factory=dict)


@dataclass
class Token:
    kind: str
    text: str
    start: int
    end: int


def actions(text: str) -> list[str]:
    """The inside of every `{{ ... }}` action, comments dropped, trim markers stripped."""
    text = _COMMENT.sub("", text)
    out = []
    for match in _ACTION.finditer(text):
        body = match.group(1).strip()
        if body.endswith("-") and (len(body) == 1 or body[-2].isspace()):
            body = body[:-1].rstrip()
        out.append(body)
    return out


def tokenize(body: str) -> list[Token]:
    tokens = []
    for match in _TOKEN.finditer(body):
        kind = match.lastgroup or "other"
        if kind == "ws":
            continue
        tokens.append(Token(kind, match.group(), match.start(), match.end()))
    return tokens


def _unquote(text: str) -> str:
    if text.startswith("`"):
        return text[1:-1]
    body = text[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


# Parsed forms: a pipeline is (declared variable names, [command]); a command is [operand];
# an operand is a tuple tagged "str" | "lit" | "dot" | "var" | "paren" | "ident".
Operand = tuple[Any, ...]
Command = list[Operand]
Pipeline = tuple[list[str], list[Command]]


def parse_pipeline(tokens: list[Token], i: int = 0) -> tuple[Pipeline, int]:
    decl: list[str] = []
    # `$x :=`, `$k, $v :=`, `$x =`
    j = i
    names = []
    while j < len(tokens) and tokens[j].kind == "var" and "." not in tokens[j].text:
        names.append(tokens[j].text)
        if j + 1 < len(tokens) and tokens[j + 1].kind == "comma":
            j += 2
            continue
        j += 1
        break
    if names and j < len(tokens) and tokens[j].kind in ("decl", "assign"):
        decl = names
        i = j + 1
    commands: list[Command] = []
    current: Command = []
    while i < len(tokens):
        tok = tokens[i]
        if tok.kind == "rp":
            break
        if tok.kind == "pipe":
            commands.append(current)
            current = []
            i += 1
            continue
        operand, i = _operand(tokens, i)
        if operand is not None:
            current.append(operand)
    if current:
        commands.append(current)
    return (decl, commands), i


def _operand(tokens: list[Token], i: int) -> tuple[Operand | None, int]:
    tok = tokens[i]
    kind = tok.kind
    if kind == "lp":
        inner, j = parse_pipeline(tokens, i + 1)
        end = tokens[j].end if j < len(tokens) else -1
        j += 1  # the closing parenthesis
        fields: tuple[str, ...] = ()
        if j < len(tokens) and tokens[j].kind == "field" and tokens[j].start == end:
            fields = tuple(f for f in tokens[j].text.split(".") if f)
            j += 1
        return ("paren", inner, fields), j
    if kind == "str":
        return ("str", _unquote(tok.text)), i + 1
    if kind in ("num", "char"):
        return ("lit",), i + 1
    if kind == "field":
        return ("dot", tuple(f for f in tok.text.split(".") if f)), i + 1
    if kind == "var":
        parts = tok.text.split(".")
        return ("var", parts[0], tuple(parts[1:])), i + 1
    if kind == "ident":
        return ("ident", tok.text), i + 1
    return None, i + 1


@dataclass
class _Template:
    body: list[list[Token]]
    prefix: Path_


@dataclass
class _Frame:
    dot: Any
    top: Any
    vars: dict[str, Any]


class Analyzer:
    """Walks every template of one archive (the chart and its subcharts) and collects TemplateFacts."""

    def __init__(self) -> None:
        self.facts = TemplateFacts()
        self.defines: dict[str, _Template] = {}
        self._files: list[_Template] = []
        self._done: set[tuple[str, str]] = set()
        self._used: set[str] = set()
        self._depth = 0

    # -- input ---------------------------------------------------------------------------------------
    def add_file(self, text: str, prefix: Path_) -> None:
        """One template file of the chart whose values live under `prefix` (() for the top chart)."""
        toks = [tokenize(a) for a in actions(text)]
        top: list[list[Token]] = []
        i = 0
        while i < len(toks):
            t = toks[i]
            if t and t[0].kind == "ident" and t[0].text == "define":
                name = _unquote(t[1].text) if len(t) > 1 and t[1].kind == "str" else ""
                end = _matching_end(toks, i)
                self.defines[name] = _Template(toks[i + 1:end], prefix)
                i = end + 1
                continue
            top.append(t)
            i += 1
        self._files.append(_Template(top, prefix))

    def run(self) -> TemplateFacts:
        for tpl in self._files:
            root = Root(tpl.prefix)
            self._walk(tpl.body, _Frame(root, root, {}))
        # Named templates nobody here includes (library helpers, dead code): read them with the chart's
        # root as `.`, which is how nearly all of them are called.
        for name, tpl in list(self.defines.items()):
            if name not in self._used:
                root = Root(tpl.prefix)
                self._call(name, root)
        return self.facts

    # -- walking ------------------------------------------------------------------------------------
    def _walk(self, body: list[list[Token]], frame: _Frame) -> None:
        stack: list[tuple[str, Any]] = []  # (keyword, dot outside the block)
        i = 0
        while i < len(body):
            toks = body[i]
            i += 1
            if not toks:
                continue
            head = toks[0].text if toks[0].kind == "ident" else ""
            if head in ("if", "with", "range"):
                stack.append((head, frame.dot))
                self._block_start(head, toks[1:], frame)
            elif head == "else":
                outer = stack[-1][1] if stack else frame.dot
                frame.dot = outer
                if len(toks) > 1 and toks[1].kind == "ident" and toks[1].text in ("if", "with"):
                    self._block_start(toks[1].text, toks[2:], frame)
            elif head == "end":
                if stack:
                    frame.dot = stack.pop()[1]
            elif head == "define":
                i = _matching_end(body, i - 1) + 1  # nested define: registered by add_file only at top
            elif head == "block":
                name = _unquote(toks[1].text) if len(toks) > 1 and toks[1].kind == "str" else ""
                end = _matching_end(body, i - 1)
                (_, cmds), _ = parse_pipeline(toks, 2)
                arg = self._eval_cmds(cmds, frame)
                prefix = frame.top.prefix if isinstance(frame.top, Root) else ()
                self.defines.setdefault(name, _Template(body[i:end], prefix))
                self._call(name, arg)
                i = end + 1
            elif head == "template":
                name = _unquote(toks[1].text) if len(toks) > 1 and toks[1].kind == "str" else ""
                (_, cmds), _ = parse_pipeline(toks, 2)
                self._call(name, self._eval_cmds(cmds, frame) if cmds else None)
            elif head in ("break", "continue"):
                continue
            else:
                self._pipeline(toks, 0, frame)

    def _block_start(self, head: str, toks: list[Token], frame: _Frame) -> None:
        (decl, cmds), _ = parse_pipeline(toks, 0)
        value = self._eval_cmds(cmds, frame)
        if head == "range":
            self._free(value)
            for name in decl:
                frame.vars[name] = None
            frame.dot = None
        elif head == "with":
            for name in decl:
                frame.vars[name] = value
            frame.dot = value
        else:
            for name in decl:
                frame.vars[name] = value

    def _pipeline(self, toks: list[Token], i: int, frame: _Frame) -> Any:
        (decl, cmds), _ = parse_pipeline(toks, i)
        value = self._eval_cmds(cmds, frame)
        for name in decl:
            frame.vars[name] = value
        return value

    def _eval_cmds(self, cmds: list[Command], frame: _Frame) -> Any:
        value: Any = _NOTHING
        for cmd in cmds:
            value = self._command(cmd, frame, value)
        return None if value is _NOTHING else value

    def _command(self, cmd: Command, frame: _Frame, piped: Any) -> Any:
        if not cmd:
            return None
        first = cmd[0]
        if first[0] == "ident" and first[1] not in ("true", "false", "nil"):
            args = [self._operand(op, frame) for op in cmd[1:]]
            if piped is not _NOTHING:
                args.append(piped)
            return self._function(first[1], args)
        values = [self._operand(op, frame) for op in cmd]
        return values[0] if len(values) == 1 else None

    def _operand(self, op: Operand, frame: _Frame) -> Any:
        tag = op[0]
        if tag == "str":
            return Lit(op[1])
        if tag == "dot":
            return self._fields(frame.dot, op[1])
        if tag == "var":
            base = frame.top if op[1] == "$" else frame.vars.get(op[1])
            return self._fields(base, op[2])
        if tag == "paren":
            return self._fields(self._eval_cmds(op[1][1], frame), op[2])
        if tag == "ident":
            return None if op[1] in ("true", "false", "nil") else self._function(op[1], [])
        return None

    def _fields(self, value: Any, fields: tuple[str, ...]) -> Any:
        if isinstance(value, Multi):
            return _either([self._fields(v, fields) for v in value.options])
        for name in fields:
            if isinstance(value, Root):
                value = Ref(value.prefix, len(value.prefix)) if name == "Values" else None
            elif isinstance(value, Ref):
                value = value.child(name)
            elif isinstance(value, Dict):
                value = value.items.get(name)
            elif name == "Values":
                # `.context.Values.x` where `.` came from somewhere this reader lost track of: a chain
                # through a `Values` field is the release's values in every chart seen.
                value = Ref((), 0)
            else:
                value = None
            if value is None:
                break
        if isinstance(value, Ref) and fields and len(value.path) > value.base:
            self.facts.read.add(value.path)
        return value

    def _function(self, name: str, args: list[Any]) -> Any:
        if name in ("include", "template"):
            if args and isinstance(args[0], Lit):
                self._call(args[0].text, args[1] if len(args) > 1 else None)
            return None
        if name in _MERGE:
            refs = [a for a in args if isinstance(a, Ref)]
            if len(refs) >= 2:
                shape = refs[0]
                for other in refs[1:]:
                    if other.path != shape.path:
                        self.facts.alias[other.path] = shape.path
                return None
        if name in _CONSUME:
            for arg in args:
                self._free(arg)
            return None
        if name in ("index", "get"):
            if not args:
                return None
            value = args[0]
            for key in args[1:]:
                if isinstance(key, Lit):
                    value = self._fields(value, (key.text,)) if isinstance(value, Ref | Dict | Root | Multi) \
                        else None
                    if isinstance(value, Ref):
                        self.facts.read.add(value.path)
                else:
                    self._free(value)
                    return None
            return value
        if name == "hasKey":
            if len(args) >= 2 and isinstance(args[0], Ref) and isinstance(args[1], Lit):
                self.facts.read.add(args[0].child(args[1].text).path)
            return None
        if name == "dig":
            if len(args) >= 3 and isinstance(args[-1], Ref):
                value = args[-1]
                for key in args[:-2]:
                    if not isinstance(key, Lit):
                        self._free(value)
                        return None
                    value = value.child(key.text)
                self.facts.read.add(value.path)
                return value
            return None
        if name == "dict":
            items = {}
            for k, v in zip(args[0::2], args[1::2], strict=False):
                if isinstance(k, Lit):
                    items[k.text] = v
            return Dict(items)
        if name in _PASS:
            return args[-1] if args else None
        if name in _EITHER:
            return _either(args)
        return None

    def _free(self, value: Any) -> None:
        if isinstance(value, Multi):
            for option in value.options:
                self._free(option)
        elif isinstance(value, Ref) and len(value.path) > value.base:
            self.facts.free.add(value.path)
            self.facts.read.add(value.path)
        elif isinstance(value, Dict):
            for item in value.items.values():
                self._free(item)

    def _opaque(self, value: Any) -> None:
        if isinstance(value, Multi):
            for option in value.options:
                self._opaque(option)
        elif isinstance(value, Ref) and len(value.path) > value.base:
            self.facts.opaque.add(value.path)
            self.facts.read.add(value.path)
        elif isinstance(value, Dict):
            for item in value.items.values():
                self._opaque(item)

    def _call(self, name: str, arg: Any) -> None:
        self._used.add(name)
        tpl = self.defines.get(name)
        if tpl is None:
            self._opaque(arg)
            return
        key = (name, _signature(arg))
        if key in self._done or self._depth > 12:
            return
        self._done.add(key)
        self._depth += 1
        try:
            self._walk(tpl.body, _Frame(arg, arg, {}))
        finally:
            self._depth -= 1


_NOTHING = object()


def _either(values: list[Any]) -> Any:
    kept = [v for v in values if isinstance(v, Ref | Dict | Root | Multi)]
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else Multi(kept)


def _signature(value: Any) -> str:
    if isinstance(value, Ref):
        return "R" + "\x00".join(value.path)
    if isinstance(value, Root):
        return "T" + "\x00".join(value.prefix)
    if isinstance(value, Dict):
        return "D{" + ",".join(f"{k}={_signature(v)}" for k, v in sorted(value.items.items())) + "}"
    if isinstance(value, Multi):
        return "M[" + ",".join(_signature(v) for v in value.options) + "]"
    return "-"


def _matching_end(body: list[list[Token]], start: int) -> int:
    depth = 0
    for j in range(start, len(body)):
        toks = body[j]
        if not toks or toks[0].kind != "ident":
            continue
        head = toks[0].text
        if head in ("if", "with", "range", "define", "block"):
            depth += 1
        elif head == "end":
            depth -= 1
            if depth == 0:
                return j
    return len(body) - 1


def analyze(files: Iterable[tuple[str, Path_]]) -> TemplateFacts:
    """Pure: TemplateFacts of template texts, each given with the values prefix of the chart it is in."""
    analyzer = Analyzer()
    for text, prefix in files:
        analyzer.add_file(text, prefix)
    return analyzer.run()
