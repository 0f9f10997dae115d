"""What Terraform hands Helm for each release of an environment, read from the project without Terraform.

The same inputs as `terraform/modules/provision_k8s/provision.tf`: the archive
`<charts_dir>/<chart>-<version>.tgz` (checked against charts.lock), the values files
`<values_dir>/<release>/<profile>.yaml` in the module's order, then `release_overrides[release].set`
and `release_secrets[release]` (sensitive), the release name (the catalog key) and its namespace.
Variables come from the env file; one the env file does not set comes from `TF_VAR_<name>`, as
Terraform reads it (a `-var-file` wins over the environment).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from k8sprov.errors import ChartError, ProjectError
from k8sprov.helm import SetEntry
from k8sprov.project import Environment, Project
from k8sprov.rendering.model import DEFAULT_KUBE_VERSION, KUBE_VERSION, ReleaseInputs, ValuesDoc

_VARIABLES = ("kubernetes_version", "release_overrides", "release_secrets", "charts_dir", "values_dir")


@dataclass(frozen=True)
class Release:
    """One release of the stack: its inputs (without `--api-versions`, which depend on earlier releases)."""

    inputs: ReleaseInputs
    order: int
    # The releases Terraform installs before it (provision.tf's depends_on, followed through); None:
    # every release of a lower `order`.
    after: frozenset[str] | None = None

    def installed_after(self, other: Release) -> bool:
        if self.after is not None:
            return other.inputs.name in self.after
        return other.order < self.order


@dataclass(frozen=True)
class StackInputs:
    environment: str
    profile: str
    kube_version: str
    releases: tuple[Release, ...]  # in install order
    namespaces: dict[str, str] = field(default_factory=dict)  # namespace -> enforced Pod Security level

    def secrets(self) -> list[str]:
        """Every sensitive `set` value: masked wherever k8sprov prints."""
        return [s.value for r in self.releases for s in r.inputs.sets if s.sensitive and s.value]


def env_variables(project: Project, env: Environment) -> dict[str, Any]:
    """The variables render needs: the env file's, else TF_VAR_<name> (JSON or an HCL expression)."""
    from k8sprov.lint.run import _HclProblem, cache_dir, load_hcl_cached

    try:
        data, _text = load_hcl_cached(env.var_file, cache_dir(project))
    except _HclProblem as err:
        where = f" at line {err.line}" if err.line else ""
        raise ProjectError(f"{env.var_file.relative_to(project.root)}: {err.message}{where}",
                           hint="fix the syntax (k8sprov lint shows it)") from None
    out = {k: data[k] for k in _VARIABLES if k in data}
    for name in _VARIABLES:
        raw = os.environ.get(f"TF_VAR_{name}")
        if name not in out and raw is not None:
            out[name] = _tf_var(name, raw)
    return out


def _tf_var(name: str, raw: str) -> Any:
    if name in ("kubernetes_version", "charts_dir", "values_dir"):
        return raw  # Terraform reads a string variable's TF_VAR_ as the literal string
    try:
        return json.loads(raw)
    except ValueError:
        pass
    import hcl2
    from hcl2.utils import SerializationOptions

    options = SerializationOptions(strip_string_quotes=True, with_comments=False, explicit_blocks=False)
    try:
        return hcl2.loads(f"value = {raw}\n", serialization_options=options)["value"]
    except Exception:  # lark raises many types; the value itself may be a secret: never echo it
        raise ProjectError(f"TF_VAR_{name} is not a valid value for {name}",
                           hint="write it as JSON or an HCL expression, as Terraform reads it") from None


def kube_version(variables: dict[str, Any], where: str) -> str:
    value = variables.get("kubernetes_version")
    if value is None:
        return DEFAULT_KUBE_VERSION
    text = str(value).strip()
    if not KUBE_VERSION.match(text):
        raise ProjectError(f"{where}: kubernetes_version {text!r} is not a Kubernetes minor, 1.25 to 1.37",
                           hint='write it as major.minor, e.g. kubernetes_version = "1.31"')
    return text


def _sets(raw: Any, *, sensitive: bool, what: str) -> tuple[SetEntry, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ProjectError(f"{what} must be a list of {{name, value, type}}", hint="see docs/render.md")
    out = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or "value" not in item:
            raise ProjectError(f"{what}[{index}] needs a name and a value", hint="see docs/render.md")
        kind = item.get("type")
        out.append(SetEntry(name=item["name"], value="" if item["value"] is None else str(item["value"]),
                            type=str(kind) if kind else None, sensitive=sensitive))
    return tuple(out)


def _folder(project: Project, value: Any, default: Path) -> Path:
    # charts_dir / values_dir are relative to terraform/, where Terraform runs.
    if isinstance(value, str) and value and "${" not in value:
        return (project.terraform_dir / Path(value).expanduser()).resolve()
    return default


def _provision(project: Project) -> dict[str, Any]:
    """provision.tf, parsed (cached by its content); empty where it is missing or does not parse."""
    from k8sprov.lint.run import _HclProblem, cache_dir, load_hcl_cached

    path = project.terraform_dir / "modules" / "provision_k8s" / "provision.tf"
    if not path.is_file():
        return {}
    try:
        return load_hcl_cached(path, cache_dir(project))[0]
    except _HclProblem:
        return {}


def install_after(project: Project) -> dict[str, frozenset[str]]:
    """release -> every release Terraform installs before it: provision.tf's module `depends_on`,
    followed through (argo-cd waits for the CRD release only, not for kyverno)."""
    labels: dict[str, str] = {}
    direct: dict[str, list[str]] = {}
    for block in _provision(project).get("module", []):
        for label, body in (block.items() if isinstance(block, dict) else ()):
            if isinstance(body, dict) and isinstance(body.get("name"), str):
                labels[label] = body["name"]
                refs = re.findall(r"module\.(\w+)", " ".join(map(str, body.get("depends_on") or [])))
                direct[label] = refs
    closure: dict[str, frozenset[str]] = {}

    def before(label: str, seen: frozenset[str]) -> frozenset[str]:
        out: set[str] = set()
        for ref in direct.get(label, []):
            if ref in labels and ref not in seen:
                out |= {labels[ref]} | before(ref, seen | {ref})
        return frozenset(out)

    for label, name in labels.items():
        closure[name] = before(label, frozenset({label}))
    return closure


def pod_security_enforce(project: Project) -> dict[str, str]:
    """`local.pod_security_enforce` of provision.tf: the level each namespace enforces (default baseline)."""
    data = _provision(project)
    for block in data.get("locals", []):
        if isinstance(block, dict) and isinstance(block.get("pod_security_enforce"), dict):
            return {str(k): str(v) for k, v in block["pod_security_enforce"].items()}
    return {}


def stack_inputs(project: Project, env: Environment, only: list[str] | None = None) -> StackInputs:
    """The inputs of every release of `env`, in install order, archives verified. `only` names releases
    that must exist (a typo is an error); every release is returned: earlier ones feed api-versions."""
    from k8sprov.charts.catalog import load_catalog
    from k8sprov.charts.lock import read_lock, sha256_file

    catalog = load_catalog(project)
    versions = catalog.versions.get(env.profile)
    if versions is None:
        raise ChartError(f"profile {env.profile!r} pins no charts in "
                         f"{project.chart_catalog_file.relative_to(project.root)}",
                         hint=f"add {env.profile} to local.chart_versions")
    where = str(env.var_file.relative_to(project.root))
    variables = env_variables(project, env)
    kube = kube_version(variables, where)
    charts_dir = _folder(project, variables.get("charts_dir"), project.charts_dir)
    values_dir = _folder(project, variables.get("values_dir"), project.values_dir)
    overrides = variables.get("release_overrides") or {}
    secrets = variables.get("release_secrets") or {}
    if not isinstance(overrides, dict) or not isinstance(secrets, dict):
        raise ProjectError(f"{where}: release_overrides and release_secrets must be maps keyed by release",
                           hint="see docs/render.md")
    known = [key for key in catalog.charts if key in versions]
    if only:
        unknown = [name for name in only if name not in known]
        if unknown:
            raise ProjectError(f"unknown release {unknown[0]!r} (releases of {env.name}: {', '.join(known)})",
                               hint="pick one of them")
    lock = read_lock(charts_dir)
    policy = pod_security_enforce(project)
    after = install_after(project)
    releases = []
    for key in known:
        spec = catalog.charts[key]
        version = versions[key]
        archive = charts_dir / f"{spec.chart}-{version}.tgz"
        entry = lock.get((spec.chart, version))
        if entry is None or not archive.is_file():
            raise ChartError(f"chart {spec.chart} {version} is not vendored (no archive or no lock entry)",
                             hint=f"run k8sprov update-charts --profile {env.profile}")
        digest = sha256_file(archive)
        if digest != entry.sha256:
            raise ChartError(f"{archive.name}: sha256 {digest[:12]}… is not the lock's {entry.sha256[:12]}…",
                             hint=f"run k8sprov update-charts --profile {env.profile}")
        values_file = values_dir / key / f"{env.profile}.yaml"
        try:
            text = values_file.read_text(encoding="utf-8")
        except FileNotFoundError:
            # Terraform's file() fails on a missing file the same way: the plan could not start either.
            raise ProjectError(f"values file {_rel(project, values_file)} not found",
                               hint=f"create it (it may be empty) for release {key}") from None
        raw_override = overrides.get(key)
        override: dict[str, Any] = raw_override if isinstance(raw_override, dict) else {}
        sets = (_sets(override.get("set"), sensitive=False, what=f"release_overrides.{key}.set")
                + _sets(secrets.get(key), sensitive=True, what=f"release_secrets.{key}"))
        inputs = ReleaseInputs(name=key, namespace=spec.namespace, chart=spec.chart, version=version,
                               archive=str(archive), archive_sha256=digest,
                               values=(ValuesDoc(_rel(project, values_file), text),), sets=sets,
                               kube_version=kube)
        releases.append(Release(inputs=inputs, order=spec.order, after=after.get(key)))
    namespaces = {spec.namespace: policy.get(spec.namespace, "baseline")
                  for key, spec in catalog.charts.items() if key in versions and spec.namespace}
    return StackInputs(environment=env.name, profile=env.profile, kube_version=kube,
                       releases=tuple(releases), namespaces=namespaces)


def _rel(project: Project, path: Path) -> str:
    try:
        return str(path.relative_to(project.root))
    except ValueError:
        return str(path)
