"""Lint a project: which files to check against what, with the slow parts (HCL, chart archives) cached.

Env files are read with python-hcl2 and chart archives are read whole on the first run; both results are
kept under `.k8sprov/cache/lint/` by the sha256 of what they were read from, so a warm run parses only
YAML and small JSON files.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from k8sprov.errors import ProjectError, UsageError
from k8sprov.lint.model import Finding, Severity, closest, did_you_mean
from k8sprov.project import PROFILES, Project

if TYPE_CHECKING:
    from k8sprov.helm import HelmBinary

_HCL_CACHE_VERSION = 1


@dataclass
class LintReport:
    findings: list[Finding] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # every file looked at, relative to the project root

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == Severity.WARNING)

    def exit_code(self, strict: bool) -> int:
        return 1 if self.errors or (strict and self.warnings) else 0

    def as_dict(self, strict: bool) -> dict[str, Any]:
        return {"findings": [f.as_dict() for f in self.findings], "errors": self.errors,
                "warnings": self.warnings, "files": self.files, "strict": strict,
                "exit_code": self.exit_code(strict)}


@dataclass(frozen=True)
class ValuesTarget:
    values_file: Path
    archive: Path
    profile: str
    chart: str
    namespace: str = "default"


def cache_dir(project: Project) -> Path:
    return project.state_dir / "cache" / "lint"


class _HclProblem(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def load_hcl_cached(path: Path, cache: Path | None) -> tuple[dict[str, Any], str]:
    """Parsed HCL and the text, from the cache by content hash (python-hcl2's parser is slow to start)."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise _HclProblem(f"cannot read ({err.__class__.__name__})", None) from None
    text = raw.decode("utf-8", errors="replace")
    key = cache / f"hcl-{hashlib.sha256(raw).hexdigest()}.json" if cache is not None else None
    if key is not None:
        try:
            cached = json.loads(key.read_text(encoding="utf-8"))
            if cached.get("v") == _HCL_CACHE_VERSION and isinstance(cached.get("data"), dict):
                return cached["data"], text
        except (OSError, ValueError, AttributeError):
            pass
    from k8sprov.hcl import HclSyntaxError, load_hcl

    try:
        data = load_hcl(path)
    except HclSyntaxError as err:
        column = f" (column {err.column})" if err.line and err.column else ""
        raise _HclProblem(f"not valid HCL{column}: {err.reason}", err.line) from None
    except ProjectError as err:
        raise _HclProblem(err.message.split(": ", 1)[-1], None) from None
    if key is not None:
        from k8sprov.lint.chartfacts import write_private

        # Var files may hold secrets: the cache is private to the user (0600 in a 0700 folder).
        write_private(key, json.dumps({"v": _HCL_CACHE_VERSION, "data": data}))
    return data, text


def lint_project(project: Project, env_names: list[str] | None = None, *,
                 use_cache: bool = True, helm: HelmBinary | None = None,
                 environ: Mapping[str, str] | None = None) -> LintReport:
    """Lint the given environments' var files and the values files their profiles install (all by default),
    and TF_VAR_release_overrides of `environ` (the process environment by default).

    With `helm`, keys the templates pass on in ways lint cannot follow are settled by one render with
    sentinel values (`k8sprov.lint.sentinel`)."""
    from k8sprov.lint.tfvars import check_env_file, declared_variables, find_line

    names = list(dict.fromkeys(env_names)) if env_names else project.env_names
    unknown = [n for n in names if n not in project.env_names]
    if unknown:
        known = ", ".join(project.env_names) or "none"
        raise UsageError(f"unknown environment {unknown[0]!r} (known: {known})",
                         hint=f"add {project.envs_dir.relative_to(project.root)}/{unknown[0]}.tfvars"
                              " or pick a known one")
    cache = cache_dir(project) if use_cache else None
    report = LintReport()

    def rel(path: Path) -> str:
        try:
            return str(path.relative_to(project.root))
        except ValueError:
            return str(path)

    variables_tf = project.terraform_dir / "variables.tf"
    variables = None
    if variables_tf.is_file():
        try:
            variables = declared_variables(load_hcl_cached(variables_tf, cache)[0])
        except _HclProblem as err:
            report.findings.append(Finding(Severity.ERROR, rel(variables_tf), err.line, "", err.message))
    catalog = None
    if project.chart_catalog_file.is_file():
        from k8sprov.charts.catalog import load_catalog

        catalog = load_catalog(project, use_cache=use_cache)
    profiles = catalog.profiles if catalog else list(PROFILES)

    targets: dict[tuple[Path, Path], ValuesTarget] = {}
    set_names: list[tuple[str, str, str, Path, int, str]] = []  # file, text, release, archive, index, name
    for name in names:
        var_file = project.envs_dir / f"{name}.tfvars"
        report.files.append(rel(var_file))
        try:
            data, text = load_hcl_cached(var_file, cache)
        except _HclProblem as err:
            report.findings.append(Finding(Severity.ERROR, rel(var_file), err.line, "", err.message))
            continue
        if variables is not None:
            report.findings += check_env_file(data, text, variables, profiles, rel(var_file))
        report.findings += credential_findings(data.get("release_overrides"), rel(var_file), text)
        if data.get("release_secrets"):
            report.findings.append(Finding(
                Severity.WARNING, rel(var_file), find_line(text, ("release_secrets",)), "release_secrets",
                "holds credentials in a var file, which is committed; set TF_VAR_release_secrets from your"
                " CI's secret store instead"))
        profile = data.get("environment")
        if catalog is None or not isinstance(profile, str) or profile not in catalog.versions:
            continue
        report.findings += _check_overrides(data, text, list(catalog.charts), rel(var_file))
        report.findings += _check_overrides(data, text, list(catalog.charts), rel(var_file),
                                            variable="release_secrets")
        values_dir = _dir_setting(project, data.get("values_dir"), project.values_dir)
        charts_dir = _dir_setting(project, data.get("charts_dir"), project.charts_dir)
        for key, spec in catalog.charts.items():
            version = catalog.versions[profile].get(key)
            if version is None:
                continue
            target = ValuesTarget(values_dir / key / f"{profile}.yaml",
                                  charts_dir / f"{spec.chart}-{version}.tgz", profile, key, spec.namespace)
            targets.setdefault((target.values_file, target.archive), target)
            set_names += [(rel(var_file), text, key, target.archive, n, s)
                          for n, s in _set_names(data, key)]
    from k8sprov.credentials import OVERRIDES, env_var_value

    report.findings += credential_findings(env_var_value(OVERRIDES, environ), f"TF_VAR_{OVERRIDES}", None)
    facts_memo: dict[Path, Any] = {}
    for target in targets.values():
        report.files.append(rel(target.values_file))
        report.findings += _lint_values(target, cache, rel, facts_memo, helm)
    for file, text, release, archive, index, set_name in set_names:
        facts = facts_memo.get(archive)
        if facts is not None:  # an archive that is missing or unreadable is reported on its values file
            report.findings += _check_set_name(facts, file, text, release, index, set_name)
    report.findings.sort(key=Finding.sort_key)
    return report


def _dir_setting(project: Project, value: Any, default: Path) -> Path:
    # charts_dir / values_dir in a var file are relative to terraform/, where Terraform runs.
    if isinstance(value, str) and value and "${" not in value:
        return (project.terraform_dir / Path(value).expanduser()).resolve()
    return default


def credential_findings(overrides: Any, file: str, text: str | None) -> list[Finding]:
    """Pure: a warning for each release_overrides `set` entry whose name says credential (its value is
    shown in plans): it belongs in release_secrets. The value itself is never part of the finding."""
    from k8sprov.credentials import credential_values
    from k8sprov.lint.model import show_path

    out = []
    for release, index, name, _value in credential_values(overrides):
        line = None
        for n, row in enumerate((text or "").splitlines(), 1):
            if f'"{name}"' in row:
                line = n
                break
        where = show_path(("release_overrides", release, "set", str(index), "name"))
        out.append(Finding(
            Severity.WARNING, file, line, where,
            f"sets {name!r}, a credential, through `set`: Terraform and the plan show its value; move the"
            " entry to release_secrets (TF_VAR_release_secrets: the helm provider's set_sensitive)"))
    return out


def _check_overrides(data: dict[str, Any], text: str, releases: list[str], file: str,
                     variable: str = "release_overrides") -> list[Finding]:
    """release_overrides (and release_secrets) are keyed by release: a misspelt key would only fail at plan
    time."""
    from k8sprov.lint.tfvars import find_line

    overrides = data.get(variable)
    if not isinstance(overrides, dict):
        return []
    out = []
    for key in overrides:
        if key not in releases:
            hint = closest(str(key), releases)
            out.append(Finding(Severity.ERROR, file, find_line(text, (variable, str(key))),
                               f'{variable}."{key}"',
                               f"{key!r} is not a release of this stack (known: {', '.join(releases)})"
                               + did_you_mean(hint), hint))
    return out


def _set_names(data: dict[str, Any], release: str) -> list[tuple[int, str]]:
    overrides = data.get("release_overrides")
    entry = overrides.get(release) if isinstance(overrides, dict) else None
    sets = entry.get("set") if isinstance(entry, dict) else None
    if not isinstance(sets, list):
        return []
    return [(n, s["name"]) for n, s in enumerate(sets)
            if isinstance(s, dict) and isinstance(s.get("name"), str) and "${" not in s["name"]]


def split_set_name(name: str) -> list[str]:
    """Helm's --set path: dots separate keys (`\\.` is a literal dot); checking stops at a list index."""
    keys, current, i = [], "", 0
    while i < len(name):
        char = name[i]
        if char == "\\" and i + 1 < len(name):
            current += name[i + 1]
            i += 2
            continue
        if char == ".":
            keys.append(current)
            current = ""
        elif char == "[":
            keys.append(current)
            return keys
        else:
            current += char
        i += 1
    keys.append(current)
    return keys


def _check_set_name(facts: Any, file: str, text: str, release: str, index: int, name: str) -> list[Finding]:
    """A release_overrides `set` entry names a values path: check it like a key of the values file."""
    from k8sprov.lint.model import show_path
    from k8sprov.lint.values import ValuesDoc, check_values

    keys = split_set_name(name)
    doc: dict[str, Any] = {}
    node = doc
    for key in keys[:-1]:
        node = node.setdefault(key, {})
    node[keys[-1]] = None  # the value's type is Helm's guess at apply time: only the keys are checked
    line = None
    for n, row in enumerate(text.splitlines(), 1):
        if f'"{name}"' in row:
            line = n
            break
    out = []
    for f in check_values(ValuesDoc(doc, {}, []), facts, file):
        out.append(Finding(f.severity, file, line,
                           show_path(("release_overrides", release, "set", str(index), "name")),
                           f"sets {name!r}: {f.message}", f.suggestion))
    return out


def _lint_values(target: ValuesTarget, cache: Path | None, rel: Any,
                 facts_memo: dict[Path, Any], helm: HelmBinary | None = None) -> list[Finding]:
    from k8sprov.lint.chartfacts import ChartReadError, load_facts
    from k8sprov.lint.values import YamlProblem, check_values, parse_values, structure_findings

    file = rel(target.values_file)
    try:
        text = target.values_file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return [Finding(Severity.ERROR, file, None, "",
                        f"values file missing: Terraform installs {target.chart} with it for profile"
                        f" {target.profile}; create it (it may be empty)")]
    except (OSError, UnicodeDecodeError) as err:
        return [Finding(Severity.ERROR, file, None, "", f"cannot read ({err.__class__.__name__})")]
    try:
        doc = parse_values(text)
    except YamlProblem as err:
        return [Finding(Severity.ERROR, file, err.line, "", err.message)]
    if not target.archive.is_file():
        return [*structure_findings(doc, file),
                Finding(Severity.WARNING, file, None, "",
                        f"keys not checked: the chart {rel(target.archive)} is not vendored; run"
                        f" k8sprov update-charts --profile {target.profile}", chart_missing=True)]
    try:
        facts = load_facts(target.archive, cache)
    except (ChartReadError, OSError) as err:
        message = getattr(err, "message", err.__class__.__name__)
        return [Finding(Severity.ERROR, file, None, "",
                        f"cannot read the chart {rel(target.archive)}: {message}; run"
                        f" k8sprov update-charts --profile {target.profile}")]
    facts_memo[target.archive] = facts
    findings = check_values(doc, facts, file)
    if facts.schemas and isinstance(doc.data, dict | None):
        from k8sprov.lint.schema import check_schemas

        findings += check_schemas(doc.data or {}, doc.lines, facts, file)
    if helm is not None and any(f.unsure_key is not None for f in findings):
        findings = _settle_by_render(findings, doc.data, text, target, cache, helm)
    return findings


def find_helm(request: str | None) -> HelmBinary | None:
    """The Helm to settle unsure keys with, or None (lint then keeps its warnings)."""
    from k8sprov.helm import HelmNotFound, resolve

    try:
        return resolve(request)
    except HelmNotFound:
        return None


def _settle_by_render(findings: list[Finding], data: Any, text: str, target: ValuesTarget,
                      cache: Path | None, helm: HelmBinary) -> list[Finding]:
    """Drop the unsure-key warnings whose values reach Helm's output; the answer is cached by content."""
    from k8sprov.helm import HelmTemplateError, template
    from k8sprov.jsoncache import JsonCache, content_key
    from k8sprov.lint.sentinel import cache_key, settle

    unsure = [f.unsure_key for f in findings if f.unsure_key is not None]
    store = JsonCache(cache / "sentinel.json", limit=64) if cache is not None else None
    key = cache_key(content_key(target.archive), text, unsure) if store is not None else ""
    known = store.get(key) if store is not None else None
    if isinstance(known, list):
        kept_paths = {tuple(p) for p in known}
        return [f for f in findings if f.unsure_key is None or f.unsure_key in kept_paths]

    def render(values: str) -> str | None:
        try:
            return template(helm, release=target.chart, namespace=target.namespace, chart=target.archive,
                            values=[values], sets=[], kube_version=None, api_versions=[])
        except HelmTemplateError:
            return None

    settled = settle(findings, data, render)
    if store is not None:
        store.put(key, [list(f.unsure_key) for f in settled if f.unsure_key is not None])
    return settled
