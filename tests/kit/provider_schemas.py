"""Real provider schemas, read offline from the prebuilt CDK Terrain provider wheels on PyPI.

No Terraform registry here, so `terraform providers schema -json` is out of reach. The PyPI wheels
`cdktn-provider-helm` and `cdktn-provider-kubernetes` are generated from exactly that JSON schema and
keep it in readable form inside `<pkg>/_jsii/provider-<name>@<ver>.jsii.tgz`:

- `package/package.json` -> `cdktn.provider` names the provider and its version;
- `package/lib/<resource>/index.js` -> the main class (`extends cdktn.TerraformResource`, ...) has
  `static tfResourceType = "<type>"`, one comment per top-level attribute
  (`// name - computed: x, optional: y, required: z`), and `synthesizeAttributes()` maps every
  argument to an expression: `cdktn.listMapper(fooToTerraform, true)` is a real block,
  `cdktn.listMapper(fooToTerraform, false)` a list nested attribute, `fooToTerraform(...)` a single
  nested attribute (or, when documented as "<name> block", a block of at most one item), anything
  else a plain attribute. `function fooToTerraform(struct)` lists the
  nested arguments; `index.d.ts` (`readonly camelName?:`) says which of them are optional.

The wheels are downloaded once (`pip download --no-deps --only-binary :all:`) into the test cache
(`tests.kit.fetch_terraform.cache_dir()`), and the parsed schema is cached there as JSON.

Schema format (also used by hand-written schema files such as tests/stack/schemas/talos.json):

    {"provider": "registry.terraform.io/hashicorp/helm", "version": "3.3.0", "origin": "...",
     "provider_config": BLOCK, "resources": {type: BLOCK}, "data_sources": {type: BLOCK}}
    BLOCK = {"attributes": {name: ATTR}, "blocks": {name: {"required": bool, "block": BLOCK}}}
    ATTR  = {"required": bool, "optional": bool, "computed": bool,
             "nested": null | {"nesting": "single" | "list" | "map", "attributes": {name: ATTR}},
             "block_or_attribute": bool,           # either form accepted (`timeouts`; flattened
                                                   # structs in providers that also have blocks)
             "computed_shape": "single" | "list"}  # only on computed-only object attributes

Usage: python tests/kit/provider_schemas.py   (fetches and prints a summary)
"""

from __future__ import annotations

import io
import json
import os
import re
import tarfile
import zipfile
from pathlib import Path
from typing import Any

from tests.kit.fetch_terraform import cache_dir, pip_download

# provider local name -> (PyPI package, version, provider version it was generated from)
WHEELS: dict[str, tuple[str, str, str]] = {
    "helm": ("cdktn-provider-helm", "15.1.0", "3.3.0"),
    "kubernetes": ("cdktn-provider-kubernetes", "17.1.0", "3.4.0"),
}
SCHEMA_FORMAT = 4

Schema = dict[str, Any]

_CLASS = re.compile(
    r"^class (\w+) extends cdktn\.(TerraformResource|TerraformDataSource|TerraformProvider) \{", re.MULTILINE)
_TF_TYPE = re.compile(r'static tfResourceType = "([\w-]+)";')
_FLAGS = re.compile(
    r"^\s*// (\w+) - computed: (true|false), optional: (true|false), required: (true|false)\s*$",
    re.MULTILINE)
_STRUCT_FN = re.compile(r"^function (\w+)ToTerraform\(struct\) \{\n(.*?)^\}", re.MULTILINE | re.DOTALL)
_RETURN_OBJ = re.compile(r"return \{\n(.*?)\n\s*\};", re.DOTALL)
_FIELD = re.compile(r"^\s*(\w+): (.*),\s*$")
_LIST_MAPPER = re.compile(r"listMapper\((\w+)ToTerraform, (true|false)\)")
_HASH_MAPPER = re.compile(r"hashMapper\((\w+)ToTerraform\)")
_DIRECT = re.compile(r"^(?:this\.markWriteOnlyAttribute\()?(\w+)ToTerraform\(")
_CAMEL = re.compile(r"struct!?\.(\w+)\)*$")
_THIS = re.compile(r"this\._(\w+)")
_SHAPE = re.compile(r'^\s*_\w+ = new (?!cdktn\.)\w+?(OutputReference|List)\(this, "(\w+)"', re.MULTILINE)
_INTERFACE = re.compile(r"^export interface (\w+)[^{\n]*\{\n(.*?)^\}", re.MULTILINE | re.DOTALL)
_PROP = re.compile(r"(?:/\*\*\s*\n\s*\*\s*([^\n]*)\n(?:[^\n]*\n)*?\s*\*/\s*\n)?^\s*readonly (\w+)(\??):",
                   re.MULTILINE)


def _flags(text: str) -> dict[str, dict[str, bool]]:
    return {m[1]: {"computed": m[2] == "true", "optional": m[3] == "true", "required": m[4] == "true"}
            for m in _FLAGS.finditer(text)}


def _interfaces(dts: str) -> dict[str, dict[str, tuple[bool, str]]]:
    """interface name -> camelCase property -> (optional?, first line of its doc comment)."""
    return {m[1]: {p[2]: (p[3] == "?", (p[1] or "").strip()) for p in _PROP.finditer(m[2])}
            for m in _INTERFACE.finditer(dts)}


def _fields(return_body: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for line in return_body.splitlines():
        m = _FIELD.match(line)
        if m:
            out.append((m[1], m[2]))
    return out


class _FileParser:
    """Turn one generated index.js (+ index.d.ts) into a BLOCK schema for its main class."""

    def __init__(self, js: str, dts: str) -> None:
        self.js = js
        self.structs: dict[str, list[tuple[str, str]]] = {}
        for m in _STRUCT_FN.finditer(js):
            ret = _RETURN_OBJ.search(m[2])
            self.structs[m[1]] = _fields(ret[1]) if ret else []
        self.interfaces = _interfaces(dts)

    def _classify(self, name: str, expr: str, doc: str) -> tuple[str, str | None]:
        """('block'|'list'|'single'|'map'|'plain', struct function prefix).

        A struct passed straight through (no listMapper) is either a single nested attribute or a
        block with at most one item (the generator flattens those, e.g. kubernetes_namespace's
        required `metadata`); the generator documents the latter as "<name> block".
        """
        lm = _LIST_MAPPER.search(expr)
        if lm and lm[1] in self.structs:
            return ("block" if lm[2] == "true" else "list"), lm[1]
        hm = _HASH_MAPPER.search(expr)
        if hm and hm[1] in self.structs:
            return "map", hm[1]
        dm = _DIRECT.match(expr)
        if dm and dm[1] in self.structs:
            return ("block" if doc == f"{name} block" else "single"), dm[1]
        return "plain", None

    def _struct_block(self, struct: str) -> Schema:
        """A nested struct as a BLOCK (attributes and real sub-blocks), requiredness from index.d.ts."""
        iface = self.interfaces.get(struct[0].upper() + struct[1:], {})
        attributes: dict[str, Any] = {}
        blocks: dict[str, Any] = {}
        for snake, expr in self.structs.get(struct, []):
            camel = _CAMEL.search(expr)
            optional, doc = iface.get(camel[1], (True, "")) if camel else (True, "")
            kind, inner = self._classify(snake, expr, doc)
            if kind == "block" and inner:
                blocks[snake] = {"required": not optional, "block": self._struct_block(inner)}
            else:
                attributes[snake] = self._attr(snake, kind, inner, required=not optional, optional=optional,
                                               computed=False)
        return {"attributes": attributes, "blocks": blocks}

    def _attr(self, name: str, kind: str, inner: str | None, *, required: bool, optional: bool,
              computed: bool) -> Schema:
        nested = None
        if kind in ("list", "single", "map") and inner:
            nested = {"nesting": kind, "attributes": self._struct_block(inner)["attributes"]}
            sub_blocks = self._struct_block(inner)["blocks"]
            if sub_blocks:  # a nested attribute cannot hold blocks; keep them visible as attributes
                for sub, spec in sub_blocks.items():
                    nested["attributes"][sub] = {
                        "required": spec["required"], "optional": not spec["required"], "computed": False,
                        "nested": None, "block_or_attribute": True}
        return {"required": required, "optional": optional, "computed": computed, "nested": nested,
                "block_or_attribute": name == "timeouts", "_direct": kind == "single"}

    def parse(self) -> tuple[str, str, Schema] | None:
        cls = _CLASS.search(self.js)
        if not cls:
            return None
        body = self.js[cls.start():]
        tf_type = _TF_TYPE.search(body)
        synth = re.search(r"synthesizeAttributes\(\) \{\n\s*return \{\n(.*?)\n\s*\};", body, re.DOTALL)
        if not tf_type or not synth:
            return None
        flags = _flags(body)
        config = self.interfaces.get(cls[1] + "Config", {})
        attributes: dict[str, Any] = {}
        blocks: dict[str, Any] = {}
        for name, expr in _fields(synth[1]):
            f = flags.get(name, {"computed": False, "optional": True, "required": False})
            camel = _THIS.search(expr)
            doc = config.get(camel[1], (True, ""))[1] if camel else ""
            kind, inner = self._classify(name, expr, doc)
            if kind == "block" and inner:
                blocks[name] = {"required": f["required"], "block": self._struct_block(inner)}
            else:
                attributes[name] = self._attr(name, kind, inner, required=f["required"],
                                              optional=f["optional"], computed=f["computed"])
        shapes = {m[2]: "single" if m[1] == "OutputReference" else "list" for m in _SHAPE.finditer(body)}
        for name, f in flags.items():  # computed-only attributes: readable, never settable
            if name not in attributes and name not in blocks and f["computed"] and not f["optional"]:
                attributes[name] = {"required": False, "optional": False, "computed": True, "nested": None,
                                    "block_or_attribute": False}
                if name in shapes:  # an object: `x.metadata.chart` (single) or `x.metadata[0].chart` (list)
                    attributes[name]["computed_shape"] = shapes[name]
        kind_map = {"TerraformResource": "resources", "TerraformDataSource": "data_sources",
                    "TerraformProvider": "provider_config"}
        return kind_map[cls[2]], tf_type[1], {"attributes": attributes, "blocks": blocks}


def parse_jsii_tarball(data: bytes, origin: str) -> Schema:
    """Parse a `provider-<name>@<ver>.jsii.tgz` (bytes) into the schema format above."""
    files: dict[str, str] = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar.getmembers():
            name = member.name
            if not member.isfile():
                continue
            if name == "package/package.json" or (
                name.startswith("package/lib/") and name.count("/") == 3
                and name.endswith(("/index.js", "/index.d.ts"))
            ):
                fh = tar.extractfile(member)
                assert fh is not None
                files[name] = fh.read().decode("utf-8")
    meta = json.loads(files["package/package.json"])
    provider = (meta.get("cdktn") or meta.get("cdktf"))["provider"]
    schema: Schema = {"format": SCHEMA_FORMAT, "provider": provider["name"], "version": provider["version"],
                      "origin": origin, "provider_config": None, "resources": {}, "data_sources": {}}
    for path, js in sorted(files.items()):
        if not path.endswith("/index.js"):
            continue
        parsed = _FileParser(js, files.get(path[: -len("index.js")] + "index.d.ts", "")).parse()
        if parsed is None:
            continue
        kind, tf_type, block = parsed
        if kind == "provider_config":
            schema["provider_config"] = block
        else:
            schema[kind][tf_type] = block
    if schema["provider_config"] is None or not schema["resources"]:
        raise RuntimeError(f"{origin}: no provider or resource schema found; has the wheel layout changed?")
    # A provider with no block anywhere (e.g. helm 3.x, plugin framework only) writes every nested
    # value as an attribute. In one that has blocks (kubernetes: SDKv2 plus a few framework
    # resources), an undocumented flattened struct may be either, so accept both forms there.
    has_blocks = any("listMapper(" in js and re.search(r"listMapper\(\w+ToTerraform, true\)", js)
                     for path, js in files.items() if path.endswith(".js"))
    for block in [schema["provider_config"], *schema["resources"].values(), *schema["data_sources"].values()]:
        _settle_direct(block, ambiguous=bool(has_blocks))
    return schema


def _settle_direct(block: Schema, *, ambiguous: bool) -> None:
    for attr in block.get("attributes", {}).values():
        if attr.pop("_direct", False) and ambiguous:
            attr["block_or_attribute"] = True
        if attr.get("nested"):
            _settle_direct(attr["nested"], ambiguous=ambiguous)
    for spec in block.get("blocks", {}).values():
        _settle_direct(spec["block"], ambiguous=ambiguous)


def _download_wheel(package: str, version: str, dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    wheel_name = package.replace("-", "_") + f"-{version}-py3-none-any.whl"
    wheel = dest / wheel_name
    if wheel.is_file():
        return wheel
    with pip_download(package, version, wheel=True, within=dest) as found:
        found.replace(wheel)
    return wheel


def provider_schema(name: str) -> Schema:
    """The schema of provider `name` ("helm" or "kubernetes"), parsed once and cached as JSON."""
    package, version, provider_version = WHEELS[name]
    root = cache_dir() / "schemas"
    cached = root / f"{name}-{provider_version}.json"
    if cached.is_file():
        data: Schema = json.loads(cached.read_text())
        if data.get("format") == SCHEMA_FORMAT:
            return data
    wheel = _download_wheel(package, version, root / "wheels")
    module = package.replace("-", "_")
    member = f"{module}/_jsii/provider-{name}@{version}.jsii.tgz"
    with zipfile.ZipFile(wheel) as zf:
        tarball = zf.read(member)
    schema = parse_jsii_tarball(tarball, origin=f"{package}=={version}")
    if schema["version"] != provider_version:
        raise RuntimeError(
            f"{package}=={version} holds {name} {schema['version']}, expected {provider_version}")
    # pytest-xdist workers may parse at the same moment on a cold cache: each writes its own temp file.
    tmp = cached.with_suffix(f".{os.getpid()}.part")
    tmp.write_text(json.dumps(schema, sort_keys=True))
    tmp.replace(cached)
    return schema


def load_schema_file(path: Path) -> Schema:
    """A hand-written schema file in the same format (e.g. for siderolabs/talos)."""
    data: Schema = json.loads(path.read_text())
    return data


def main() -> None:
    for name in WHEELS:
        schema = provider_schema(name)
        print(f"{schema['provider']} {schema['version']} ({schema['origin']}): "
              f"{len(schema['resources'])} resources, {len(schema['data_sources'])} data sources")


if __name__ == "__main__":
    main()
