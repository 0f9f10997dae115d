"""A stand-in Terraform provider: serves a real provider's schema over tfplugin6 and answers like it, offline.

Started by Terraform through the filesystem mirror's `terraform-provider-<type>_v<version>` shell script:

    python tests/kit/standin_provider.py --provider helm --schema <GetProviderSchema.Response .pb> \
        --cert-cache <folder>

With K8SPROV_STANDIN_RECORD=<folder>, each provider writes the configuration Terraform gave it to
<folder>/<provider>-configure.json (tests check the wiring, e.g. helm and kubernetes from Talos' output).
With K8SPROV_STANDIN_CLUSTER=<folder>, the helm and kubernetes stand-ins keep the objects they create in a
cluster of their own, apart from Terraform's state (tests/kit/standin_cluster.py): what is changed there
shows up as drift.

Protocol (what Terraform calls for validate, plan, apply, refresh, import and destroy):
- plan   = the proposed new state; on create every computed attribute the configuration leaves null is
           unknown; on update computed values are kept (Terraform's proposal already carries them) unless
           the resource's inputs changed and the real provider would recompute them;
- apply  = the plan with unknowns filled deterministically;
- read   = the object in the stand-in cluster (none: gone from the state too), else the stored state;
- import = the id (and for namespaces the name) with everything else null.

Behaviour of the real providers, mirrored where it is cheap (see `_Helm`, `_Namespace`, `_Talos`). The
helm stand-in renders with the real Helm 3 (K8SPROV_HELM): the manifest experiment's objects are Helm's, and
an apply fails with Helm's own message where `helm install` would.
This file is test kit only: it is never part of the installed package.
"""

from __future__ import annotations

import argparse
import base64
import copy
import hashlib
import json
import os
import re
import sys
import tarfile
import uuid
from pathlib import Path
from typing import Any

import msgpack

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tf.gen import tfplugin_pb2 as pb
from tf.gen import tfplugin_pb2_grpc as rpc
from tf.types import Unknown
from tf.utils import read_dynamic_value, to_dynamic_value

from tests.kit.standin_cluster import CLUSTER_PROVIDERS, ENV_VAR, ClusterFile, object_key

EPOCH = 1_767_225_600  # deterministic "deployed at" times


class Problem(Exception):
    def __init__(self, summary: str, detail: str = "", path: list[str] | None = None) -> None:
        super().__init__(summary)
        self.summary, self.detail, self.path = summary, detail, path or []


def _diag(problem: Problem) -> Any:
    steps = [pb.AttributePath.Step(attribute_name=p) for p in problem.path]
    return pb.Diagnostic(severity=pb.Diagnostic.ERROR, summary=problem.summary, detail=problem.detail,
                         attribute=pb.AttributePath(steps=steps) if steps else None)


# -- values along a schema ------------------------------------------------------------------------------

def _fill(ctype: Any, seed: str) -> Any:
    """A deterministic known value of cty type `ctype` (for computed attributes at apply)."""
    if ctype == "string":
        return "standin-" + hashlib.sha256(seed.encode()).hexdigest()[:12]
    if ctype == "number":
        return 0
    if ctype == "bool":
        return False
    if isinstance(ctype, list):
        if ctype[0] in ("list", "set"):
            return []
        if ctype[0] == "map":
            return {}
        if ctype[0] == "object":
            return {k: _fill(v, f"{seed}.{k}") for k, v in ctype[1].items()}
    return None


class Block:
    """Just what the engine needs of a tfplugin6 Schema.Block."""

    def __init__(self, block: Any) -> None:
        self.attrs: dict[str, Any] = {a.name: a for a in block.attributes}
        self.blocks: dict[str, Any] = {b.type_name: b for b in block.block_types}
        self._sub: dict[str, Block] = {}

    def sub(self, name: str) -> Block:
        if name not in self._sub:
            if name in self.blocks:
                self._sub[name] = Block(self.blocks[name].block)
            else:
                self._sub[name] = Block(pb.Schema.Block(attributes=self.attrs[name].nested_type.attributes))
        return self._sub[name]

    def computed_only(self, name: str) -> bool:
        a = self.attrs[name]
        return a.computed and not a.optional and not a.required

    def complete(self, value: dict[str, Any] | None) -> dict[str, Any]:
        """`value` with every attribute and block present (null / empty where missing)."""
        out = dict(value or {})
        for name in self.attrs:
            out.setdefault(name, None)
        for name, spec in self.blocks.items():
            if out.get(name) is None:
                out[name] = None if spec.nesting == pb.Schema.NestedBlock.SINGLE else []
            elif isinstance(out[name], list):
                out[name] = [self.sub(name).complete(v) if isinstance(v, dict) else v for v in out[name]]
        return out

    def unknown_computed(self, planned: dict[str, Any], config: dict[str, Any] | None) -> None:
        """On create: computed attributes the configuration leaves null become unknown."""
        config = config or {}
        for name, a in self.attrs.items():
            if a.computed and config.get(name) is None:
                planned[name] = Unknown
        for name in self.blocks:
            items = planned.get(name)
            cfg_items = config.get(name) or []
            if isinstance(items, list):
                for i, item in enumerate(items):
                    if isinstance(item, dict):
                        self.sub(name).unknown_computed(item, cfg_items[i] if i < len(cfg_items) else None)

    def fill_unknown(self, value: dict[str, Any], seed: str) -> None:
        for name, a in self.attrs.items():
            if value.get(name) is Unknown:
                if a.nested_type.attributes:
                    sub = self.sub(name)
                    obj: dict[str, Any] = {k: Unknown for k in sub.attrs}
                    sub.fill_unknown(obj, f"{seed}.{name}")
                    value[name] = obj
                else:
                    value[name] = _fill(json.loads(a.type), f"{seed}.{name}")
            elif isinstance(value.get(name), dict) and a.nested_type.attributes:
                self.sub(name).fill_unknown(value[name], f"{seed}.{name}")
        for name in self.blocks:
            for i, item in enumerate(value.get(name) or []):
                if isinstance(item, dict):
                    self.sub(name).fill_unknown(item, f"{seed}.{name}.{i}")

    def inputs(self, value: dict[str, Any] | None) -> Any:
        """The configurable part of a value (computed-only attributes dropped), for "did inputs change"."""
        if value is None:
            return None
        out: dict[str, Any] = {}
        for name in self.attrs:
            if not self.computed_only(name):
                out[name] = value.get(name)
        for name in self.blocks:
            out[name] = [self.sub(name).inputs(v) for v in (value.get(name) or [])]
        return out


def _known(value: Any) -> bool:
    if value is Unknown:
        return False
    if isinstance(value, dict):
        return all(_known(v) for v in value.values())
    if isinstance(value, list):
        return all(_known(v) for v in value)
    return True


# -- behaviour of the real resources ---------------------------------------------------------------------

class Behaviour:
    settings: dict[str, Any] = {}  # noqa: RUF012  the provider's configuration (one provider per process)

    def validate(self, config: dict[str, Any]) -> None:
        return None

    def plan(self, planned: dict[str, Any], prior: dict[str, Any] | None, config: dict[str, Any],
             changed: bool) -> None:
        return None

    def apply(self, new: dict[str, Any], prior: dict[str, Any] | None) -> None:
        return None

    def import_state(self, id_: str) -> dict[str, Any]:
        return {"id": id_}


HELM_DEFAULTS: dict[str, Any] = {
    "atomic": False, "cleanup_on_fail": False, "create_namespace": False, "dependency_update": False,
    "disable_crd_hooks": False, "disable_openapi_validation": False, "disable_webhooks": False,
    "force_update": False, "lint": False, "max_history": 0, "namespace": "default",
    "pass_credentials": False, "recreate_pods": False, "render_subchart_notes": True, "replace": False,
    "reset_values": False, "reuse_values": False, "skip_crds": False, "take_ownership": False,
    "timeout": 300, "upgrade_install": False, "verify": False, "wait": True, "wait_for_jobs": False,
}


def read_chart(path: str) -> dict[str, Any]:
    """Chart.yaml of a local chart archive, checked like `helm install <path>` would."""
    import yaml

    archive = Path(path)
    if not archive.is_file():
        raise Problem("Could not load chart", f'path "{path}" not found', ["chart"])
    try:
        with tarfile.open(archive, "r:gz") as tar:
            names = [m.name for m in tar.getmembers()]
            top = {n.split("/", 1)[0] for n in names}
            chart_yaml = next((n for n in names if n.count("/") == 1 and n.endswith("/Chart.yaml")), None)
            if len(top) != 1 or chart_yaml is None:
                raise Problem("Could not load chart", f"{path}: Chart.yaml file is missing", ["chart"])
            fh = tar.extractfile(chart_yaml)
            assert fh is not None
            meta = yaml.safe_load(fh.read())
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise Problem("Could not load chart", f"{path}: not a chart archive: {exc}", ["chart"]) from exc
    except yaml.YAMLError as exc:
        raise Problem("Could not load chart", f"{path}: Chart.yaml does not parse: {exc}", ["chart"]) from exc
    if not isinstance(meta, dict) or not meta.get("name") or not meta.get("version"):
        raise Problem("Could not load chart", f"{path}: validation: chart.metadata.name is required",
                      ["chart"])
    folder = top.pop()
    if folder != meta["name"] or not archive.name.startswith(f"{meta['name']}-"):
        raise Problem("Could not load chart",
                      f"{path}: the archive holds chart {meta['name']!r} (folder {folder!r})", ["chart"])
    return meta


class _Helm(Behaviour):
    def plan(self, planned: dict[str, Any], prior: dict[str, Any] | None, config: dict[str, Any],
             changed: bool) -> None:
        import yaml

        for name, default in HELM_DEFAULTS.items():
            if config.get(name) is None and (prior is None or planned.get(name) is Unknown):
                planned[name] = default
        chart = config.get("chart")
        if isinstance(chart, str):
            meta = read_chart(chart)
            wanted = config.get("version")
            if isinstance(wanted, str) and wanted != str(meta["version"]):
                raise Problem("Chart version mismatch",
                              f"chart {chart} is version {meta['version']}, but version = {wanted!r}",
                              ["version"])
            planned["version"] = str(meta["version"])
        for i, doc in enumerate(config.get("values") or []):
            if isinstance(doc, str):
                try:
                    parsed = yaml.safe_load(doc)
                except yaml.YAMLError as exc:
                    raise Problem("Failed to parse values",
                                  f"values[{i}]: {str(exc).splitlines()[0]}", ["values"]) from exc
                if parsed is not None and not isinstance(parsed, dict):
                    raise Problem("Failed to parse values", f"values[{i}] is not a YAML mapping", ["values"])
        # Known at plan time with experiments.manifest (the real provider renders against the cluster,
        # and `resources` are the objects of a server-side dry run); null without it.
        manifest_on = bool(self.settings.get("manifest"))
        rendered = manifest_on and isinstance(chart, str)
        objects = render_objects(str(chart), config) if rendered else None
        planned["manifest"] = json.dumps(objects, sort_keys=True) if objects is not None else None
        planned["resources"] = dry_run_resources(objects) if objects is not None else None
        if prior is None:
            planned["status"] = Unknown
            planned["metadata"] = Unknown
        elif planned != prior:
            # ModifyPlan (resource_helm_release.go) makes `metadata` unknown when an input it tracks
            # changes (recomputeMetadata) and, under the experiment, when the dry-run resources differ
            # from the state's. Every update runs `helm upgrade`, whose new revision lands in `metadata`:
            # so here any update makes it unknown, also one the real provider leaves known (the manifest
            # dropped when the experiment is switched off), where it would fail the apply with
            # "Provider produced inconsistent result after apply".
            planned["metadata"] = Unknown

    def apply(self, new: dict[str, Any], prior: dict[str, Any] | None) -> None:
        import yaml

        meta = read_chart(new["chart"])
        try:
            helm_template(new["chart"], new)  # Helm renders before it installs: a template error stops here
        except Problem as problem:
            if prior is not None:  # the real provider: AddError("Error upgrading chart", "Upgrade failed: …")
                raise Problem("Error upgrading chart", f"Upgrade failed: {problem.detail}",
                              ["chart"]) from None
            raise
        merged: dict[str, Any] = {}
        for doc in new.get("values") or []:
            merged.update(yaml.safe_load(doc) or {})
        # Like the real provider: `set` entries land in metadata.values as given, set_sensitive ones cloaked.
        for key, cloak in (("set", False), ("set_sensitive", True)):
            for entry in new.get(key) or []:
                _put(merged, entry["name"], "(sensitive value)" if cloak else entry.get("value"))
        revision = 1 if prior is None else int((prior.get("metadata") or {}).get("revision") or 0) + 1
        new["id"] = new["name"]
        new["status"] = "deployed"
        new["metadata"] = {
            "app_version": str(meta.get("appVersion", "")), "chart": meta["name"],
            "first_deployed": EPOCH if prior is None else (prior.get("metadata") or {}).get("first_deployed"),
            "last_deployed": EPOCH + revision, "name": new["name"], "namespace": new["namespace"],
            "notes": "", "revision": revision, "values": json.dumps(merged, sort_keys=True),
            "version": str(meta["version"]),
        }


def _put(tree: dict[str, Any], name: str, value: Any) -> None:
    """Helm's --set path (`a.b\\.c` is keys a, b.c) into a values tree."""
    keys = [k.replace("\0", ".") for k in name.replace("\\.", "\0").split(".")]
    for key in keys[:-1]:
        node = tree.get(key)
        if not isinstance(node, dict):
            node = tree[key] = {}
        tree = node
    tree[keys[-1]] = value


def _redacted(value: str) -> str:
    digest = hashlib.sha256(value.encode()).hexdigest()[:16]
    return base64.b64encode(f"(sensitive value {digest})".encode()).decode()


# The Kubernetes version the stand-in cluster reports to Helm (`.Capabilities.KubeVersion`).
KUBE_VERSION = os.environ.get("K8SPROV_STANDIN_KUBE_VERSION", "1.31.0")


def _set_entries(config: dict[str, Any]) -> list[Any]:
    from k8sprov.helm import SetEntry

    entries = []
    for attr, sensitive in (("set", False), ("set_sensitive", True)):
        for item in config.get(attr) or []:
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                value = item.get("value")
                entries.append(SetEntry(item["name"], "" if value is None else str(value),
                                        item.get("type") if isinstance(item.get("type"), str) else None,
                                        sensitive=sensitive))
    return entries


def helm_template(chart: str, config: dict[str, Any]) -> str:
    """What Helm renders for this release: the real Helm 3 (K8SPROV_HELM, the test kit's 3.17.3) through
    k8sprov's Helm seam, cached on disk by the inputs (the same inputs render the same bytes).

    Raises Problem with Helm's own message where `helm install` would fail (a template error)."""
    from k8sprov.helm import HelmBinary, HelmTemplateError, resolve, template

    values = [doc for doc in config.get("values") or [] if isinstance(doc, str)]
    sets = _set_entries(config)
    name = str(config.get("name") or "")
    namespace = str(config.get("namespace") or "default")
    key = hashlib.sha256(json.dumps([hashlib.sha256(Path(chart).read_bytes()).hexdigest(), values,
                                     [(e.name, e.value, e.type, e.sensitive) for e in sets], name, namespace,
                                     KUBE_VERSION]).encode()).hexdigest()
    cache = Path(os.environ.get("K8SPROV_TEST_CACHE") or Path.home() / ".cache" / "k8sprov-test") \
        / "standin" / "renders" / f"{key}.yaml"
    if cache.is_file():
        return cache.read_text()
    request = os.environ.get("K8SPROV_HELM")
    if not request:
        raise Problem("No Helm for the stand-in", "K8SPROV_HELM is not set: run tests/kit/fetch_helm.py "
                      "(tests/kit/standin.py --print-env prints it)")
    helm: HelmBinary = resolve(request)
    try:
        text = template(helm, release=name, namespace=namespace, chart=Path(chart), values=values, sets=sets,
                        kube_version=KUBE_VERSION, api_versions=[], include_crds=True)
    except HelmTemplateError as err:
        # The real provider: AddError("installation failed", err.Error()) with Helm's own error text.
        said = [line for line in (err.detail or "").splitlines() if line.startswith("Error: ")]
        raise Problem("installation failed", said[0].removeprefix("Error: ") if said else err.message,
                      ["chart"]) from err
    cache.parent.mkdir(parents=True, exist_ok=True)
    part = cache.with_suffix(f".{os.getpid()}.part")
    part.write_text(text)
    part.replace(cache)
    return text


def render_objects(chart: str, config: dict[str, Any]) -> dict[str, Any]:
    """The objects of `helm_release.manifest` as the helm provider's manifest experiment writes it (a JSON
    object of them, `json.dumps(..., sort_keys=True)`) keyed
    `[<namespace>/]<kind[.group]>/<apiVersion>/<name>` (lowercase kind) -> object, Secret `data` redacted.

    The objects are what the real Helm renders (`helm_template`)."""
    from k8sprov.rendering.manifest import parse_manifest

    name = str(config.get("name") or "")
    namespace = str(config.get("namespace") or "default")
    objects: dict[str, Any] = {}
    for rendered in parse_manifest(helm_template(chart, config), release=name, namespace=namespace):
        obj = rendered.body
        if not obj.get("kind") or not obj.get("apiVersion"):
            continue
        api = str(obj["apiVersion"])
        group = api.split("/")[0] if "/" in api else ""
        kind = str(obj["kind"]).lower() + (f".{group}" if group else "")
        metadata = obj.get("metadata") or {}
        ns = metadata.get("namespace")
        key = f"{ns + '/' if ns else ''}{kind}/{api}/{metadata.get('name', '')}"
        if obj["kind"] == "Secret" and isinstance(obj.get("data"), dict):
            obj["data"] = {k: _redacted(str(v)) for k, v in obj["data"].items()}
        objects[key] = obj
    return objects


def dry_run_resources(objects: dict[str, Any]) -> dict[str, str]:
    """`helm_release.resources` under the experiment: the rendered objects keyed
    `<kind[.group]>/<version>/<namespace>/<name>`, each as JSON text (no API server adds defaults here)."""
    out: dict[str, str] = {}
    for obj in objects.values():
        group, _, version = str(obj["apiVersion"]).rpartition("/")
        kind = str(obj["kind"]).lower() + (f".{group}" if group else "")
        metadata = obj.get("metadata") or {}
        key = f"{kind}/{version}/{metadata.get('namespace') or ''}/{metadata.get('name', '')}"
        out[key] = json.dumps(obj, sort_keys=True)
    return out


_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


def label_key_problem(key: str) -> str | None:
    """Kubernetes' IsQualifiedName: optional DNS-subdomain prefix (<= 253) '/' name (<= 63)."""
    prefix, _, name = key.rpartition("/")
    if "/" in key and (not prefix or len(prefix) > 253 or not _DNS1123_SUBDOMAIN.match(prefix)):
        return f"prefix part of {key!r} must be a DNS-1123 subdomain of at most 253 characters"
    if not name or len(name) > 63 or not _LABEL_NAME.match(name):
        return (f"name part of {key!r} must be at most 63 characters: alphanumerics, '-', '_' or '.', "
                "starting and ending with an alphanumeric")
    return None


def label_value_problem(value: str) -> str | None:
    if len(value) > 63 or not _LABEL_VALUE.match(value):
        return (f"label value {value!r} must be at most 63 characters: alphanumerics, '-', '_' or '.', "
                "starting and ending with an alphanumeric")
    return None


class _Namespace(Behaviour):
    def validate(self, config: dict[str, Any]) -> None:
        for meta in config.get("metadata") or []:
            if not isinstance(meta, dict):
                continue
            name = meta.get("name")
            if isinstance(name, str) and (len(name) > 63 or not _DNS1123_LABEL.match(name)):
                raise Problem("Invalid namespace name",
                              f"metadata.0.name {name!r} is not a DNS-1123 label (lowercase alphanumerics "
                              "and '-', at most 63 characters)", ["metadata"])
            labels = meta.get("labels")
            if isinstance(labels, dict):
                for key, value in labels.items():
                    problem = label_key_problem(key) or (
                        label_value_problem(value) if isinstance(value, str) else None)
                    if problem:
                        raise Problem("Invalid label", f"metadata.0.labels: {problem}", ["metadata"])

    def plan(self, planned: dict[str, Any], prior: dict[str, Any] | None, config: dict[str, Any],
             changed: bool) -> None:
        if config.get("wait_for_default_service_account") is None and prior is None:
            planned["wait_for_default_service_account"] = False
        if prior is not None and changed:
            for meta in planned.get("metadata") or []:
                meta["resource_version"] = Unknown

    def apply(self, new: dict[str, Any], prior: dict[str, Any] | None) -> None:
        meta = (new.get("metadata") or [{}])[0]
        name = meta.get("name") or "unnamed"
        new["id"] = name
        meta["uid"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"namespace/{name}"))
        meta["generation"] = 0
        rv = 1 if prior is None else int((prior.get("metadata") or [{}])[0].get("resource_version") or 0) + 1
        meta["resource_version"] = str(rv)

    def import_state(self, id_: str) -> dict[str, Any]:
        return {"id": id_, "metadata": [{"name": id_}]}


def _pem(kind: str, seed: str) -> str:
    body = base64.b64encode(hashlib.sha512(seed.encode()).digest() * 3).decode()
    lines = "\n".join(body[i:i + 64] for i in range(0, len(body), 64))
    return base64.b64encode(f"-----BEGIN {kind}-----\n{lines}\n-----END {kind}-----\n".encode()).decode()


class _Talos(Behaviour):
    def plan(self, planned: dict[str, Any], prior: dict[str, Any] | None, config: dict[str, Any],
             changed: bool) -> None:
        if config.get("endpoint") is None and isinstance(config.get("node"), str):
            planned["endpoint"] = config["node"]
        if config.get("certificate_renewal_duration") is None:
            planned["certificate_renewal_duration"] = "720h"

    def apply(self, new: dict[str, Any], prior: dict[str, Any] | None) -> None:
        endpoint = new.get("endpoint") or new["node"]
        host = f"https://{endpoint}:6443"
        kube = {"host": host, "ca_certificate": _pem("CERTIFICATE", f"ca/{endpoint}"),
                "client_certificate": _pem("CERTIFICATE", f"admin/{endpoint}"),
                "client_key": _pem("EC PRIVATE KEY", f"admin-key/{endpoint}")}
        new["id"] = new["node"]
        new["kubernetes_client_configuration"] = kube
        new["kubeconfig_raw"] = (
            "apiVersion: v1\nkind: Config\nclusters:\n- name: talos\n  cluster:\n"
            f"    server: {host}\n    certificate-authority-data: {kube['ca_certificate']}\n"
            "users:\n- name: admin@talos\n  user:\n"
            f"    client-certificate-data: {kube['client_certificate']}\n"
            f"    client-key-data: {kube['client_key']}\n"
            "contexts:\n- name: admin@talos\n  context:\n    cluster: talos\n    user: admin@talos\n"
            "current-context: admin@talos\n")


BEHAVIOUR: dict[str, Behaviour] = {
    "helm_release": _Helm(),
    "kubernetes_namespace_v1": _Namespace(),
    "talos_cluster_kubeconfig": _Talos(),
}


# -- the gRPC service ---------------------------------------------------------------------------------

class StandIn(rpc.ProviderServicer):  # type: ignore[misc]
    def __init__(self, schema: bytes, name: str = "provider") -> None:
        self.name = name
        self.raw = schema
        self.schema = pb.GetProviderSchema.Response.FromString(schema)
        self._blocks: dict[str, Block] = {}
        self.cluster: ClusterFile | None = None  # where this provider's objects live, once configured

    def block(self, type_name: str) -> Block:
        if type_name not in self._blocks:
            self._blocks[type_name] = Block(self.schema.resource_schemas[type_name].block)
        return self._blocks[type_name]

    def GetMetadata(self, request: Any, context: Any) -> Any:
        return pb.GetMetadata.Response(
            server_capabilities=self.schema.server_capabilities,
            resources=[pb.GetMetadata.ResourceMetadata(type_name=t) for t in self.schema.resource_schemas],
            data_sources=[pb.GetMetadata.DataSourceMetadata(type_name=t)
                          for t in self.schema.data_source_schemas])

    def GetProviderSchema(self, request: Any, context: Any) -> Any:
        return self.schema

    def GetFunctions(self, request: Any, context: Any) -> Any:
        return pb.GetFunctions.Response()

    def ValidateProviderConfig(self, request: Any, context: Any) -> Any:
        return pb.ValidateProviderConfig.Response()

    def ConfigureProvider(self, request: Any, context: Any) -> Any:
        config = read_dynamic_value(request.config) or {}
        experiments = config.get("experiments")
        manifest = isinstance(experiments, dict) and experiments.get("manifest") is True
        Behaviour.settings = {"manifest": manifest}
        folder = os.environ.get(ENV_VAR)
        if folder and self.name in CLUSTER_PROVIDERS:
            self.cluster = ClusterFile.for_provider(Path(folder), self.name, config)
        record = os.environ.get("K8SPROV_STANDIN_RECORD")
        if record:  # tests read how Terraform configured the provider (e.g. from Talos' output)
            path = Path(record) / f"{self.name}-configure.json"
            path.write_text(json.dumps(config, default=lambda v: "(unknown)" if v is Unknown else str(v)))
        return pb.ConfigureProvider.Response()

    def StopProvider(self, request: Any, context: Any) -> Any:
        return pb.StopProvider.Response()

    def ValidateResourceConfig(self, request: Any, context: Any) -> Any:
        config = read_dynamic_value(request.config) or {}
        try:
            BEHAVIOUR.get(request.type_name, Behaviour()).validate(config)
        except Problem as problem:
            return pb.ValidateResourceConfig.Response(diagnostics=[_diag(problem)])
        return pb.ValidateResourceConfig.Response()

    def ValidateDataResourceConfig(self, request: Any, context: Any) -> Any:
        return pb.ValidateDataResourceConfig.Response()

    def ReadDataSource(self, request: Any, context: Any) -> Any:
        block = Block(self.schema.data_source_schemas[request.type_name].block)
        value = block.complete(read_dynamic_value(request.config))
        if "id" in block.attrs and value.get("id") is None:
            value["id"] = request.type_name
        block.fill_unknown(value, request.type_name)
        return pb.ReadDataSource.Response(state=to_dynamic_value(value))

    def UpgradeResourceState(self, request: Any, context: Any) -> Any:
        raw = json.loads(request.raw_state.json) if request.raw_state.json else None
        value = self.block(request.type_name).complete(raw) if raw is not None else None
        return pb.UpgradeResourceState.Response(upgraded_state=to_dynamic_value(value))

    def ReadResource(self, request: Any, context: Any) -> Any:
        key = self._object_key(request.type_name, read_dynamic_value(request.current_state))
        if self.cluster is None or key is None:
            return pb.ReadResource.Response(new_state=request.current_state, private=request.private)
        found = self.cluster.get(key)
        if found is None:  # gone from the cluster: the real providers return null, Terraform forgets it
            return pb.ReadResource.Response(new_state=pb.DynamicValue(msgpack=msgpack.packb(None)),
                                            private=request.private)
        state = self.block(request.type_name).complete(found)
        return pb.ReadResource.Response(new_state=to_dynamic_value(state), private=request.private)

    def _object_key(self, type_name: str, value: Any) -> str | None:
        return object_key(type_name, value) if self.cluster is not None else None

    def _store(self, type_name: str, prior: Any, new: Any) -> None:
        """Apply's effect on the stand-in cluster: the object written, or removed on destroy."""
        if self.cluster is None:
            return
        old_key, new_key = self._object_key(type_name, prior), self._object_key(type_name, new)
        if old_key is not None and old_key != new_key:
            self.cluster.remove(old_key)
        if new_key is not None:
            self.cluster.put(new_key, new)

    def PlanResourceChange(self, request: Any, context: Any) -> Any:
        proposed = read_dynamic_value(request.proposed_new_state)
        if proposed is None:  # destroy
            return pb.PlanResourceChange.Response(planned_state=request.proposed_new_state)
        prior = read_dynamic_value(request.prior_state)
        config = read_dynamic_value(request.config) or {}
        block = self.block(request.type_name)
        planned = block.complete(copy.deepcopy(proposed))
        if prior is None:
            block.unknown_computed(planned, config)
        changed = prior is not None and block.inputs(prior) != block.inputs(planned)
        try:
            BEHAVIOUR.get(request.type_name, Behaviour()).plan(planned, prior, config, changed)
        except Problem as problem:
            return pb.PlanResourceChange.Response(diagnostics=[_diag(problem)])
        return pb.PlanResourceChange.Response(planned_state=to_dynamic_value(planned),
                                              planned_private=request.prior_private)

    def ApplyResourceChange(self, request: Any, context: Any) -> Any:
        planned = read_dynamic_value(request.planned_state)
        prior = read_dynamic_value(request.prior_state)
        if planned is None:  # destroy
            self._store(request.type_name, prior, None)
            return pb.ApplyResourceChange.Response(new_state=request.planned_state)
        new = copy.deepcopy(planned)
        try:
            BEHAVIOUR.get(request.type_name, Behaviour()).apply(new, prior)
        except Problem as problem:
            return pb.ApplyResourceChange.Response(diagnostics=[_diag(problem)])
        block = self.block(request.type_name)
        block.fill_unknown(new, request.type_name)
        self._store(request.type_name, prior, new)
        return pb.ApplyResourceChange.Response(new_state=to_dynamic_value(new),
                                               private=request.planned_private)

    def ImportResourceState(self, request: Any, context: Any) -> Any:
        value = BEHAVIOUR.get(request.type_name, Behaviour()).import_state(request.id)
        state = self.block(request.type_name).complete(value)
        return pb.ImportResourceState.Response(imported_resources=[
            pb.ImportResourceState.ImportedResource(type_name=request.type_name,
                                                    state=to_dynamic_value(state))])


def serve(schema: bytes, cert_cache: Path, name: str) -> None:
    """go-plugin's handshake and a tfplugin6 server (the `tf` package's runner, with this servicer)."""
    import tempfile
    from concurrent import futures

    import grpc
    from tf import runner
    from tf.gen import grpc_controller_pb2 as controller_pb
    from tf.gen import grpc_controller_pb2_grpc as controller_rpc
    from tf.gen import grpc_stdio_pb2_grpc as stdio_rpc

    cert_cache.mkdir(parents=True, exist_ok=True)
    runner._get_cert_cache_path = lambda: cert_cache / "ssl_cert.json"  # type: ignore[attr-defined]
    stopped = False
    # The real charts' manifests (prometheus-operator-crds: MBs of CRD schemas, twice under the manifest
    # experiment) pass gRPC's 4 MB default; Terraform's own side has no such limit.
    unlimited = [("grpc.max_receive_message_length", -1), ("grpc.max_send_message_length", -1)]
    server = grpc.server(thread_pool=futures.ThreadPoolExecutor(max_workers=4), options=unlimited)
    rpc.add_ProviderServicer_to_server(StandIn(schema, name), server)

    class Controller(controller_rpc.GRPCControllerServicer):  # type: ignore[misc]
        def Shutdown(self, request: Any, context: Any) -> Any:
            nonlocal stopped
            stopped = True
            return controller_pb.Empty()

    class Stdio(stdio_rpc.GRPCStdioServicer):  # type: ignore[misc]
        def StreamStdio(self, request: Any, context: Any) -> Any:
            return iter([])  # nothing to forward; answering keeps go-plugin from logging an error

    controller_rpc.add_GRPCControllerServicer_to_server(Controller(), server)
    stdio_rpc.add_GRPCStdioServicer_to_server(Stdio(), server)
    with tempfile.TemporaryDirectory() as tmp:
        sock = f"{tmp}/plugin.sock"
        chain, credentials = runner._self_signed_cert()  # type: ignore[attr-defined]
        server.add_secure_port(f"unix://{sock}", credentials)
        server.start()
        cert = base64.b64encode(chain).decode().rstrip("=")
        print(f"1|6|unix|{sock}|grpc|{cert}", flush=True)
        while server.wait_for_termination(0.05):  # True: timed out, still serving
            if stopped:
                break
        server.stop(grace=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provider", required=True, help="the provider's type, e.g. helm")
    parser.add_argument("--schema", type=Path, required=True)
    parser.add_argument("--cert-cache", type=Path, required=True)
    args = parser.parse_args()
    serve(args.schema.read_bytes(), args.cert_cache, args.provider)


if __name__ == "__main__":
    main()
