"""Check an environment's var file against `terraform/variables.tf`: declared names, decidable types.

`parse_type` reads a Terraform type constraint (`map(object({a = optional(number)}))`); `check_value`
follows Terraform's conversion rules (a number or bool fits a string; a string fits a number or bool only
when it spells one). Validation blocks stay Terraform's job.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from k8sprov.lint.model import Finding, Severity, closest, did_you_mean, is_number, show_path

# A type: ("string"|"number"|"bool"|"any",) | ("list"|"set"|"map", T) | ("object", {name: (T, optional)})
# | ("tuple", [T])
Type = tuple[Any, ...]
ANY: Type = ("any",)

_TOKEN = re.compile(r'\s*(?:(?P<name>[A-Za-z_][A-Za-z0-9_-]*)|(?P<str>"(?:[^"\\]|\\.)*")|(?P<p>[(){}\[\]=,:])'
                    r'|(?P<num>-?[0-9][0-9.eE+-]*)|(?P<other>\S))')


class TypeSyntax(Exception):
    pass


def parse_type(text: str) -> Type:
    """Pure: a Terraform type constraint, as python-hcl2 gives it (`${map(string)}` or `string`)."""
    text = text.strip()
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1]
    tokens = [m.group(m.lastgroup or "other") for m in _TOKEN.finditer(text) if m.lastgroup]
    parsed, pos = _type(tokens, 0)
    if pos != len(tokens):
        raise TypeSyntax(text)
    return parsed


def _type(tok: list[str], i: int) -> tuple[Type, int]:
    if i >= len(tok):
        raise TypeSyntax("unexpected end")
    name = tok[i]
    if name in ("string", "number", "bool", "any"):
        return (name,), i + 1
    if name in ("list", "set", "map") and tok[i + 1:i + 2] == ["("]:
        inner, j = _type(tok, i + 2)
        return (name, inner), _expect(tok, j, ")")
    if name == "object" and tok[i + 1:i + 3] == ["(", "{"]:
        j = i + 3
        attrs: dict[str, tuple[Type, bool]] = {}
        while tok[j] != "}":
            attr = tok[j].strip('"')
            j = _expect(tok, j + 1, "=") if tok[j + 1] == "=" else _expect(tok, j + 1, ":")
            optional = tok[j] == "optional" and tok[j + 1] == "("
            if optional:
                atype, j = _type(tok, j + 2)
                if tok[j] == ",":  # optional(T, default): skip the default expression
                    j = _skip_expr(tok, j + 1)
                j = _expect(tok, j, ")")
            else:
                atype, j = _type(tok, j)
            attrs[attr] = (atype, optional)
            if tok[j] == ",":
                j += 1
        return ("object", attrs), _expect(tok, j + 1, ")")
    if name == "tuple" and tok[i + 1:i + 3] == ["(", "["]:
        j = i + 3
        items = []
        while tok[j] != "]":
            item, j = _type(tok, j)
            items.append(item)
            if tok[j] == ",":
                j += 1
        return ("tuple", items), _expect(tok, j + 1, ")")
    raise TypeSyntax(f"unknown type {name!r}")


def _expect(tok: list[str], i: int, what: str) -> int:
    if i >= len(tok) or tok[i] != what:
        raise TypeSyntax(f"expected {what!r}")
    return i + 1


def _skip_expr(tok: list[str], i: int) -> int:
    depth = 0
    while i < len(tok):
        t = tok[i]
        if t in "([{":
            depth += 1
        elif t in ")]}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    raise TypeSyntax("unbalanced default")


@dataclass(frozen=True)
class Variable:
    name: str
    type: Type
    required: bool  # no default
    nullable: bool
    sensitive: bool = False  # its value is never quoted in a finding


def declared_variables(data: dict[str, Any]) -> dict[str, Variable]:
    """Pure: the root module's variables from parsed variables.tf (unparseable types become `any`)."""
    out: dict[str, Variable] = {}
    for block in data.get("variable", []) or []:
        if not isinstance(block, dict):
            continue
        for name, body in block.items():
            body = body if isinstance(body, dict) else {}
            raw = body.get("type")
            try:
                vtype = parse_type(raw) if isinstance(raw, str) else ANY
            except (TypeSyntax, IndexError):
                vtype = ANY
            out[str(name)] = Variable(str(name), vtype, required="default" not in body,
                                      nullable=body.get("nullable", True) is not False,
                                      sensitive=body.get("sensitive") is True)
    return out


def _describe(t: Type) -> str:
    kind = t[0]
    if kind in ("list", "set", "map"):
        return f"{kind}({_describe(t[1])})"
    if kind == "object":
        return "object"
    if kind == "tuple":
        return "tuple"
    return str(kind)


def check_value(value: Any, t: Type, path: tuple[str, ...]) -> list[tuple[tuple[str, ...], str, str | None]]:
    """Pure: (path, problem, suggestion) for every place `value` cannot be converted to type `t`."""
    kind = t[0]
    if kind == "any" or value is None:
        return []
    if isinstance(value, str) and "${" in value:
        return []  # an expression: only Terraform can tell
    if kind == "string":
        if isinstance(value, dict | list):
            return [(path, f"must be a string, not {_what(value)}", None)]
        return []
    if kind == "number":
        if isinstance(value, bool | dict | list):
            return [(path, f"must be a number, not {_what(value)}", None)]
        if isinstance(value, str) and not is_number(value):
            return [(path, _not_a_number(value), None)]
        return []
    if kind == "bool":
        if isinstance(value, bool):
            return []
        if isinstance(value, str) and value in ("true", "false"):
            return []
        return [(path, f"must be true or false, not {_what(value)}", None)]
    if kind in ("list", "set", "tuple"):
        if not isinstance(value, list):
            return [(path, f"must be a list, not {_what(value)}", None)]
        out = []
        for n, item in enumerate(value):
            item_type = t[1] if kind != "tuple" else (t[1][n] if n < len(t[1]) else ANY)
            out += check_value(item, item_type, (*path, str(n)))
        if kind == "tuple" and len(value) != len(t[1]):
            out.append((path, f"must have {len(t[1])} items, not {len(value)}", None))
        return out
    if kind == "map":
        if not isinstance(value, dict):
            return [(path, f"must be a map, not {_what(value)}", None)]
        out = []
        for key, item in value.items():
            out += check_value(item, t[1], (*path, str(key)))
        return out
    if kind == "object":
        if not isinstance(value, dict):
            return [(path, f"must be an object, not {_what(value)}", None)]
        attrs: dict[str, tuple[Type, bool]] = t[1]
        out = []
        for key, item in value.items():
            if key not in attrs:
                hint = closest(str(key), attrs)
                out.append(((*path, str(key)), f"unknown attribute {key!r}{did_you_mean(hint)}", hint))
                continue
            out += check_value(item, attrs[key][0], (*path, str(key)))
        for name, (_atype, optional) in attrs.items():
            if not optional and name not in value:
                out.append((path, f"missing attribute {name!r} (required by the variable's type)", None))
        return out
    return []


_DURATION = re.compile(r"^\s*(\d+)\s*(s|m|h)\s*$")
_SECONDS = {"s": 1, "m": 60, "h": 3600}


def _not_a_number(text: str) -> str:
    """A duration ("15m") where Terraform wants seconds says which number; any other string is quoted,
    shortened (a number-typed variable holds no secret, and a long string helps nobody here)."""
    duration = _DURATION.match(text)
    if duration:
        seconds = int(duration.group(1)) * _SECONDS[duration.group(2)]
        return f"must be a number of seconds, e.g. {seconds}, not the string {json.dumps(text)}"
    shown = text if len(text) <= 40 else text[:37] + "..."
    return f"must be a number, not the string {json.dumps(shown)}"



def _what(value: Any) -> str:
    if isinstance(value, bool):
        return "a bool"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "a map/object"


def find_line(text: str, path: tuple[str, ...]) -> int | None:
    """Best-effort line of an assignment: the variable's line, then each attribute after it."""
    lines = text.splitlines()
    start = 0
    found = None
    for depth, key in enumerate(path):
        if key.isdigit():
            continue
        # a variable is assigned at the start of a line; attributes are indented or follow a `{`
        lead = r"^" if depth == 0 else r'(?:^\s*|[{,]\s*)'
        pattern = re.compile(lead + r'"?' + re.escape(key) + r'"?\s*[=:]')
        for n in range(start, len(lines)):
            if pattern.search(lines[n]):
                found = start = n
                break
        else:
            break
    return found + 1 if found is not None else None


def check_env_file(data: dict[str, Any], text: str, variables: dict[str, Variable], profiles: list[str],
                   file: str) -> list[Finding]:
    """Pure: findings for one parsed var file."""
    findings: list[Finding] = []
    for name, value in data.items():
        line = find_line(text, (name,))
        var = variables.get(name)
        if var is None:
            hint = closest(name, variables)
            findings.append(Finding(
                Severity.ERROR, file, line, name,
                f"{name!r} is not a variable of terraform/variables.tf; Terraform would only warn and drop it"
                + did_you_mean(hint), hint))
            continue
        if value is None and not var.nullable:
            findings.append(Finding(Severity.ERROR, file, line, name, "must not be null (nullable = false)"))
            continue
        for path, problem, hint in check_value(value, var.type, (name,)):
            if var.sensitive and "the string" in problem:
                problem = problem.split(", not the string")[0] + ", not a string"
            findings.append(Finding(Severity.ERROR, file, find_line(text, path) or line, show_path(path),
                                    problem, hint))
    for var in variables.values():
        if var.required and var.name not in data:
            findings.append(Finding(Severity.ERROR, file, None, var.name,
                                    f"{var.name!r} is not set and has no default; Terraform would ask"))
    kube = data.get("kubernetes_version")
    if "kubernetes_version" in variables and isinstance(kube, str) and "${" not in kube:
        from k8sprov.rendering.model import KUBE_VERSION

        if not KUBE_VERSION.match(kube.strip()):
            # variables.tf's validation block says the same, but only once Terraform runs
            findings.append(Finding(Severity.ERROR, file, find_line(text, ("kubernetes_version",)),
                                    "kubernetes_version",
                                    f"{kube!r} is not a Kubernetes minor version from 1.25 to 1.37",
                                    'write major.minor, e.g. "1.31"'))
    profile = data.get("environment")
    if isinstance(profile, str) and profiles and profile not in profiles and "${" not in profile:
        hint = closest(profile, profiles)
        findings.append(Finding(Severity.ERROR, file, find_line(text, ("environment",)), "environment",
                                f"profile {profile!r} is unknown (known: {', '.join(profiles)})"
                                + did_you_mean(hint), hint))
    return findings
