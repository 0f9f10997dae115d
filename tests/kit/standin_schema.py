"""Typed provider schemas for the stand-in providers: the structural schema plus a cty type per attribute.

`tests/kit/provider_schemas.py` gives names, flags and nesting (from the generated JavaScript). Terraform
also needs each attribute's type. The same wheels carry it: the jsii assembly `package/.jsii` inside
`<pkg>/_jsii/*.jsii.tgz` lists every struct's properties with jsii types, which map to cty types:

    primitive string | number | boolean | any/json   -> "string" | "number" | "bool" | "dynamic"
    collection array | map of X                      -> ["list", X] | ["map", X]
    struct (interface) / <Struct>OutputReference     -> ["object", {snake_name: type}]
    <Struct>List (a class whose get() returns ...)   -> ["list", ["object", ...]]
    cdktn.StringMap, cdktn.NumberMap, ...            -> ["map", "string"], ...
    union with cdktn.IResolvable                     -> the other member

A resource's class is found by the `{@link ... <type>}` in its doc summary; its `<Class>Config` interface
types the arguments, the class's getters type the computed-only attributes, and a nested struct's
`...OutputReference` getters that its interface lacks are computed-only nested attributes (e.g.
`kubernetes_namespace_v1.metadata.uid`).

Typed schema format: the structural format with, on every leaf attribute, `"type": <cty JSON>` and
`"sensitive": bool`; nested-attribute objects keep `"nested"`; blocks get `"nesting"` ("list" | "single")
and `"max_items"`. Talos comes typed by hand (tests/stack/schemas/talos.json).
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

from tests.kit.fetch_terraform import cache_dir
from tests.kit.provider_schemas import WHEELS, _download_wheel, load_schema_file, provider_schema

TYPED_FORMAT = 5  # 5: set_sensitive.value is sensitive
TALOS_SCHEMA = Path(__file__).resolve().parents[1] / "stack" / "schemas" / "talos.json"

Schema = dict[str, Any]

# Attributes the real providers mark sensitive (the jsii assembly does not say).
SENSITIVE = {
    ("helm", "helm_release", "repository_password"),
    ("helm", "provider", "password"),
    ("helm", "provider", "token"),
    ("helm", "provider", "client_key"),
    ("kubernetes", "provider", "client_key"),
    ("kubernetes", "provider", "password"),
    ("kubernetes", "provider", "token"),
}
# Nested attributes the real providers mark sensitive, by path (helm 3.x: set_sensitive's value is
# `Sensitive: true`, so a plan marks it in after_sensitive and Terraform prints (sensitive value)).
SENSITIVE_PATHS = {("helm", "helm_release.set_sensitive.value")}
# Block limits the generated code does not show (SDKv2 `Required: true, MaxItems: 1`).
BLOCK_LIMITS = {("kubernetes", "kubernetes_namespace_v1", "metadata"): (1, 1)}
_LINK = re.compile(r"\{@link \S+ ([\w-]+)\}")
_MAPS = {"String": "string", "Number": "number", "Boolean": "bool", "Any": "dynamic"}


def snake(camel: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", camel).lower()


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


class Assembly:
    """The jsii type system of one provider wheel."""

    def __init__(self, types: dict[str, Any]) -> None:
        self.types = types
        self.by_tf_type: dict[tuple[str, str], str] = {}
        for fqn, t in types.items():
            base = t.get("base", "")
            kind = {"cdktn.TerraformResource": "resources", "cdktn.TerraformDataSource": "data_sources",
                    "cdktn.TerraformProvider": "provider_config"}.get(base)
            if kind is None:
                continue
            m = _LINK.search(t.get("docs", {}).get("summary", ""))
            self.by_tf_type[(kind, m[1] if m and kind != "provider_config" else "")] = fqn

    def props(self, fqn: str | None) -> dict[str, Any]:
        if not fqn or fqn not in self.types:
            return {}
        return {p["name"]: p["type"] for p in self.types[fqn].get("properties", []) if not p.get("static")}

    def struct_of(self, jtype: Any) -> str | None:
        """The struct interface a (possibly wrapped) jsii type refers to."""
        if "union" in jtype:
            for t in jtype["union"]["types"]:
                found = self.struct_of(t)
                if found:
                    return found
            return None
        if "collection" in jtype:
            return self.struct_of(jtype["collection"]["elementtype"])
        fqn = jtype.get("fqn", "")
        if fqn.startswith("cdktn."):
            return None
        t = self.types.get(fqn, {})
        if t.get("kind") == "interface":
            return fqn
        for suffix in ("OutputReference", "List"):
            if fqn.endswith(suffix) and fqn[: -len(suffix)] in self.types:
                return fqn[: -len(suffix)]
        return None

    def struct_fields(self, struct: str) -> dict[str, Any]:
        """snake name -> jsii type: the interface's properties plus the computed-only getters."""
        fields = {snake(k): v for k, v in self.props(struct).items()}
        for name, jtype in self.props(struct + "OutputReference").items():
            if name == "internalValue" or name.endswith("Input") or snake(name) in fields:
                continue
            fields[snake(name)] = jtype
        return fields

    def cty(self, jtype: Any) -> Any:
        if "primitive" in jtype:
            return {"string": "string", "number": "number", "boolean": "bool", "date": "string"}.get(
                jtype["primitive"], "dynamic")
        if "union" in jtype:
            members = [t for t in jtype["union"]["types"] if t.get("fqn") != "cdktn.IResolvable"]
            return self.cty(members[0]) if members else "dynamic"
        if "collection" in jtype:
            kind = "list" if jtype["collection"]["kind"] == "array" else "map"
            return [kind, self.cty(jtype["collection"]["elementtype"])]
        fqn = jtype.get("fqn", "")
        if fqn.startswith("cdktn."):
            m = re.fullmatch(r"cdktn\.(String|Number|Boolean|Any)(Map|List|MapList)", fqn)
            if not m:
                return "dynamic"
            elem = _MAPS[m[1]]
            return {"Map": ["map", elem], "List": ["list", elem], "MapList": ["list", ["map", elem]]}[m[2]]
        if fqn.endswith("List") and self.types.get(fqn, {}).get("kind") == "class":
            for method in self.types[fqn].get("methods", []):
                if method["name"] == "get":
                    return ["list", self.cty(method["returns"]["type"])]
        struct = self.struct_of(jtype)
        if struct:
            return ["object", {k: self.cty(v) for k, v in self.struct_fields(struct).items()}]
        return "dynamic"


def _computed_only(attr: Schema) -> bool:
    return bool(attr.get("computed")) and not attr.get("optional") and not attr.get("required")


class _Typer:
    def __init__(self, provider: str, asm: Assembly, *, sdk_blocks: bool) -> None:
        self.provider = provider
        self.asm = asm
        self.sdk_blocks = sdk_blocks  # SDKv2 provider: flattened structs are blocks, nested lists are types
        self.untyped: list[str] = []

    def leaf(self, path: str, name: str, attr: Schema, jtype: Any | None, owner: str) -> Schema:
        out = {k: bool(attr.get(k)) for k in ("required", "optional", "computed")}
        out["sensitive"] = ((self.provider, owner, name) in SENSITIVE
                            or (self.provider, path) in SENSITIVE_PATHS or bool(attr.get("sensitive")))
        if jtype is None:
            self.untyped.append(path)
            out["type"] = "dynamic"
        else:
            out["type"] = self.asm.cty(jtype)
        return out

    def block(self, path: str, block: Schema, fields: dict[str, Any], owner: str,
              struct: str | None = None) -> Schema:
        attributes: dict[str, Any] = {}
        blocks: dict[str, Any] = {}
        for name, attr in block.get("attributes", {}).items():
            jtype = fields.get(name)
            nested = attr.get("nested")
            sub = f"{path}.{name}"
            if nested:
                inner = self.asm.struct_of(jtype) if jtype else None
                inner_fields = self.asm.struct_fields(inner) if inner else {}
                if self.sdk_blocks and (attr.get("block_or_attribute") or name == "timeouts"):
                    blocks[name] = {"required": bool(attr.get("required")), "nesting": "list", "max_items": 1,
                                    "block": self.block(sub, {"attributes": nested["attributes"]},
                                                        inner_fields, owner, inner)}
                    continue
                if self.sdk_blocks and nested["nesting"] == "list":
                    attributes[name] = self.leaf(sub, name, attr, jtype, owner)
                    continue
                body = self.block(sub, {"attributes": nested["attributes"]}, inner_fields, owner, inner)
                attributes[name] = {k: bool(attr.get(k)) for k in ("required", "optional", "computed")}
                attributes[name]["sensitive"] = False
                attributes[name]["nested"] = {"nesting": nested["nesting"], "attributes": body["attributes"]}
            elif attr.get("computed_shape") and jtype is not None:
                inner = self.asm.struct_of(jtype)
                inner_fields = self.asm.struct_fields(inner) if inner else {}
                if attr["computed_shape"] == "single" and not self.sdk_blocks:
                    # plugin-framework computed object: a single nested attribute (a bare "object" type
                    # would not do: Terraform wants an attribute type or nested attributes)
                    attributes[name] = {"required": False, "optional": False, "computed": True,
                                        "sensitive": False, "nested": {"nesting": "single", "attributes": {
                                            k: {"required": False, "optional": False, "computed": True,
                                                "sensitive": False, "type": self.asm.cty(v)}
                                            for k, v in inner_fields.items()}}}
                else:
                    attributes[name] = self.leaf(sub, name, attr, jtype, owner)
            else:
                attributes[name] = self.leaf(sub, name, attr, jtype, owner)
        for name, spec in block.get("blocks", {}).items():
            jtype = fields.get(name)
            inner = self.asm.struct_of(jtype) if jtype else None
            direct = jtype is not None and "collection" not in json.dumps(jtype)
            blocks[name] = {"required": bool(spec.get("required")), "nesting": "list",
                            "max_items": 1 if direct else 0,
                            "block": self.block(f"{path}.{name}", spec["block"],
                                                self.asm.struct_fields(inner) if inner else {}, owner, inner)}
        if struct:  # computed-only getters of a nested struct (not in the structural schema)
            for name, jtype in self.asm.struct_fields(struct).items():
                if name not in attributes and name not in blocks and name not in self.asm.props(struct) \
                        and camel(name) not in self.asm.props(struct):
                    attributes[name] = {"required": False, "optional": False, "computed": True,
                                        "sensitive": False, "type": self.asm.cty(jtype)}
        return {"attributes": attributes, "blocks": blocks}

    def top(self, kind: str, tf_type: str, block: Schema) -> Schema:
        cls = self.asm.by_tf_type.get((kind, tf_type if kind != "provider_config" else ""))
        fields: dict[str, Any] = {}
        if cls:
            for name, jtype in self.asm.props(cls).items():
                if not name.endswith("Input"):
                    fields[snake(name)] = jtype
            for name, jtype in self.asm.props(cls + "Config").items():
                fields[snake(name)] = jtype
        owner = "provider" if kind == "provider_config" else tf_type
        return self.block(owner, block, fields, owner)


def _assembly(name: str) -> Assembly:
    package, version, _ = WHEELS[name]
    wheel = _download_wheel(package, version, cache_dir() / "schemas" / "wheels")
    module = package.replace("-", "_")
    with zipfile.ZipFile(wheel) as zf:
        tarball = zf.read(f"{module}/_jsii/provider-{name}@{version}.jsii.tgz")
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as tar:
        fh = tar.extractfile("package/.jsii")
        assert fh is not None
        return Assembly(json.loads(fh.read())["types"])


def _typed_by_hand(block: Schema) -> Schema:
    """A hand-written schema already has types; its computed objects become single nested attributes."""
    for key in ("provider_config",):
        _settle_objects(block[key])
    for kind in ("resources", "data_sources"):
        for body in block[kind].values():
            _settle_objects(body)
    return block


def _settle_objects(block: Schema) -> None:
    for attr in block.get("attributes", {}).values():
        if "object_attributes" in attr:
            attr["nested"] = {"nesting": "single", "attributes": {
                k: {"required": False, "optional": False, "computed": True, **v}
                for k, v in attr.pop("object_attributes").items()}}
            attr["sensitive"] = False
        if attr.get("nested"):
            _settle_objects({"attributes": attr["nested"]["attributes"]})
            attr.setdefault("sensitive", False)
    for spec in block.get("blocks", {}).values():
        _settle_objects(spec["block"])


def typed_schema(name: str) -> Schema:
    """Typed schema of provider `name` (helm, kubernetes, talos), built once and cached as JSON."""
    if name == "talos":
        return _typed_by_hand(load_schema_file(TALOS_SCHEMA))
    structural = provider_schema(name)
    cached = cache_dir() / "standin" / f"typed-{name}-{structural['version']}-v{TYPED_FORMAT}.json"
    if cached.is_file():
        data: Schema = json.loads(cached.read_text())
        return data
    typer = _Typer(name, _assembly(name), sdk_blocks=name == "kubernetes")
    out: Schema = {k: structural[k] for k in ("provider", "version", "origin")}
    out["provider_config"] = typer.top("provider_config", "", structural["provider_config"])
    out["provider_config"]["attributes"].pop("alias", None)  # a meta-argument Terraform keeps for itself
    out["resources"] = {t: typer.top("resources", t, b) for t, b in structural["resources"].items()}
    out["data_sources"] = {t: typer.top("data_sources", t, b) for t, b in structural["data_sources"].items()}
    out["untyped"] = sorted(typer.untyped)
    for (provider, tf_type, block_name), (min_items, max_items) in BLOCK_LIMITS.items():
        if provider == name:
            spec = out["resources"][tf_type]["blocks"][block_name]
            spec.update(required=min_items > 0, min_items=min_items, max_items=max_items)
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(f".{os.getpid()}.part")  # several checkouts share the cache
    tmp.write_text(json.dumps(out, sort_keys=True))
    tmp.replace(cached)
    return out


# -- tfplugin6 messages ---------------------------------------------------------------------------------

def _pb_attribute(pb: Any, name: str, attr: Schema) -> Any:
    kw: dict[str, Any] = {"name": name, "required": attr["required"], "optional": attr["optional"],
                          "computed": attr["computed"], "sensitive": attr.get("sensitive", False)}
    nested = attr.get("nested")
    if nested:
        nesting = {"single": pb.Schema.Object.SINGLE, "list": pb.Schema.Object.LIST,
                   "set": pb.Schema.Object.SET, "map": pb.Schema.Object.MAP}[nested["nesting"]]
        kw["nested_type"] = pb.Schema.Object(
            nesting=nesting,
            attributes=[_pb_attribute(pb, k, v) for k, v in sorted(nested["attributes"].items())])
    else:
        kw["type"] = json.dumps(attr["type"]).encode()
    return pb.Schema.Attribute(**kw)


def pb_block(pb: Any, block: Schema) -> Any:
    nested = []
    for name, spec in sorted(block.get("blocks", {}).items()):
        nesting = {"list": pb.Schema.NestedBlock.LIST, "single": pb.Schema.NestedBlock.SINGLE,
                   "set": pb.Schema.NestedBlock.SET}[spec.get("nesting", "list")]
        max_items = spec.get("max_items", 0)
        nested.append(pb.Schema.NestedBlock(
            type_name=name, block=pb_block(pb, spec["block"]), nesting=nesting,
            min_items=spec.get("min_items", 1 if spec.get("required") else 0),
            max_items=max_items if nesting != pb.Schema.NestedBlock.SINGLE else 0))
    return pb.Schema.Block(
        attributes=[_pb_attribute(pb, k, v) for k, v in sorted(block.get("attributes", {}).items())],
        block_types=nested)


def schema_response(name: str) -> bytes:
    """A serialized tfplugin6 GetProviderSchema.Response for provider `name`, cached next to the JSON."""
    from tf.gen import tfplugin_pb2 as pb

    if name != "talos":
        cached = cache_dir() / "standin" / f"schema-{name}-{WHEELS[name][2]}-v{TYPED_FORMAT}.pb"
        if cached.is_file():
            return cached.read_bytes()
    schema = typed_schema(name)
    resp = pb.GetProviderSchema.Response(
        provider=pb.Schema(block=pb_block(pb, schema["provider_config"])),
        server_capabilities=pb.ServerCapabilities(plan_destroy=False, get_provider_schema_optional=False))
    for kind, field in (("resources", resp.resource_schemas), ("data_sources", resp.data_source_schemas)):
        for tf_type, block in schema[kind].items():
            field[tf_type].CopyFrom(pb.Schema(version=block.get("version", 0), block=pb_block(pb, block)))
    data: bytes = resp.SerializeToString()
    if name != "talos":
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.part")  # several checkouts share the cache
        tmp.write_bytes(data)
        tmp.replace(cached)
    return data
