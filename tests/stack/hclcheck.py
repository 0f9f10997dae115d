"""Static checks of Terraform modules: provider schema conformance and module wiring.

The .tf files are parsed with python-hcl2 keeping block markers (`explicit_blocks=True`), so a block
(`set { ... }`, value: list of dicts with `__is_block__`) and an attribute (`set = [{ ... }]`, no
marker) can be told apart. Expressions stay as their `${...}` text; where an argument's value is an
expression rather than a literal object, its keys cannot be checked and are accepted.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Schema = dict[str, Any]

BLOCK_MARK = "__is_block__"
RESOURCE_META = {"count", "for_each", "depends_on", "lifecycle", "provider", "provisioner", "connection"}
DATA_META = {"count", "for_each", "depends_on", "lifecycle", "provider"}
PROVIDER_META = {"alias"}
MODULE_META = {"source", "version", "count", "for_each", "depends_on", "providers"}


def parse_tf(text: str) -> dict[str, Any]:
    """Parse HCL text keeping block markers; quotes stripped so literals read naturally."""
    import hcl2
    from hcl2.utils import SerializationOptions

    options = SerializationOptions(strip_string_quotes=True, with_comments=False, explicit_blocks=True)
    data: dict[str, Any] = hcl2.loads(text, serialization_options=options)
    return data


def is_block_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(
        isinstance(v, dict) and v.get(BLOCK_MARK) is True for v in value)


def _strip(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != BLOCK_MARK}


@dataclass
class Module:
    """One Terraform module folder, parsed: its top-level blocks by kind."""

    path: Path
    files: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Module:
        module = cls(path)
        for tf in sorted(path.glob("*.tf")):
            module.files[tf.name] = parse_tf(tf.read_text(encoding="utf-8"))
        return module

    def _labelled(self, kind: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
        for fname, data in self.files.items():
            for entry in data.get(kind, []):
                for label, body in entry.items():
                    yield fname, label, body

    def variables(self) -> dict[str, dict[str, Any]]:
        return {name: _strip(body) for _, name, body in self._labelled("variable")}

    def outputs(self) -> dict[str, dict[str, Any]]:
        return {name: _strip(body) for _, name, body in self._labelled("output")}

    def modules(self) -> dict[str, dict[str, Any]]:
        return {name: _strip(body) for _, name, body in self._labelled("module")}

    def providers(self) -> list[tuple[str, str, dict[str, Any]]]:
        return list(self._labelled("provider"))

    def locals(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for data in self.files.values():
            for entry in data.get("locals", []):
                out.update(_strip(entry))
        return out

    def resources(self, kind: str = "resource") -> list[tuple[str, str, str, dict[str, Any]]]:
        """(file, type, name, body) for `resource` or `data` blocks."""
        out = []
        for fname, data in self.files.items():
            for entry in data.get(kind, []):
                for rtype, named in entry.items():
                    for name, body in named.items():
                        out.append((fname, rtype, name, body))
        return out

    def terraform_blocks(self) -> list[dict[str, Any]]:
        return [_strip(b) for data in self.files.values() for b in data.get("terraform", [])]


def _suggest(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def check_body(body: dict[str, Any], schema: Schema, where: str,
               meta: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """Errors for one block body against a BLOCK schema."""
    errors: list[str] = []
    attributes: dict[str, Any] = schema.get("attributes", {})
    blocks: dict[str, Any] = schema.get("blocks", {})
    known = sorted([*attributes, *blocks])
    for key, value in body.items():
        if key == BLOCK_MARK or key in meta:
            continue
        if key == "dynamic":
            for dyn in value if isinstance(value, list) else [value]:
                for label, dyn_body in _strip(dyn).items():
                    if label not in blocks:
                        errors.append(f"{where}: dynamic {label!r} is not a block of this schema"
                                      + _suggest(label, list(blocks)))
                        continue
                    for content in dyn_body.get("content", []):
                        errors += check_body(_strip(content), blocks[label]["block"], f"{where}.{label}")
            continue
        if key in attributes:
            errors += _check_attribute(key, value, attributes[key], where)
        elif key in blocks:
            if not is_block_list(value):
                errors.append(f"{where}: {key!r} is a block: write `{key} {{ ... }}`, not `{key} = ...`")
                continue
            for item in value:
                errors += check_body(_strip(item), blocks[key]["block"], f"{where}.{key}")
        else:
            errors.append(f"{where}: unknown argument {key!r}" + _suggest(key, known))
    for name, spec in attributes.items():
        if spec.get("required") and name not in body:
            errors.append(f"{where}: required argument {name!r} is missing")
    for name, spec in blocks.items():
        if spec.get("required") and name not in body:
            errors.append(f"{where}: required block {name!r} is missing")
    return errors


def _check_attribute(key: str, value: Any, spec: Schema, where: str) -> list[str]:
    errors: list[str] = []
    if not spec.get("required") and not spec.get("optional"):
        return [f"{where}: {key!r} is computed by the provider and cannot be set"]
    nested = spec.get("nested")
    if is_block_list(value):
        if spec.get("block_or_attribute"):
            if nested:
                for item in value:
                    errors += check_body(_strip(item), {"attributes": nested["attributes"]}, f"{where}.{key}")
            return errors
        return [f"{where}: {key!r} is an attribute, not a block: write `{key} = "
                + ("[{ ... }]" if nested and nested["nesting"] == "list" else "{ ... }") + "`"]
    if not nested:
        return errors
    inner = {"attributes": nested["attributes"]}
    if nested["nesting"] == "single" and isinstance(value, dict):
        errors += check_body(value, inner, f"{where}.{key}")
    elif nested["nesting"] == "list" and isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict):
                errors += check_body(item, inner, f"{where}.{key}[{i}]")
    elif nested["nesting"] == "map" and isinstance(value, dict):
        for k, item in value.items():
            if isinstance(item, dict):
                errors += check_body(item, inner, f"{where}.{key}[{k!r}]")
    elif nested["nesting"] == "list" and isinstance(value, dict):
        errors.append(f"{where}: {key!r} is a list of objects: write `{key} = [{{ ... }}]`")
    return errors


def provider_of(resource_type: str, local_names: list[str]) -> str | None:
    """The provider local name a resource type belongs to (longest matching prefix)."""
    for name in sorted(local_names, key=len, reverse=True):
        if resource_type == name or resource_type.startswith(name + "_"):
            return name
    return None


def check_module_schemas(module: Module, schemas: dict[str, Schema]) -> list[str]:
    """Every provider, resource and data block of one module against the provider schemas."""
    errors: list[str] = []
    for fname, pname, body in module.providers():
        where = f"{module.path.name}/{fname}: provider {pname!r}"
        if pname not in schemas:
            errors.append(f"{where}: no schema known for this provider")
            continue
        errors += check_body(_strip(body), schemas[pname]["provider_config"], where, PROVIDER_META)
    for kind, meta, table in (("resource", RESOURCE_META, "resources"), ("data", DATA_META, "data_sources")):
        for fname, rtype, name, body in module.resources(kind):
            where = f"{module.path.name}/{fname}: {kind} {rtype}.{name}"
            rprovider = provider_of(rtype, list(schemas))
            if rprovider is None:
                errors.append(f"{where}: no schema known for the provider of {rtype!r}")
                continue
            rschema: Schema | None = schemas[rprovider][table].get(rtype)
            if rschema is None:
                version = schemas[rprovider]["version"]
                errors.append(f"{where}: {rprovider} {version} has no {kind} type {rtype!r}"
                              + _suggest(rtype, list(schemas[rprovider][table])))
                continue
            errors += check_body(_strip(body), rschema, where, meta)
    return errors


# ---- wiring -------------------------------------------------------------------------------------

_REF_VAR = re.compile(r"(?<![\w.])var\.([A-Za-z_][\w-]*)")
_REF_LOCAL = re.compile(r"(?<![\w.])local\.([A-Za-z_][\w-]*)")
_REF_MODULE = re.compile(r"(?<![\w.])module\.([A-Za-z_][\w-]*)(?:\.([A-Za-z_][\w-]*))?")
_REF_RESOURCE = re.compile(r"(?<![\w.])([a-z][a-z0-9]*_[a-z0-9_]+)\.([A-Za-z_][\w-]*)")
_REF_DATA = re.compile(r"(?<![\w.])data\.([a-z][a-z0-9_]*)\.([A-Za-z_][\w-]*)")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            if k != BLOCK_MARK:
                yield from _strings(k)
                yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _expressions(value: Any) -> Iterator[str]:
    """The text inside `${...}` of every string (references only live there after parsing)."""
    for s in _strings(value):
        if "${" in s:
            yield s


def check_references(module: Module, provider_names: list[str]) -> list[str]:
    """var./local./module.X.Y/resource references in the module all point at something declared."""
    errors: list[str] = []
    variables = module.variables()
    local_names = module.locals()
    calls = module.modules()
    resources = {(t, n) for _, t, n, _ in module.resources("resource")}
    datas = {(t, n) for _, t, n, _ in module.resources("data")}
    called_outputs: dict[str, set[str] | None] = {}
    for name, body in calls.items():
        source = body.get("source", "")
        local = isinstance(source, str) and source.startswith(".")
        target = (module.path / source).resolve() if local else None
        called_outputs[name] = set(Module.load(target).outputs()) if target and target.is_dir() else None
    for fname, data in module.files.items():
        for text in _expressions(data):
            for m in _REF_VAR.finditer(text):
                if m[1] not in variables:
                    errors.append(f"{module.path.name}/{fname}: var.{m[1]} is not declared")
            for m in _REF_LOCAL.finditer(text):
                if m[1] not in local_names:
                    errors.append(f"{module.path.name}/{fname}: local.{m[1]} is not defined")
            for m in _REF_MODULE.finditer(text):
                if m[1] not in calls:
                    errors.append(f"{module.path.name}/{fname}: module.{m[1]} is not called here")
                elif m[2] and (outs := called_outputs[m[1]]) is not None and m[2] not in outs:
                    errors.append(f"{module.path.name}/{fname}: module.{m[1]} has no output {m[2]!r}")
            for m in _REF_DATA.finditer(text):
                if (m[1], m[2]) not in datas:
                    errors.append(f"{module.path.name}/{fname}: data.{m[1]}.{m[2]} is not declared")
            for m in _REF_RESOURCE.finditer(text):
                if provider_of(m[1], provider_names) and (m[1], m[2]) not in resources:
                    errors.append(f"{module.path.name}/{fname}: {m[1]}.{m[2]} is not declared")
    return errors


def check_variables(module: Module) -> list[str]:
    errors = []
    for name, body in module.variables().items():
        for key in ("type", "description"):
            if key not in body:
                errors.append(f"{module.path.name}: variable {name!r} has no {key}")
        if isinstance(body.get("description"), str) and not body["description"].strip():
            errors.append(f"{module.path.name}: variable {name!r} has an empty description")
    for name, body in module.outputs().items():
        if "description" not in body:
            errors.append(f"{module.path.name}: output {name!r} has no description")
        if "value" not in body:
            errors.append(f"{module.path.name}: output {name!r} has no value")
    return errors


def check_module_calls(module: Module) -> list[str]:
    """Each module call passes only declared variables and every required (default-less) one."""
    errors: list[str] = []
    for name, body in module.modules().items():
        source = body.get("source")
        if not isinstance(source, str) or not source.startswith("."):
            errors.append(f"{module.path.name}: module {name!r} has no local source")
            continue
        target = (module.path / source).resolve()
        if not target.is_dir():
            errors.append(f"{module.path.name}: module {name!r} source {source} does not exist")
            continue
        declared = Module.load(target).variables()
        for arg in body:
            if arg not in MODULE_META and arg not in declared:
                errors.append(f"{module.path.name}: module {name!r} passes undeclared variable {arg!r}"
                              + _suggest(arg, list(declared)))
        for var, spec in declared.items():
            if "default" not in spec and var not in body:
                errors.append(f"{module.path.name}: module {name!r} does not pass required variable {var!r}")
    return errors


# ---- attribute paths ---------------------------------------------------------------------------

_PATH = re.compile(r"(?<![\w.])(local\.\w+|[a-z][a-z0-9]*_[a-z0-9_]+\.[A-Za-z_][\w-]*"
                   r"(?:\[(?:[^\[\]]|\[[^\]]*\])*\])?)"  # an index, which may itself hold one index
                   r"\.([a-z_][a-z0-9_]*)(\[)?")
_INSTANCE = re.compile(r"^\$\{(?:one\(concat\((.+)\)\)|([a-z][a-z0-9]*_[a-z0-9_]+)\.\w+\[0\]"
                       r"|[\w.]+ \? ([a-z][a-z0-9]*_[a-z0-9_]+)\.\w+\[0\] : \3\.\w+\[0\])\}$")


def _local_instances(module: Module) -> dict[str, str]:
    """Locals that stand for one resource instance -> resource type: `one(concat(t.a, t.b))`, `t.a[0]`,
    or `cond ? t.a[0] : t.b[0]`."""
    out: dict[str, str] = {}
    for name, value in module.locals().items():
        if not isinstance(value, str):
            continue
        m = _INSTANCE.match(value)
        if not m:
            continue
        if m[2] or m[3]:
            out[name] = m[2] or m[3]
            continue
        types = {part.strip().split(".")[0] for part in m[1].split(",")}
        if len(types) == 1:
            out[name] = types.pop()
    return out


def check_attribute_paths(module: Module, schemas: dict[str, Schema]) -> list[str]:
    """`x.metadata[0].name` vs `x.metadata.name`: index blocks and list objects, never single objects."""
    errors: list[str] = []
    instances = _local_instances(module)
    for fname, data in module.files.items():
        for text in _expressions(data):
            for m in _PATH.finditer(text):
                head, attr, bracket = m[1], m[2], m[3]
                is_local = head.startswith("local.")
                rtype = instances.get(head[len("local."):]) if is_local else head.split(".")[0]
                provider = provider_of(rtype, list(schemas)) if rtype else None
                if not rtype or not provider or rtype not in schemas[provider]["resources"]:
                    continue
                schema = schemas[provider]["resources"][rtype]
                shape = ("list" if attr in schema["blocks"]
                         else schema["attributes"].get(attr, {}).get("computed_shape"))
                where = f"{module.path.name}/{fname}: {head}.{attr}"
                if shape == "list" and not bracket:
                    errors.append(f"{where}: {attr!r} is a list (block) in {rtype}: index it, e.g. {attr}[0]")
                elif shape == "single" and bracket:
                    errors.append(f"{where}: {attr!r} is a single object in {rtype}: no index, e.g. {attr}.x")
    return errors
