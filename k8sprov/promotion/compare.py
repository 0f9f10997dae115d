"""`k8sprov diff A B`: two environments or profiles side by side — chart pins, values files, env files.

Sides are resolved by name: an environment (infra/envs/<name>.tfvars, with its profile) first, else a
profile of the chart catalog. Everything here is pure except `compare`'s reads of the project's files; the
deployed versions (`--deployed`) come in from `k8sprov.promotion.deployed` as plain data.

Secrets: an env-file value is masked when its variable is declared `sensitive = true` in
terraform/variables.tf, or when k8sprov's masking rules (`k8sprov.masking`) would hide it in any line k8sprov
prints (passwords in URLs, `password=`, `token = "..."`). Masked values are never in the result, only
whether they differ.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from k8sprov.charts.catalog import Catalog
from k8sprov.credentials import is_credential_name
from k8sprov.errors import UsageError
from k8sprov.masking import mask
from k8sprov.project import Environment, Project

SENSITIVE = "(sensitive)"


@dataclass(frozen=True)
class Side:
    name: str
    profile: str
    env: Environment | None  # None when the name is a profile only

    def describe(self) -> str:
        if self.env is None:
            return f"profile {self.profile}"
        return f"environment {self.name} (profile {self.profile})"


def resolve_side(project: Project, catalog: Catalog, name: str) -> Side:
    """An environment by that name, else a profile; one line naming both lists when it is neither."""
    if name in project.env_names:
        env = project.environment(name)
        return Side(name=name, profile=env.profile, env=env)
    if name in catalog.profiles:
        return Side(name=name, profile=name, env=None)
    raise UsageError(
        f"unknown environment or profile {name!r} (environments: {', '.join(project.env_names) or 'none'};"
        f" profiles: {', '.join(catalog.profiles)})",
        hint="name an infra/envs/<env>.tfvars file or a profile of chart_versions",
    )


@dataclass(frozen=True)
class ChartRow:
    chart: str
    a: str | None  # version (pinned, or deployed with --deployed)
    b: str | None
    a_sha256: str | None
    b_sha256: str | None

    @property
    def same(self) -> bool:
        return self.a == self.b and self.a_sha256 == self.b_sha256

    @property
    def newer(self) -> str | None:
        """"a" or "b": the side with the higher SemVer version; None when equal, unset or not SemVer."""
        from k8sprov.charts.versions import is_downgrade

        if self.a is None or self.b is None:
            return None
        if is_downgrade(self.a, self.b):
            return "a"
        return "b" if is_downgrade(self.b, self.a) else None

    @property
    def downgrade(self) -> bool:
        """`promote --from A --to B` would move B back to an older version."""
        return self.newer == "b"


@dataclass(frozen=True)
class ValuesChange:
    path: str
    a: Any
    b: Any


@dataclass(frozen=True)
class ValuesRow:
    chart: str
    a_file: str | None
    b_file: str | None
    changes: tuple[ValuesChange, ...] = ()
    note: str | None = None  # a whole-document condition: missing file, invalid YAML, formatting only
    cosmetic: bool = False  # the texts differ, the values do not (comments, formatting)

    @property
    def same(self) -> bool:
        return not self.changes and (self.note is None or self.cosmetic)


@dataclass(frozen=True)
class EnvRow:
    variable: str  # dotted path inside the var file (`kubeconfig.context`)
    a: Any  # the value, SENSITIVE when masked, None when unset on that side
    b: Any
    a_set: bool
    b_set: bool
    sensitive: bool


@dataclass
class Comparison:
    a: Side
    b: Side
    deployed: bool
    charts: list[ChartRow]
    values: list[ValuesRow]
    env: list[EnvRow] = field(default_factory=list)
    env_note: str | None = None

    @property
    def equal(self) -> bool:
        return all(r.same for r in self.charts) and all(r.same for r in self.values) and not self.env


# ---- values files -----------------------------------------------------------------------------------


def values_file(project: Project, chart: str, profile: str) -> Path:
    return project.values_dir / chart / f"{profile}.yaml"


def _fmt_mark(value: Any) -> Any:
    from k8sprov.planview.model import Mark

    if value is Mark.ABSENT:
        return None
    if isinstance(value, Mark):
        return SENSITIVE
    if isinstance(value, dict):
        return {k: _fmt_mark(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_fmt_mark(v) for v in value]
    return value


def compare_values(project: Project, chart: str, a_profile: str, b_profile: str) -> ValuesRow:
    """Key-by-key differences of the two profiles' values files for one chart (the plan view's machinery)."""
    from k8sprov.planview.model import Mark
    from k8sprov.planview.values_diff import diff_values_docs

    a_path, b_path = values_file(project, chart, a_profile), values_file(project, chart, b_profile)
    a_rel = str(a_path.relative_to(project.root)) if a_path.is_file() else None
    b_rel = str(b_path.relative_to(project.root)) if b_path.is_file() else None
    if a_rel is None and b_rel is None:
        return ValuesRow(chart, None, None)
    a_text: Any = a_path.read_text(encoding="utf-8") if a_rel else Mark.ABSENT
    b_text: Any = b_path.read_text(encoding="utf-8") if b_rel else Mark.ABSENT
    if a_rel is None or b_rel is None:
        missing = a_path if a_rel is None else b_path
        note = f"{missing.relative_to(project.root)} is missing"
    else:
        note = None
    changes: list[ValuesChange] = []
    cosmetic = False
    for doc in diff_values_docs([a_text] if a_rel else [], [b_text] if b_rel else []):
        if doc.status == "changed" and not doc.changes:
            cosmetic = note is None
            note = note or "same values, different text (comments or formatting)"
        elif doc.status in ("text", "sensitive", "unknown"):
            note = note or doc.note
        for c in doc.changes:
            before, after = _fmt_mark(c.before), _fmt_mark(c.after)
            by_rule = _masked_by_rule(c.path, before) or _masked_by_rule(c.path, after)
            if by_rule or is_credential_name(c.path):
                before = SENSITIVE if before is not None else None
                after = SENSITIVE if after is not None else None
            changes.append(ValuesChange(c.path, before, after))
    return ValuesRow(chart, a_rel, b_rel, tuple(changes), note, cosmetic and not changes)


# ---- env files --------------------------------------------------------------------------------------


def sensitive_variables(project: Project) -> set[str]:
    """Root-module variables declared `sensitive = true` (a cheap, tolerant read of terraform/*.tf)."""
    from k8sprov.hcl import load_hcl

    names: set[str] = set()
    for path in sorted(project.terraform_dir.glob("*.tf")):
        try:
            data = load_hcl(path)
        except UsageError:
            continue  # a broken file is terraform's to report; here it only costs masking by rule
        for block in data.get("variable") or []:
            if not isinstance(block, dict):
                continue
            for name, body in block.items():
                if isinstance(body, dict) and body.get("sensitive") in (True, "true"):
                    names.add(str(name))
    return names


def _flatten(value: Any, path: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict) and value:
        for key, item in value.items():
            _flatten(item, f"{path}.{key}" if path else str(key), out)
    else:
        out[path] = value


def _masked_by_rule(path: str, value: Any) -> bool:
    """Would k8sprov's masking hide this value if it printed `leaf = "value"`?"""
    leaf = path.rsplit(".", 1)[-1]
    texts = [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)] \
        if isinstance(value, list) else []
    return any(mask(f'{leaf} = "{t}"') != f'{leaf} = "{t}"' or mask(t) != t for t in texts)


def _credentials_masked(path: str, value: Any) -> Any:
    """A release_overrides `set` list, each credential-named entry's value masked (k8sprov.credentials)."""
    from k8sprov.credentials import OVERRIDES, is_credential_name

    if not path.startswith(f"{OVERRIDES}.") or not isinstance(value, list):
        return value
    return [{**item, "value": SENSITIVE} if isinstance(item, dict) and is_credential_name(item.get("name"))
            and "value" in item else item for item in value]


def compare_env_files(project: Project, a: Environment, b: Environment) -> list[EnvRow]:
    from k8sprov.hcl import load_hcl

    sensitive_vars = sensitive_variables(project)
    flat_a: dict[str, Any] = {}
    flat_b: dict[str, Any] = {}
    _flatten(load_hcl(a.var_file), "", flat_a)
    _flatten(load_hcl(b.var_file), "", flat_b)
    rows: list[EnvRow] = []
    for path in sorted(set(flat_a) | set(flat_b)):
        a_set, b_set = path in flat_a, path in flat_b
        va, vb = flat_a.get(path), flat_b.get(path)
        if a_set and b_set and va == vb:
            continue
        sensitive = path.split(".", 1)[0] in sensitive_vars or _masked_by_rule(path, va) \
            or _masked_by_rule(path, vb)
        rows.append(EnvRow(
            variable=path,
            a=SENSITIVE if sensitive and a_set else _credentials_masked(path, va),
            b=SENSITIVE if sensitive and b_set else _credentials_masked(path, vb),
            a_set=a_set,
            b_set=b_set,
            sensitive=sensitive,
        ))
    return rows


# ---- the comparison ---------------------------------------------------------------------------------


def compare(project: Project, catalog: Catalog, a: Side, b: Side,
            deployed: tuple[dict[str, Any], dict[str, Any]] | None = None) -> Comparison:
    """Pins (or, given `deployed`, the releases each state records) plus values and env-file differences."""
    from k8sprov.charts.lock import read_lock

    lock = read_lock(project.charts_dir)

    def digest(chart: str, version: str | None) -> str | None:
        spec = catalog.charts.get(chart)
        entry = lock.get((spec.chart if spec else chart, version)) if version else None
        return entry.sha256 if entry else None

    rows: list[ChartRow] = []
    names = list(catalog.charts)
    if deployed is not None:
        names += sorted(n for n in {*deployed[0], *deployed[1]} if n not in catalog.charts)
        for chart in names:
            ra, rb = deployed[0].get(chart), deployed[1].get(chart)
            rows.append(ChartRow(chart, ra.version if ra else None, rb.version if rb else None,
                                 ra.sha256 if ra else None, rb.sha256 if rb else None))
    else:
        va_map = catalog.versions.get(a.profile, {})
        vb_map = catalog.versions.get(b.profile, {})
        for chart in names:
            va, vb = va_map.get(chart), vb_map.get(chart)
            rows.append(ChartRow(chart, va, vb, digest(chart, va), digest(chart, vb)))
    values = [compare_values(project, chart, a.profile, b.profile) for chart in catalog.charts]
    comparison = Comparison(a=a, b=b, deployed=deployed is not None, charts=rows, values=values)
    if a.env is not None and b.env is not None:
        comparison.env = compare_env_files(project, a.env, b.env)
    else:
        comparison.env_note = "env files compared only between two environments"
    return comparison
