"""Check one Helm values file against the facts of the chart it is installed with (pure functions)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from k8sprov.lint.chartfacts import ChartFacts, Node, type_name
from k8sprov.lint.model import Finding, Severity, closest, did_you_mean, is_number, show_path

Path_ = tuple[str, ...]

_TYPE_WORDS = {"map": "a mapping", "list": "a list", "str": "a string", "num": "a number", "bool": "a bool",
               "null": "null"}


@dataclass
class ValuesDoc:
    data: Any
    lines: dict[Path_, int]  # key path -> line of the key (1-based)
    duplicates: list[tuple[Path_, int]]


class YamlProblem(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def parse_values(text: str) -> ValuesDoc:
    """The document with the line of every key; YamlProblem when it does not parse."""
    import yaml

    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = loader_cls(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return ValuesDoc(None, {}, [])
        data = loader.construct_document(node)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        line = mark.line + 1 if mark else None
        if problem == "but found another document":  # PyYAML's words for a second `---`
            raise YamlProblem(f"holds more than one YAML document (line {line}); a values file is one"
                              " document", line) from None
        raise YamlProblem(f"not valid YAML: {problem}", line) from None
    finally:
        loader.dispose()
    lines: dict[Path_, int] = {}
    duplicates: list[tuple[Path_, int]] = []
    _lines(node, (), lines, duplicates)
    return ValuesDoc(data, lines, duplicates)


def _lines(node: Any, path: Path_, out: dict[Path_, int], dups: list[tuple[Path_, int]]) -> None:
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return
    seen: set[str] = set()
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = _key_text(key_node)
        child = (*path, key)
        if key in seen:
            dups.append((child, key_node.start_mark.line + 1))
        seen.add(key)
        out[child] = key_node.start_mark.line + 1
        _lines(value_node, child, out, dups)


def _key_text(node: Any) -> str:
    # Keys are compared as the text Helm sees after YAML -> JSON: `true:` is "true", `1:` is "1".
    value = node.value
    if node.tag == "tag:yaml.org,2002:bool":
        return "true" if value.lower() in ("true", "yes", "on", "y") else "false"
    return str(value)


def _children(tree: Node, node: Node) -> dict[str, Node]:
    kids: dict[str, Node] = dict(node.get("c") or {})
    shape = node.get("a")
    if shape:
        target = tree
        for key in shape:
            target = (target.get("c") or {}).get(key) or {}
        for key, child in (target.get("c") or {}).items():
            kids.setdefault(key, child)
    return kids


def structure_findings(doc: ValuesDoc, file: str) -> list[Finding]:
    """What is wrong with the file whatever the chart: keys given twice, a document that is not a mapping."""
    findings: list[Finding] = []
    for path, line in doc.duplicates:
        findings.append(Finding(Severity.WARNING, file, line, show_path(path),
                                "key given twice; the later one wins, the earlier one is ignored"))
    if doc.data is not None and not isinstance(doc.data, dict):
        findings.append(Finding(Severity.ERROR, file, 1, "",
                                f"the document is {_TYPE_WORDS[type_name(doc.data)]}, Helm needs a mapping"))
    return findings


def check_values(doc: ValuesDoc, facts: ChartFacts, file: str) -> list[Finding]:
    """Unknown keys (error where the chart's map is closed, warning where unsure) and type mismatches."""
    findings = structure_findings(doc, file)
    if not isinstance(doc.data, dict):
        return findings
    _walk(doc.data, facts.tree, facts.tree, (), doc, file, findings, unsure=False)
    return findings


def _walk(data: dict[Any, Any], node: Node, tree: Node, path: Path_, doc: ValuesDoc, file: str,
          findings: list[Finding], *, unsure: bool) -> None:
    kids = _children(tree, node)
    closed = bool(kids) and not unsure and not node.get("o")
    for raw_key, value in data.items():
        key = "true" if raw_key is True else "false" if raw_key is False else str(raw_key)
        here = (*path, key)
        line = doc.lines.get(here)
        child = kids.get(key)
        if child is None:
            hint = closest(key, kids)
            where = f"under {show_path(path)}" if path else "at the top level"
            if closed:
                message = f"unknown key {key!r} {where}: the chart has no default for it and never reads it"
            else:
                message = (f"key {key!r} {where} is not among the chart's defaults or what its templates read"
                           " (this map is passed on in ways lint cannot follow)")
            findings.append(Finding(Severity.ERROR if closed else Severity.WARNING, file, line,
                                    show_path(here), message + did_you_mean(hint), hint,
                                    unsure_key=None if closed else here))
            continue
        problem = _type_problem(value, child.get("t"))
        if problem:
            findings.append(Finding(Severity.ERROR, file, line, show_path(here), problem))
            continue
        if isinstance(value, dict) and not child.get("f"):
            _walk(value, child, tree, here, doc, file, findings, unsure=unsure or bool(node.get("o")))


def _type_problem(value: Any, default: str | None) -> str | None:
    if value is None or default in (None, "null"):
        return None
    given = type_name(value)
    wrong = (
        (given == "map" and default in ("list", "str", "num", "bool"))
        or (given in ("list", "str", "num", "bool") and default == "map")
        or (given == "str" and default in ("bool", "num"))
    )
    if not wrong:
        return None
    # A string that reads as a number or bool was quoted (YAML would have typed it otherwise).
    hint = ""
    if given == "str" and default == "bool":
        quoted = str(value).lower() in ("true", "false")
        hint = "; write true or false without quotes" if quoted else "; write true or false"
    elif given == "str" and default == "num":
        hint = "; write the number without quotes" if is_number(str(value)) else "; write a number in digits"
    return f"is {_TYPE_WORDS[given]}, the chart's default is {_TYPE_WORDS[default]}{hint}"
