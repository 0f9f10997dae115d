"""Render an environment and check it: the library behind `k8sprov render` and `plan`'s render check.

`render_env` renders every release (k8sprov.rendering.pipeline), runs the checks it is given, and returns a
`RenderReport`: per release the objects counted by kind, the findings, and per namespace the Pod Security
level it enforces beside the strictest level all its pods meet. Secret values (Secret `data`/`stringData`,
sensitive `set` entries) are masked in everything a report holds. A warm run (no input changed) is
answered from a small summary cache without reading any render.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from k8sprov.helm import HelmBinary
from k8sprov.project import Environment, Project
from k8sprov.rendering.envinputs import StackInputs, stack_inputs
from k8sprov.rendering.model import Finding, ReleaseRender, Severity
from k8sprov.rendering.pipeline import RenderCache, Rendered, render_stack, stack_keys

MASK = "***"
_SUMMARY_VERSION = 1
_MIN_SECRET = 4  # shorter values ("1", "yes") would garble every message they appear in


@dataclass(frozen=True)
class CheckSuite:
    """The checks a render goes through (k8sprov.rendering.checks), passed in so the pipeline stays
    independent of them. `stamp` changes whenever the checks' code does (it is part of the cache key)."""

    run_checks: Callable[[Sequence[ReleaseRender], Any], list[Finding]]
    context: Callable[[str, Mapping[str, str]], Any]  # (kube version, namespace -> enforced level)
    namespace_levels: Callable[[Sequence[ReleaseRender], Any], dict[str, str]] | None
    stamp: str


_CHECKS = "k8sprov.rendering.checks"


def default_checks() -> CheckSuite | None:
    """The checks of k8sprov.rendering.checks (None where that package is not installed), imported only
    when they run: a warm run needs no more than the stamp of their files."""
    import importlib.util

    spec = importlib.util.find_spec(_CHECKS)
    if spec is None or not spec.origin:
        return None
    folder = Path(spec.origin).parent
    stamp = hashlib.sha256(json.dumps(sorted(
        (p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in folder.glob("*.py"))).encode()).hexdigest()

    def load() -> Any:
        return importlib.import_module(_CHECKS)

    def context(kube_version: str, namespaces: Mapping[str, str]) -> Any:
        checks = load()
        # The stack labels every namespace warn=restricted and audit=restricted (provision.tf).
        return checks.CheckContext(kube_version=kube_version, namespaces={
            ns: checks.NamespacePolicy(enforce=level, warn="restricted", audit="restricted")
            for ns, level in namespaces.items()})

    def run_checks(renders: Sequence[ReleaseRender], context: Any) -> list[Finding]:
        return list(load().run_checks(renders, context))

    def namespace_levels(renders: Sequence[ReleaseRender], context: Any) -> dict[str, str]:
        levels = getattr(load(), "namespace_levels", None)
        return dict(levels(renders, context)) if levels is not None else {}

    return CheckSuite(run_checks=run_checks, context=context, namespace_levels=namespace_levels, stamp=stamp)


@dataclass
class ReleaseSummary:
    name: str
    chart: str
    version: str
    namespace: str
    objects: int
    kinds: dict[str, int]
    api_versions: list[str]  # the --api-versions it was rendered with
    cached: bool = False
    failed: bool = False


@dataclass
class NamespaceRow:
    namespace: str
    enforced: str
    strictest: str | None  # None: not measured (no checks, or a release of it failed to render)


@dataclass
class RenderReport:
    environment: str
    profile: str
    kube_version: str
    helm: str
    releases: list[ReleaseSummary] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    namespaces: list[NamespaceRow] = field(default_factory=list)
    checks: bool = True  # False: only Helm's own template check ran
    renders: list[Rendered] | None = field(default=None, repr=False)  # when asked for (the -o files)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == Severity.WARNING)

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "environment": self.environment, "profile": self.profile, "kube_version": self.kube_version,
            "helm": self.helm, "checks": self.checks,
            "releases": [asdict(r) for r in self.releases],
            "findings": [{k: (str(v) if isinstance(v, Severity) else v) for k, v in asdict(f).items()}
                         for f in self.findings],
            "pod_security": [asdict(n) for n in self.namespaces],
            "errors": self.errors, "warnings": self.warnings, "exit_code": self.exit_code,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RenderReport:
        return cls(environment=data["environment"], profile=data["profile"],
                   kube_version=data["kube_version"], helm=data["helm"], checks=bool(data["checks"]),
                   releases=[ReleaseSummary(**r) for r in data["releases"]],
                   findings=[Finding(**{**f, "severity": Severity(f["severity"])}) for f in data["findings"]],
                   namespaces=[NamespaceRow(**n) for n in data["pod_security"]])


def secret_values(renders: Iterable[ReleaseRender], extra: Iterable[str] = ()) -> list[str]:
    """Every Secret value in the renders (data as written and decoded, stringData) and the extra ones."""
    found: set[str] = {v for v in extra if len(v) >= _MIN_SECRET}
    for render in renders:
        for obj in render.objects:
            if obj.kind != "Secret":
                continue
            for key in ("data", "stringData"):
                values = obj.body.get(key)
                if not isinstance(values, dict):
                    continue
                for value in values.values():
                    text = str(value) if value is not None else ""
                    found.add(text)
                    if key == "data":
                        with contextlib.suppress(binascii.Error, ValueError):
                            found.add(base64.b64decode(text, validate=True).decode("utf-8"))
    return sorted((v for v in found if len(v) >= _MIN_SECRET), key=len, reverse=True)


def mask_finding(finding: Finding, secrets: Sequence[str]) -> Finding:
    if not secrets:
        return finding

    def clean(text: str | None) -> str | None:
        if text is None:
            return None
        for secret in secrets:
            text = text.replace(secret, MASK)
        return text

    return Finding(finding.severity, finding.check, finding.release, clean(finding.message) or "",
                   clean(finding.object), clean(finding.path), clean(finding.source))


def _summary_cache(project: Project) -> Any:
    from k8sprov.jsoncache import JsonCache

    return JsonCache(project.state_dir / "cache" / "render" / "summaries.json", limit=32)


def render_cache(project: Project) -> RenderCache:
    return RenderCache(project.state_dir / "cache" / "render")


def _summary_key(stack: StackInputs, keys: list[str], checks: CheckSuite | None,
                 only: list[str] | None) -> str:
    material = [_SUMMARY_VERSION, keys, checks.stamp if checks else None, stack.kube_version,
                sorted(stack.namespaces.items()), stack.environment, sorted(only or [])]
    return hashlib.sha256(json.dumps(material).encode()).hexdigest()


def render_env(project: Project, env: Environment, helm: HelmBinary, *, checks: CheckSuite | None,
               only: list[str] | None = None, use_cache: bool = True, keep_renders: bool = False,
               workers: int = 4, stack: StackInputs | None = None) -> RenderReport:
    """Render and check one environment's releases (all, or `only`); `keep_renders` keeps the renders
    on the report (for writing them out). `stack`: the environment's inputs, when already read."""
    stack = _select(stack or stack_inputs(project, env, only), only, project)
    cache = render_cache(project) if use_cache else None
    summaries = _summary_cache(project) if use_cache else None
    summary_key = None
    if cache is not None and summaries is not None:
        keys = stack_keys(stack.releases, helm.version, cache)
        if keys is not None:
            summary_key = _summary_key(stack, keys, checks, only)
            hit = summaries.get(summary_key)
            if isinstance(hit, dict) and not keep_renders:
                with contextlib.suppress(KeyError, TypeError, ValueError):
                    report = RenderReport.from_dict(hit)
                    for release in report.releases:
                        release.cached = True
                    return report
    rendered = render_stack(helm, stack.releases, cache=cache, workers=workers)
    report = check_renders(stack, rendered, helm, checks, only)
    if summaries is not None:
        key = summary_key or _summary_key(stack, [r.key for r in rendered], checks, only)
        summaries.put(key, report.as_dict())
    if keep_renders:
        report.renders = rendered
    return report


def _select(stack: StackInputs, only: list[str] | None, project: Project) -> StackInputs:
    """The named releases and the earlier ones whose CRDs they may use (those are rendered, not shown)."""
    if not only:
        return stack
    from dataclasses import replace

    from k8sprov.rendering.pipeline import defines_crds

    named = [r for r in stack.releases if r.inputs.name in only]
    cache = render_cache(project)
    keep = tuple(r for r in stack.releases if r.inputs.name in only or (
        any(n.installed_after(r) for n in named)
        and defines_crds(Path(r.inputs.archive), cache, r.inputs.archive_sha256)))
    return replace(stack, releases=keep)


def check_renders(stack: StackInputs, rendered: Sequence[Rendered], helm: HelmBinary,
                  checks: CheckSuite | None, only: Sequence[str] | None = None) -> RenderReport:
    """The report of a set of renders: Helm's own failures, the checks' findings, the namespace levels.
    With `only`, the other releases (rendered for their CRDs) are left out of the report."""
    renders = [r.render for r in rendered]
    shown = [r for r in rendered if not only or r.render.inputs.name in only]
    findings = [r.failure for r in renders if r.failure is not None]
    levels: dict[str, str] = {}
    if checks is not None:
        context = checks.context(stack.kube_version, stack.namespaces)
        findings += checks.run_checks(renders, context)
        if checks.namespace_levels is not None:
            levels = checks.namespace_levels(renders, context)
    secrets = secret_values(renders, stack.secrets())
    findings = [mask_finding(f, secrets) for f in findings if not only or f.release in only]
    findings.sort(key=lambda f: (f.severity != Severity.ERROR, f.release, f.check, f.object or "",
                                 f.path or ""))
    failed_ns = {r.inputs.namespace for r in renders if r.failure is not None}
    releases = [ReleaseSummary(name=r.render.inputs.name, chart=r.render.inputs.chart,
                               version=r.render.inputs.version, namespace=r.render.inputs.namespace,
                               objects=len(r.render.objects),
                               kinds=dict(sorted(Counter(o.kind for o in r.render.objects).items())),
                               api_versions=list(r.render.inputs.api_versions), cached=r.cached,
                               failed=r.render.failure is not None) for r in shown]
    shown_ns = {r.render.inputs.namespace for r in shown}
    namespaces = [NamespaceRow(ns, enforced, None if ns in failed_ns else levels.get(ns))
                  for ns, enforced in sorted(stack.namespaces.items()) if ns in shown_ns]
    return RenderReport(environment=stack.environment, profile=stack.profile, kube_version=stack.kube_version,
                        helm=helm.version, releases=releases, findings=findings, namespaces=namespaces,
                        checks=checks is not None)


def find_helm(project: Project | None, request: str | None) -> HelmBinary:
    """The Helm to render with (k8sprov.helm.locate), its version kept by path, mtime and size: asking
    Helm costs a process start on every plan. HelmNotFound when there is none or it is not Helm 3."""
    from k8sprov.helm import locate, probe_version
    from k8sprov.jsoncache import JsonCache

    path = locate(request)
    cache = JsonCache(project.state_dir / "cache" / "helm-versions.json", limit=8) if project else None
    key = None
    with contextlib.suppress(OSError):
        st = Path(path).stat()
        key = f"{Path(path).resolve()}:{st.st_mtime_ns}:{st.st_size}"
    if cache is not None and key is not None:
        hit = cache.get(key)
        if isinstance(hit, str):
            return HelmBinary(path=path, version=hit)
    version = probe_version(path)
    if cache is not None and key is not None:
        cache.put(key, version)
    return HelmBinary(path=path, version=version)


def release_api_versions(project: Project, env: Environment,
                         helm: HelmBinary) -> tuple[str, dict[str, tuple[str, ...]]]:
    """(Kubernetes version, release -> the CRD group/versions of the releases installed before it), as the
    environment's render sees them: from the render cache's index when it knows every release (plan's
    render check just filled it), else by rendering (cached for the next time)."""
    from dataclasses import replace

    from k8sprov.rendering.pipeline import release_key

    stack = stack_inputs(project, env)
    cache = render_cache(project)
    crds: dict[str, tuple[str, ...]] = {}
    seen_by: dict[str, tuple[str, ...]] = {}
    ordered = sorted(stack.releases, key=lambda r: r.order)
    for release in ordered:
        seen = tuple(sorted({v for other in ordered if other.inputs.name in crds
                             and release.installed_after(other) for v in crds[other.inputs.name]}))
        known = cache.crd_api_versions(release_key(replace(release.inputs, api_versions=seen), helm.version))
        if known is None:
            rendered = render_stack(helm, stack.releases, cache=cache)
            return stack.kube_version, {r.render.inputs.name: tuple(r.render.inputs.api_versions)
                                        for r in rendered}
        crds[release.inputs.name] = known
        seen_by[release.inputs.name] = seen
    return stack.kube_version, seen_by


def plan_objects(project: Project, env: Environment, plan_json: Mapping[str, Any],
                 helm_request: str | None) -> dict[str, Any]:
    """The objects view's renders for one environment's plan (`plan_objects.render_plan_objects`), with the
    environment's Kubernetes version, CRD api-versions and render cache; nothing without Helm or when the
    plan changes no helm_release."""
    from k8sprov.errors import K8sprovError
    from k8sprov.helm import HelmNotFound
    from k8sprov.rendering.plan_objects import RELEASE_TYPE, plan_kube_version, render_plan_objects

    if not any(isinstance(rc, Mapping) and rc.get("type") == RELEASE_TYPE
               for rc in plan_json.get("resource_changes") or []):
        return {}
    try:
        helm = find_helm(project, helm_request)
    except HelmNotFound:
        return {}
    kube_version: str | None
    try:
        kube_version, api_versions = release_api_versions(project, env, helm)
    except K8sprovError:  # the environment's inputs cannot be read: render with what the plan says
        kube_version, api_versions = plan_kube_version(plan_json), {}
    return render_plan_objects(plan_json, terraform_dir=project.terraform_dir, state_dir=project.state_dir,
                               helm=helm, kube_version=kube_version, api_versions=api_versions,
                               cache=render_cache(project))
