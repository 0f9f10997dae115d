"""The built-in kinds of one Kubernetes version: their schemas (from `kubernetes-validate`'s strict JSON
schemas, compiled here), scope, and the API server's rules the schemas leave out (hooks on definitions:
quantities, label and annotation keys and values, requests within limits)."""

from __future__ import annotations

import importlib.util
import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import k8sprov.rendering.checks.names as names
from k8sprov.errors import UsageError
from k8sprov.rendering.checks.compiler import Hook, PathLink, Problem, Problems, SchemaCompiler, Validator
from k8sprov.rendering.checks.quantity import HINT, parse_quantity

_DEFS = "io.k8s."
_REF_PREFIX = re.compile(r"^.*#/\$defs/")
OLDEST, NEWEST = (1, 25), (1, 37)

# The schemas carry no scope; these built-in kinds are cluster-scoped (every other built-in kind is
# namespaced). Custom resources take their CRD's `spec.scope`.
CLUSTER_SCOPED = frozenset({
    "Namespace", "Node", "PersistentVolume", "ComponentStatus", "ClusterRole", "ClusterRoleBinding",
    "CustomResourceDefinition", "APIService", "StorageClass", "CSIDriver", "CSINode", "VolumeAttachment",
    "VolumeAttributesClass", "PriorityClass", "RuntimeClass", "IngressClass", "IPAddress", "ServiceCIDR",
    "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding", "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding",
    "FlowSchema", "PriorityLevelConfiguration", "CertificateSigningRequest", "ClusterTrustBundle",
    "DeviceClass", "ResourceSlice", "StorageVersion", "StorageVersionMigration", "TokenReview",
    "SelfSubjectReview", "SelfSubjectAccessReview", "SelfSubjectRulesReview", "SubjectAccessReview",
})


def schema_root() -> Path:
    # Only its data is used: the package's own validator is never imported.
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("kubernetes-validate (the Kubernetes API's JSON schemas) is not installed")
    return Path(spec.origin).parent / "kubernetes-json-schema"


def schema_version(kube_version: str) -> tuple[int, int]:
    """The schemas used for a `major.minor[.patch]` version: the newest shipped one not newer than it."""
    return max(OLDEST, min(NEWEST, major_minor(kube_version)))


def major_minor(kube_version: str) -> tuple[int, int]:
    match = re.match(r"^v?(\d+)\.(\d+)(\.\d+)?$", kube_version.strip())
    if not match:
        raise UsageError(f"Kubernetes version {kube_version!r} is not major.minor[.patch]",
                         hint="give a version like 1.31")
    return int(match.group(1)), int(match.group(2))


# --- hooks: the API server's value rules the OpenAPI schemas do not express --------------------------

def _check_quantity(value: Any, path: PathLink, problems: Problems) -> None:
    if isinstance(value, str) and parse_quantity(value) is None:  # other types: the schema's finding
        problems.append(Problem("api", path, f"{value!r} is not a quantity ({HINT})", value))


def _check_labels(labels: Any, path: PathLink, problems: Problems) -> None:
    if not isinstance(labels, dict):
        return
    for key, value in labels.items():
        at = (path, key)
        for problem in names.qualified_name(str(key)):
            problems.append(Problem("api", at, f"label key {key!r}: {problem}", key))
        if isinstance(value, str):
            for problem in names.label_value(value):
                problems.append(Problem("api", at, f"label value {value!r}: {problem}", value))


def _check_object_meta(meta: Any, path: PathLink, problems: Problems) -> None:
    if not isinstance(meta, dict):
        return
    _check_labels(meta.get("labels"), (path, "labels"), problems)
    annotations = meta.get("annotations")
    if isinstance(annotations, dict):
        for key in annotations:
            for problem in names.qualified_name(str(key)):
                problems.append(Problem("api", ((path, "annotations"), key),
                                        f"annotation key {key!r}: {problem}", key))
        if names.annotations_size(annotations) > names.TOTAL_ANNOTATION_BYTES:
            problems.append(Problem("api", (path, "annotations"),
                                    "annotations are larger than 256 KiB in total"))


def _check_selector(selector: Any, path: PathLink, problems: Problems) -> None:
    if isinstance(selector, dict):
        _check_labels(selector.get("matchLabels"), (path, "matchLabels"), problems)


def _check_requirements(resources: Any, path: PathLink, problems: Problems) -> None:
    if not isinstance(resources, dict):
        return
    raw_limits, raw_requests = resources.get("limits"), resources.get("requests")
    limits: dict[str, Any] = raw_limits if isinstance(raw_limits, dict) else {}
    requests: dict[str, Any] = raw_requests if isinstance(raw_requests, dict) else {}
    for section, entries in (("limits", limits), ("requests", requests)):
        for name, raw in entries.items():
            amount = parse_quantity(raw)
            if amount is not None and amount < 0:
                problems.append(Problem("api", ((path, section), name),
                                        f"{raw!r} must be greater than or equal to 0", raw))
    for name, raw in requests.items():
        if name in limits:
            asked, cap = parse_quantity(raw), parse_quantity(limits[name])
            if asked is not None and cap is not None and asked > cap:
                problems.append(Problem("api", ((path, "requests"), name),
                                        f"request {raw!r} must be less than or equal to the limit "
                                        f"{limits[name]!r}", raw))


def _enums(allowed: Mapping[str, tuple[str, ...]]) -> Hook:
    """Fields the API server restricts to a few values that the schemas type only as strings."""
    def check(value: Any, path: PathLink, problems: Problems) -> None:
        if not isinstance(value, dict):
            return
        for name, choices in allowed.items():
            got = value.get(name)
            if isinstance(got, str) and got not in choices:
                problems.append(Problem("api", (path, name), f"unsupported value {got!r}: one of "
                                        f"{', '.join(repr(c) for c in choices)}", got))
    return check


_HOOKS = {
    "io.k8s.api.core.v1.Container": _enums({"imagePullPolicy": ("Always", "IfNotPresent", "Never")}),
    "io.k8s.api.core.v1.PodSpec": _enums({
        "restartPolicy": ("Always", "OnFailure", "Never"),
        "dnsPolicy": ("ClusterFirst", "ClusterFirstWithHostNet", "Default", "None")}),
    "io.k8s.api.core.v1.ContainerPort": _enums({"protocol": ("TCP", "UDP", "SCTP")}),
    "io.k8s.api.core.v1.ServicePort": _enums({"protocol": ("TCP", "UDP", "SCTP")}),
    "io.k8s.api.core.v1.ServiceSpec": _enums({
        "type": ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName"),
        "externalTrafficPolicy": ("Cluster", "Local"), "internalTrafficPolicy": ("Cluster", "Local"),
        "sessionAffinity": ("ClientIP", "None")}),
    "io.k8s.apimachinery.pkg.api.resource.Quantity": _check_quantity,
    "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta": _check_object_meta,
    "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector": _check_selector,
    "io.k8s.api.core.v1.ResourceRequirements": _check_requirements,
}


@dataclass
class BuiltinSchemas:
    """One version's definitions and their compiled validators (compiled lazily, kept for the process)."""

    version: tuple[int, int]
    definitions: Mapping[str, Any]
    kinds: dict[tuple[str, str, str], str]  # (group, version, kind) -> definition name
    groups: frozenset[str]
    _compiler: SchemaCompiler = field(init=False)
    _validators: dict[str, Validator] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._compiler = SchemaCompiler(check="schema", crd=False, resolve=self._resolve, hooks=_HOOKS)

    def _resolve(self, ref: str) -> tuple[str, Mapping[str, Any]]:
        name = _REF_PREFIX.sub("", ref)
        return name, self.definitions[name]

    def definition_of(self, api_version: str, kind: str) -> str | None:
        group, _, version = api_version.rpartition("/")
        return self.kinds.get((group, version, kind))

    def validator(self, definition: str) -> Validator:
        with self._lock:
            found = self._validators.get(definition)
            if found is None:
                found = self._validators[definition] = self._compiler.compile(
                    {"$ref": f"#/$defs/{definition}"})
            return found

    def object_meta(self) -> Validator:
        return self.validator("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")


_LOAD_LOCK = threading.Lock()


@cache
def _load(version: tuple[int, int]) -> BuiltinSchemas:
    folder = schema_root() / f"v{version[0]}.{version[1]}.0-local-strict"
    definitions = json.loads((folder / "_definitions.json").read_text(encoding="utf-8"))["$defs"]
    kinds: dict[tuple[str, str, str], str] = {}
    for name, node in definitions.items():
        for gvk in node.get("x-kubernetes-group-version-kind") or ():
            # ObjectMeta-carrying kinds only: DeleteOptions & co. list every group but are not objects.
            if "metadata" in (node.get("properties") or {}) and name.startswith(_DEFS) \
                    and not name.endswith("List"):
                kinds[(gvk.get("group", ""), gvk["version"], gvk["kind"])] = name
    groups = frozenset(group for group, _, _ in kinds)
    return BuiltinSchemas(version=version, definitions=definitions, kinds=kinds, groups=groups)


def builtin_schemas(kube_version: str) -> BuiltinSchemas:
    with _LOAD_LOCK:
        return _load(schema_version(kube_version))
