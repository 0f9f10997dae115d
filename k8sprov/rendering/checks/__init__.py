"""Offline checks of a stack's rendered releases: what the API server, Helm and Pod Security Admission
would refuse, found before Terraform runs. Pure: objects and a context in, findings out.

Checks: `schema` (built-in kinds against the Kubernetes version's strict schemas), `crd-schema` (custom
resources against the CRDs the same or an earlier release installs), `api` (quantities, label and
annotation keys and values, object names, namespaces the stack creates), `duplicate` (one object
rendered twice), `pod-security` (Pod Security Standards levels the stack puts on its namespaces).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import k8sprov.rendering.checks.names as names
from k8sprov.errors import UsageError
from k8sprov.rendering.checks.builtin import CLUSTER_SCOPED, BuiltinSchemas, builtin_schemas, major_minor
from k8sprov.rendering.checks.compiler import PathLink, Problem, Problems, render_path
from k8sprov.rendering.checks.crds import CrdIndex, custom_resource_validator, is_crd, served_api_versions
from k8sprov.rendering.checks.podsecurity import LEVELS, PodTemplate, pod_template, stricter, violations
from k8sprov.rendering.checks.sources import ValuesLocator
from k8sprov.rendering.model import Finding, ReleaseRender, RenderedObject, Severity

__all__ = ["CheckContext", "NamespacePolicy", "api_versions_of_crds", "namespace_levels", "run_checks"]

_PSA_LABEL = "pod-security.kubernetes.io/"
SYSTEM_NAMESPACES = frozenset({"default", "kube-system", "kube-public", "kube-node-lease"})


@dataclass(frozen=True)
class NamespacePolicy:
    """The Pod Security Admission labels of a namespace: `enforce` rejects pods, `warn` only warns."""

    enforce: str  # "privileged" | "baseline" | "restricted"
    warn: str | None = None
    audit: str | None = None

    def __post_init__(self) -> None:
        for name in ("enforce", "warn", "audit"):
            level = getattr(self, name)
            if level is not None and level not in LEVELS:
                raise UsageError(f"Pod Security level {name}={level!r} is unknown",
                                 hint=f"one of {', '.join(LEVELS)}")

    @classmethod
    def from_labels(cls, labels: Mapping[str, object]) -> NamespacePolicy | None:
        """The policy a Namespace object's `pod-security.kubernetes.io/*` labels set, if they name one."""
        found = {mode: str(labels.get(f"{_PSA_LABEL}{mode}")) for mode in ("enforce", "warn", "audit")
                 if str(labels.get(f"{_PSA_LABEL}{mode}")) in LEVELS}
        if not found:
            return None
        return cls(found.get("enforce", "privileged"), found.get("warn"), found.get("audit"))


@dataclass(frozen=True)
class CheckContext:
    kube_version: str  # "1.31" (major.minor); the schemas of v1.31.0
    namespaces: Mapping[str, NamespacePolicy]  # namespaces the stack creates
    system_namespaces: frozenset[str] = field(default=SYSTEM_NAMESPACES)


def api_versions_of_crds(objects: Iterable[RenderedObject]) -> list[str]:
    """What Helm's `.Capabilities.APIVersions.Has` would see once these CRDs are installed: for each
    served version, `group/version` and `group/version/Kind` (a cluster's discovery gives Helm both)."""
    return served_api_versions(objects)


def _last_key(problem_path: object) -> str | None:
    if isinstance(problem_path, tuple):
        key = problem_path[1]
        return key if isinstance(key, str) else _last_key(problem_path[0])
    return None


@dataclass
class _Run:
    context: CheckContext
    schemas: BuiltinSchemas
    crds: CrdIndex
    version: tuple[int, int]
    findings: list[Finding] = field(default_factory=list)
    namespaces: set[str] = field(default_factory=set)
    seen: dict[tuple[str, str, str, str], str] = field(default_factory=dict)
    policies: dict[str, NamespacePolicy] = field(default_factory=dict)

    def check_release(self, position: int, render: ReleaseRender) -> None:
        release = render.inputs.name
        locator = ValuesLocator(render.inputs.values)
        # Helm creates a release's Namespace objects before the rest of it; their Pod Security labels
        # apply to the pods of the same and later releases.
        for obj in render.objects:
            if obj.kind == "Namespace" and obj.group == "":
                self.namespaces.add(obj.name)
                labels = obj.metadata.get("labels")
                policy = NamespacePolicy.from_labels(labels) if isinstance(labels, dict) else None
                if policy is not None and obj.name not in self.policies:
                    self.policies[obj.name] = policy
        for obj in render.objects:
            problems: Problems = []
            namespaced = self._validate(position, obj, problems)
            namespace = (obj.declared_namespace or obj.release_namespace) if namespaced else ""
            ref = obj.ref(namespace)
            self._api(obj, namespaced, namespace, problems)
            for problem in problems:
                self._add(Severity.ERROR, problem.check, release, ref, render_path(problem.path),
                          problem.message, locator.find(problem.value, _last_key(problem.path)))
            self._duplicate(obj, namespace, release, ref, locator)
            template = pod_template(obj.kind, obj.group, obj.body) if namespaced else None
            if template is not None:
                self._pod_security(template, namespace, release, ref, locator)

    def _add(self, severity: Severity, check: str, release: str, ref: str, path: str | None, message: str,
             source: str | None) -> None:
        self.findings.append(Finding(severity, check, release, message, object=ref, path=path or None,
                                     source=source))

    def _validate(self, position: int, obj: RenderedObject, problems: Problems) -> bool:
        """Schema or CRD-schema problems of one object; returns whether it is namespaced."""
        definition = self.schemas.definition_of(obj.api_version, obj.kind)
        if definition is not None:
            self.schemas.validator(definition)(obj.body, None, problems)
            return obj.kind not in CLUSTER_SCOPED
        crd = self.crds.find(obj.group, obj.kind)
        if crd is None:
            known = sorted(f"{g}/{v}".lstrip("/") for (g, v, k) in self.schemas.kinds
                           if k == obj.kind and g == obj.group)
            served = f" (Kubernetes {self.version[0]}.{self.version[1]} serves {', '.join(known)})" if known \
                else ""
            where = obj.api_version or "(no apiVersion)"
            problems.append(Problem("schema", (None, "apiVersion"),
                                    f"no CRD or built-in kind {obj.kind} in {where}{served}"))
            return True
        version = crd.version(obj.api_version.rpartition("/")[2])
        if crd.position > position:
            problems.append(Problem("crd-schema", (None, "kind"), f"the CRD of {obj.kind} is installed by "
                                    f"release {crd.release}, which comes later"))
        elif crd.position == position and not crd.from_crds_folder:
            # Helm maps every object of a release to the cluster's API before creating any: a custom
            # resource cannot use a CRD that is one of the same release's templates (only crds/ is first).
            problems.append(Problem("crd-schema", (None, "kind"), f"the CRD of {obj.kind} is a template of "
                                    "this release: Helm cannot map the resource before the CRD exists (ship "
                                    "the CRD in the chart's crds/ folder or an earlier release)"))
        elif version is None or not version.served:
            served = ", ".join(f"{crd.group}/{v.name}" for v in crd.versions if v.served)
            problems.append(Problem("crd-schema", (None, "apiVersion"), f"{obj.api_version} is not a served "
                                    f"version of {obj.kind} (served: {served})"))
        elif version.schema is not None:
            custom_resource_validator(version.schema)(obj.body, None, problems)
            meta = obj.body.get("metadata")
            if meta is not None:
                self.schemas.object_meta()(meta, (None, "metadata"), problems)
        return crd.scope != "Cluster"

    def _api(self, obj: RenderedObject, namespaced: bool, namespace: str, problems: Problems) -> None:
        builtin = obj.group in self.schemas.groups
        for problem in names.object_name(obj.kind, obj.name, builtin=builtin):
            problems.append(Problem("api", ((None, "metadata"), "name"), f"name {obj.name!r} {problem}"
                                    if obj.name else problem, obj.name or None))
        if is_crd(obj):
            raw_spec = obj.body.get("spec")
            spec: dict[str, Any] = raw_spec if isinstance(raw_spec, dict) else {}
            raw_names = spec.get("names")
            plural = raw_names.get("plural") if isinstance(raw_names, dict) else None
            expected = f"{plural}.{spec.get('group')}"
            if obj.name != expected:
                problems.append(Problem("api", ((None, "metadata"), "name"),
                                        f"a CRD's name must be <plural>.<group>: {expected!r}", obj.name))
        if namespaced and namespace not in self.namespaces:
            declared = obj.declared_namespace is not None
            problems.append(Problem("api", ((None, "metadata"), "namespace") if declared else None,
                                    f"namespace {namespace!r} is neither created by the stack nor a system "
                                    f'namespace (Helm fails: namespaces "{namespace}" not found)',
                                    namespace if declared else None))

    def _duplicate(self, obj: RenderedObject, namespace: str, release: str, ref: str,
                   locator: ValuesLocator) -> None:
        key = (obj.group, obj.kind, namespace, obj.name)
        first = self.seen.get(key)
        if first is None:
            self.seen[key] = release
            return
        where = "this release already renders it" if first == release else f"release {first} renders it too"
        self._add(Severity.ERROR, "duplicate", release, ref, "metadata.name",
                  f"{where}; Helm refuses the second copy (it exists and cannot be imported into the current "
                  "release)", locator.find(obj.name, "name"))

    def _pod_security(self, template: PodTemplate, namespace: str, release: str, ref: str,
                      locator: ValuesLocator) -> None:
        policy = self.policies.get(namespace)
        if policy is None:
            return
        reported: set[tuple[str, str]] = set()
        levels = [(Severity.ERROR, policy.enforce, "enforced")]
        if policy.warn and stricter(policy.warn, policy.enforce):
            levels.append((Severity.WARNING, policy.warn, "warned about"))
        for severity, level, verb in levels:
            for found in violations(level, template, self.version):
                base = template.metadata_path if found.in_metadata else template.spec_path
                path = render_path(_join(base, found.path))
                if (found.control, path) in reported:
                    continue
                reported.add((found.control, path))
                self._add(severity, "pod-security", release, ref, path,
                          f'{found.control}: {found.message} (Pod Security "{level}" {verb} on namespace '
                          f"{namespace})", locator.find(found.value, _last_key(found.path)))


def _join(base: PathLink, relative: PathLink) -> PathLink:
    """Graft a path relative to a pod spec onto where the spec sits in its object."""
    if relative is None:
        return base
    return (_join(base, relative[0]), relative[1])


def run_checks(renders: Sequence[ReleaseRender], context: CheckContext) -> list[Finding]:
    """Every finding of the stack's renders (given in install order). A render that failed has no
    objects; its `template` finding is the caller's to report."""
    run = _Run(context=context, schemas=builtin_schemas(context.kube_version),
               crds=CrdIndex([render.objects for render in renders]),
               version=major_minor(context.kube_version))
    run.namespaces = set(context.namespaces) | set(context.system_namespaces)
    run.policies = dict(context.namespaces)
    for position, render in enumerate(renders):
        run.check_release(position, render)
    return run.findings


def namespace_levels(renders: Sequence[ReleaseRender], context: CheckContext) -> dict[str, str]:
    """The strictest Pod Security Standards level that every pod of each namespace meets; a namespace of
    the context without pods is "restricted"."""
    version = major_minor(context.kube_version)
    levels = dict.fromkeys(context.namespaces, "restricted")
    for render in renders:
        for obj in render.objects:
            template = pod_template(obj.kind, obj.group, obj.body)
            if template is None:
                continue
            namespace = obj.declared_namespace or obj.release_namespace
            current = levels.get(namespace, "restricted")
            for level in reversed(LEVELS):
                if level == "privileged" or not violations(level, template, version):
                    break
            levels[namespace] = level if stricter(current, level) else current
    return levels
