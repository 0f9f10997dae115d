"""Compile a Kubernetes OpenAPI schema (built-in definitions or a CRD's `openAPIV3Schema`) into closures.

The generic `jsonschema` validators walk every keyword of every node through dynamic dispatch and `$ref`
lookups (~0.9 s for one profile's objects, most of it in the CRDs); the schemas Kubernetes uses need a
small subset of JSON Schema, which compiled once into nested closures validates several times faster and
reports errors the way the API server words them (a field path and a short message).
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# A field path as a linked list, built only as far as validation descends; rendered on error.
PathLink = tuple[Any, "str | int"] | None


@dataclass(frozen=True)
class Problem:
    check: str  # "schema", "crd-schema" or "api"
    path: PathLink
    message: str
    value: Any = None  # the offending value, when there is one (to find it in the values files)


Problems = list[Problem]
Validator = Callable[[Any, PathLink, Problems], None]
Hook = Callable[[Any, PathLink, Problems], None]

_SIMPLE_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def render_path(link: PathLink) -> str:
    """`spec.template.spec.containers[0].resources.limits.memory`; odd keys as `labels["a.b/c"]`."""
    parts: list[str | int] = []
    while link is not None:
        link, key = link
        parts.append(key)
    out = ""
    for key in reversed(parts):
        if isinstance(key, int):
            out += f"[{key}]"
        elif _SIMPLE_KEY.match(key):
            out += f".{key}" if out else key
        else:
            out += f'["{key}"]'
    return out


def json_type(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return "string"
    if kind is bool:
        return "boolean"
    if kind is int:
        return "integer"
    if kind is float:
        # sigs.k8s.io/yaml turns YAML into JSON through float64: `2.0` reaches the API server as `2`.
        return "integer" if value.is_integer() else "number"
    if kind is dict:
        return "object"
    if kind is list:
        return "array"
    if value is None:
        return "null"
    if isinstance(value, _dt.date):
        return "string"  # a YAML timestamp: Go's YAML reader keeps it a string for an untyped target
    return kind.__name__


def describe(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else \
        str(value)
    return text if len(text) <= 40 else text[:37] + "..."


_TYPE_ACCEPTS = {
    "string": {"string"},
    "integer": {"integer"},
    "number": {"number", "integer"},
    "boolean": {"boolean"},
    "object": {"object"},
    "array": {"array"},
    "null": {"null"},
}
_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


class SchemaCompiler:
    """One compiler per schema document family; `crd` switches to structural-schema semantics:
    an object's unlisted fields are errors unless `x-kubernetes-preserve-unknown-fields` (the API server
    would prune them silently; `kubectl --validate=strict` reports them, and so do we)."""

    def __init__(self, *, check: str, crd: bool, resolve: Callable[[str], tuple[str, Mapping[str, Any]]]
                 | None = None, hooks: Mapping[str, Hook] | None = None) -> None:
        self.check = check
        self.crd = crd
        self._resolve = resolve
        self._hooks = hooks or {}
        self._refs: dict[str, Validator] = {}

    def compile(self, node: Mapping[str, Any], *, strict_unknown: bool = True) -> Validator:
        ref = node.get("$ref")
        if isinstance(ref, str):
            return self._ref(ref)
        return self._node(node, strict_unknown)

    def _ref(self, ref: str) -> Validator:
        found = self._refs.get(ref)
        if found is not None:
            return found
        cell: list[Validator] = []

        def lazy(value: Any, path: PathLink, problems: Problems) -> None:
            # Compiled on first use: a kind's schema reaches hundreds of definitions it rarely needs.
            if not cell:
                if self._resolve is None:
                    raise KeyError(ref)
                name, target = self._resolve(ref)
                validator = self._node(target, True)
                hook = self._hooks.get(name)
                if hook is not None:
                    inner = validator

                    def validator(value: Any, path: PathLink, problems: Problems) -> None:
                        # Hooks check the values' own types: a structural problem elsewhere in an object
                        # (an unknown field) must not hide a bad label beside it.
                        inner(value, path, problems)
                        hook(value, path, problems)

                cell.append(validator)
            cell[0](value, path, problems)

        self._refs[ref] = lazy
        return lazy

    def _node(self, node: Mapping[str, Any], strict_unknown: bool) -> Validator:
        check = self.check
        raw_type = node.get("type")
        types = [raw_type] if isinstance(raw_type, str) else list(raw_type or [])
        union = node.get("oneOf")
        if not self.crd and isinstance(union, list) and all(isinstance(b, Mapping) and set(b) == {"type"}
                                                            for b in union):
            # Built-in Quantity and IntOrString: `oneOf: [string|null, number|null]` is a union of types,
            # which a strict one-of would refuse for null.
            node = {k: v for k, v in node.items() if k != "oneOf"}
            for branch in union:
                types += [branch["type"]] if isinstance(branch["type"], str) else list(branch["type"])
        if node.get("x-kubernetes-int-or-string"):
            types = ["integer", "string"]
        accepted: set[str] | None = None
        if types:
            accepted = set()
            for name in types:
                accepted |= _TYPE_ACCEPTS.get(name, {name})
        wanted = " or ".join(dict.fromkeys(t for t in types if t != "null"))
        steps: list[Validator] = []

        enum = node.get("enum")
        if isinstance(enum, list) and enum:
            allowed = [item for item in enum if item is not None]
            shown = ", ".join(describe(item) for item in allowed[:8]) + (", ..." if len(allowed) > 8 else "")

            def check_enum(value: Any, path: PathLink, problems: Problems) -> None:
                if value not in allowed:
                    problems.append(Problem(check, path,
                                            f"unsupported value {describe(value)}: one of {shown}", value))
            steps.append(check_enum)

        steps.extend(self._string_steps(node))
        steps.extend(self._number_steps(node))
        steps.extend(self._object_steps(node, strict_unknown))
        steps.extend(self._array_steps(node))
        steps.extend(self._combinator_steps(node))

        def validate(value: Any, path: PathLink, problems: Problems) -> None:
            if value is None:
                return  # null is a field left out, for built-ins and (pruned) for custom resources
            if accepted is not None:
                got = json_type(value)
                if got not in accepted:
                    scalar = got not in ("object", "array")
                    shown = f"{got} {describe(value)}" if scalar else got
                    problems.append(Problem(check, path, f"expected {wanted}, got {shown}",
                                            value if scalar else None))
                    return
            for step in steps:
                step(value, path, problems)

        if not steps and accepted is None:
            return _accept_anything
        return validate

    def _string_steps(self, node: Mapping[str, Any]) -> list[Validator]:
        check = self.check
        steps: list[Validator] = []
        pattern = node.get("pattern")
        if isinstance(pattern, str):
            try:
                compiled = re.compile(pattern)
            except re.error:
                compiled = None
            if compiled is not None:
                def check_pattern(value: Any, path: PathLink, problems: Problems) -> None:
                    if isinstance(value, str) and not compiled.search(value):
                        problems.append(Problem(check, path, f"{describe(value)} does not match {pattern}",
                                                value))
                steps.append(check_pattern)
        min_len, max_len = node.get("minLength"), node.get("maxLength")
        if isinstance(min_len, int) or isinstance(max_len, int):
            def check_length(value: Any, path: PathLink, problems: Problems) -> None:
                if not isinstance(value, str):
                    return
                if isinstance(min_len, int) and len(value) < min_len:
                    problems.append(Problem(check, path, f"shorter than {min_len} characters", value))
                if isinstance(max_len, int) and len(value) > max_len:
                    problems.append(Problem(check, path, f"longer than {max_len} characters", value))
            steps.append(check_length)
        return steps

    def _number_steps(self, node: Mapping[str, Any]) -> list[Validator]:
        check = self.check
        low, high = node.get("minimum"), node.get("maximum")
        excl_low, excl_high = node.get("exclusiveMinimum"), node.get("exclusiveMaximum")
        multiple = node.get("multipleOf")
        fmt_range = _INT_RANGES.get(str(node.get("format")))
        if low is None and high is None and multiple is None and fmt_range is None:
            return []

        def check_number(value: Any, path: PathLink, problems: Problems) -> None:
            if isinstance(value, bool) or not isinstance(value, int | float):
                return
            if low is not None and (value < low or (excl_low is True and value == low)):
                problems.append(Problem(check, path, f"{value} is less than the minimum {low}", value))
            if high is not None and (value > high or (excl_high is True and value == high)):
                problems.append(Problem(check, path, f"{value} is more than the maximum {high}", value))
            if multiple and not math.isclose(value / multiple, round(value / multiple)):
                problems.append(Problem(check, path, f"{value} is not a multiple of {multiple}", value))
            if fmt_range is not None and not fmt_range[0] <= value <= fmt_range[1]:
                problems.append(Problem(check, path, f"{value} does not fit {node.get('format')}", value))
        return [check_number]

    def _object_steps(self, node: Mapping[str, Any], strict_unknown: bool) -> list[Validator]:
        check = self.check
        props_node = node.get("properties")
        props: dict[str, Validator] = {}
        if isinstance(props_node, Mapping):
            props = {key: self.compile(sub) for key, sub in props_node.items() if isinstance(sub, Mapping)}
        additional = node.get("additionalProperties")
        extra: Validator | None = None
        if isinstance(additional, Mapping):
            extra = self.compile(additional)
        preserve = bool(node.get("x-kubernetes-preserve-unknown-fields"))
        embedded = bool(node.get("x-kubernetes-embedded-resource"))
        if self.crd:
            reject_unknown = strict_unknown and not preserve and extra is None and additional is not True
            is_object = node.get("type") == "object" or bool(props)
            if not is_object and not props:
                reject_unknown = False
        else:
            reject_unknown = additional is False
        required = [key for key in node.get("required") or [] if isinstance(key, str)]
        min_props, max_props = node.get("minProperties"), node.get("maxProperties")
        implicit = {"apiVersion", "kind", "metadata"} if embedded else set()
        if not props and extra is None and not reject_unknown and not required and min_props is None \
                and max_props is None:
            return []

        def check_object(value: Any, path: PathLink, problems: Problems) -> None:
            if not isinstance(value, dict):
                return
            for key, item in value.items():
                sub = props.get(key)
                if sub is not None:
                    sub(item, (path, key), problems)
                elif extra is not None:
                    extra(item, (path, key), problems)
                elif reject_unknown and key not in implicit:
                    problems.append(Problem(check, (path, key), f'unknown field "{key}"'))
            for key in required:
                if key not in value:
                    problems.append(Problem(check, (path, key), f'required field "{key}" is missing'))
            if isinstance(min_props, int) and len(value) < min_props:
                problems.append(Problem(check, path, f"needs at least {min_props} fields"))
            if isinstance(max_props, int) and len(value) > max_props:
                problems.append(Problem(check, path, f"takes at most {max_props} fields"))
        return [check_object]

    def _array_steps(self, node: Mapping[str, Any]) -> list[Validator]:
        check = self.check
        items_node = node.get("items")
        items = self.compile(items_node) if isinstance(items_node, Mapping) else None
        min_items, max_items = node.get("minItems"), node.get("maxItems")
        if items is None and min_items is None and max_items is None:
            return []

        def check_array(value: Any, path: PathLink, problems: Problems) -> None:
            if not isinstance(value, list):
                return
            if items is not None:
                for index, item in enumerate(value):
                    items(item, (path, index), problems)
            if isinstance(min_items, int) and len(value) < min_items:
                problems.append(Problem(check, path, f"needs at least {min_items} items"))
            if isinstance(max_items, int) and len(value) > max_items:
                problems.append(Problem(check, path, f"takes at most {max_items} items"))
        return [check_array]

    def _combinator_steps(self, node: Mapping[str, Any]) -> list[Validator]:
        check = self.check
        steps: list[Validator] = []
        for keyword in ("allOf", "anyOf", "oneOf"):
            branches_node = node.get(keyword)
            if not isinstance(branches_node, list) or not branches_node:
                continue
            branches = [self.compile(b, strict_unknown=False) for b in branches_node
                        if isinstance(b, Mapping)]
            steps.append(_combinator(check, keyword, branches))
        not_node = node.get("not")
        if isinstance(not_node, Mapping):
            negated = self.compile(not_node, strict_unknown=False)

            def check_not(value: Any, path: PathLink, problems: Problems) -> None:
                trial: Problems = []
                negated(value, path, trial)
                if not trial:
                    problems.append(Problem(check, path, "matches a schema it must not match", value))
            steps.append(check_not)
        return steps


def _combinator(check: str, mode: str, branches: list[Validator]) -> Validator:
    def run(value: Any, path: PathLink, problems: Problems) -> None:
        if mode == "allOf":
            for branch in branches:
                branch(value, path, problems)
            return
        results: list[Problems] = []
        for branch in branches:
            trial: Problems = []
            branch(value, path, trial)
            results.append(trial)
        passed = sum(1 for trial in results if not trial)
        if mode == "anyOf" and passed == 0:
            first = min(results, key=len)
            problems.extend(first if len(first) == 1 else
                          [Problem(check, path, "matches none of the allowed forms", _scalar(value))])
        elif mode == "oneOf" and passed != 1:
            problems.append(Problem(check, path, "matches none of the allowed forms" if passed == 0
                                    else "matches more than one of the exclusive forms", _scalar(value)))
    return run


def _scalar(value: Any) -> Any:
    return None if isinstance(value, dict | list) else value


def _accept_anything(value: Any, path: PathLink, problems: Problems) -> None:
    return None
