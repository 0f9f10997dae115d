"""Which environments' plans a git change can alter, and why: `k8sprov affected`, `ci matrix`, `plan --since`.

The rules follow what a plan reads (`k8sprov.fingerprint.plan_inputs`), file by file:

| changed file | environments |
|---|---|
| `infra/envs/<env>.tfvars`, `infra/backends/<env>.hcl` | that environment (a deleted env file: *removed*) |
| `infra/values/<chart>/<profile>.yaml` | the environments of that profile |
| `terraform/modules/provision_k8s/versions.tf` | the profiles whose parsed pins or catalog entries changed; |
|  | anything else in the file (the `terraform {}` block) → every environment; comments → none |
| `charts/charts.lock`, `charts/<chart>-<version>.tgz` | the profiles pinning the changed entries |
| any other file Terraform reads under `terraform/` | every environment |
| anything else (docs, README, tests, k8sprov itself) | none |

Changes are counted from where HEAD branched off REF (a pull request's own changes) to the working tree:
commits, staged and unstaged edits, and untracked files under infra/, terraform/ and charts/.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from k8sprov.errors import K8sprovError
from k8sprov.git import Change
from k8sprov.project import PROFILES, Project

CATALOG_PATH = "terraform/modules/provision_k8s/versions.tf"
LOCK_PATH = "charts/charts.lock"
UNTRACKED_UNDER = ("infra", "terraform", "charts")
_VERBS = {"A": "added", "D": "deleted"}
# The profile line of an env file as people write it; anything else goes to the HCL parser.
_PROFILE_LINE = re.compile(r'^environment[ \t]*=[ \t]*"([A-Za-z0-9_-]+)"[ \t]*(?:(?:#|//).*)?$', re.MULTILINE)


@dataclass(frozen=True)
class AffectedEnv:
    name: str
    profile: str
    reasons: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "profile": self.profile, "reasons": list(self.reasons)}


@dataclass(frozen=True)
class RemovedEnv:
    name: str
    reasons: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "reasons": list(self.reasons)}


@dataclass
class AffectedReport:
    since: str | None  # the ref the user gave; None = every environment
    base: str | None  # the commit compared with the working tree
    environments: list[AffectedEnv]  # sorted by name
    removed: list[RemovedEnv] = field(default_factory=list)
    not_affecting: list[str] = field(default_factory=list)  # changed files no plan reads

    @property
    def names(self) -> list[str]:
        return [env.name for env in self.environments]

    def as_dict(self) -> dict[str, Any]:
        return {"since": self.since, "base": self.base,
                "environments": [env.as_dict() for env in self.environments],
                "removed": [env.as_dict() for env in self.removed],
                "not_affecting": self.not_affecting}


# -- reading the project ---------------------------------------------------------------------------------

def env_profiles(project: Project) -> dict[str, str]:
    """Environment name -> profile for every env file. The usual `environment = "..."` line is read with a
    regular expression (200 env files in milliseconds; python-hcl2 needs ~0.5 s to start); any file where
    that is not one clear line is read as `plan` reads it."""
    profiles: dict[str, str] = {}
    folder = str(project.envs_dir)
    for name in project.env_names:
        with open(f"{folder}/{name}.tfvars", encoding="utf-8", errors="replace") as fh:  # noqa: PTH123
            text = fh.read()
        found = _PROFILE_LINE.findall(text)
        if len(found) == 1 and found[0] in PROFILES:
            profiles[name] = found[0]
        else:
            profiles[name] = project.environment(name).profile
    return profiles


def every_environment(project: Project) -> AffectedReport:
    """`ci matrix` without --since: every environment."""
    envs = [AffectedEnv(name, profile, ("every environment",))
            for name, profile in env_profiles(project).items()]
    return AffectedReport(since=None, base=None, environments=envs)


def affected_since(project: Project, ref: str) -> AffectedReport:
    """The environments whose plan the changes since `ref` (its merge base with HEAD) can alter."""
    from k8sprov import git

    root = project.root
    commit = git.resolve(root, ref)
    base = git.merge_base(root, commit)
    changes = git.changes_since(root, base, UNTRACKED_UNDER)
    report = impact(changes, env_profiles(project),
                    old_text=lambda path: _text(git.show(root, base, path)),
                    new_text=lambda path: _read(root / path),
                    current_pins=lambda: _current_pins(project))
    report.since, report.base = ref, base
    return report


def _text(data: bytes | None) -> str | None:
    return None if data is None else data.decode("utf-8", "replace")


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return None


def _current_pins(project: Project) -> dict[str, set[tuple[str, str]]]:
    """profile -> {(chart name, version)} pinned now (chart names as the lock and the archives name them)."""
    from k8sprov.charts.catalog import load_catalog

    catalog = load_catalog(project)
    pins: dict[str, set[tuple[str, str]]] = {}
    for pin in catalog.pins():
        for profile in pin.profiles:
            pins.setdefault(profile, set()).add((pin.name, pin.version))
    return pins


# -- the rules (pure: file names and texts in, environments out) -------------------------------------------

def impact(changes: Iterable[Change], profiles: dict[str, str], *,
           old_text: Callable[[str], str | None], new_text: Callable[[str], str | None],
           current_pins: Callable[[], dict[str, set[tuple[str, str]]]]) -> AffectedReport:
    """Map changed files to environments. `profiles` holds the environments that exist now; `old_text` /
    `new_text` give a file's text at the base commit / in the working tree (None: absent)."""
    reasons: dict[str, list[str]] = {}
    removed: dict[str, list[str]] = {}
    not_affecting: list[str] = []
    pins_now: dict[str, set[tuple[str, str]]] | None = None

    def pins() -> dict[str, set[tuple[str, str]]]:
        nonlocal pins_now
        if pins_now is None:
            pins_now = current_pins()
        return pins_now

    def hit(names: Iterable[str], why: str) -> None:
        for name in names:
            if why not in reasons.setdefault(name, []):
                reasons[name].append(why)

    def of_profile(profile: str) -> list[str]:
        return [name for name, p in profiles.items() if p == profile]

    for change in changes:
        path = PurePosixPath(change.path)
        parts = path.parts
        what = f"{change.path} {_VERBS.get(change.status, 'changed')}"
        if len(parts) == 3 and parts[:2] == ("infra", "envs") and path.suffix == ".tfvars":
            if path.stem in profiles:
                hit([path.stem], what)
            elif change.status == "D":
                removed.setdefault(path.stem, []).append(what)
            else:
                not_affecting.append(change.path)
        elif len(parts) == 3 and parts[:2] == ("infra", "backends") and path.suffix == ".hcl":
            if path.stem in profiles:
                hit([path.stem], what)
            else:
                not_affecting.append(change.path)
        elif len(parts) == 4 and parts[:2] == ("infra", "values") and path.suffix == ".yaml":
            names = of_profile(path.stem)
            hit(names, what)
            if not names:
                not_affecting.append(change.path)
        elif change.path == CATALOG_PATH:
            everything, by_profile = catalog_changes(old_text(CATALOG_PATH), new_text(CATALOG_PATH))
            if everything:
                hit(profiles, f"{CATALOG_PATH}: {everything} (every environment)")
            for profile, whys in by_profile.items():
                for why in whys:
                    hit(of_profile(profile), f"{CATALOG_PATH}: {why}")
            if not everything and not any(of_profile(p) for p in by_profile):
                not_affecting.append(change.path)
        elif change.path == LOCK_PATH:
            everything, entries = lock_changes(old_text(LOCK_PATH), new_text(LOCK_PATH))
            if everything:
                hit(profiles, f"{LOCK_PATH}: {everything} (every environment)")
            touched = False
            for name, version in entries:
                for profile, pinned in pins().items():
                    if (name, version) in pinned and of_profile(profile):
                        hit(of_profile(profile), f"{LOCK_PATH}: {name} {version} changed")
                        touched = True
            if not everything and not touched:
                not_affecting.append(change.path)
        elif len(parts) == 2 and parts[0] == "charts" and path.suffix == ".tgz":
            profs = [p for p, pinned in pins().items()
                     if any(f"{n}-{v}.tgz" == path.name for n, v in pinned)]
            names = [name for p in profs for name in of_profile(p)]
            hit(names, what)
            if not names:
                not_affecting.append(change.path)
        elif parts[:1] == ("terraform",) and _is_terraform_source(path):
            hit(profiles, f"{what} (every environment)")
        else:
            not_affecting.append(change.path)

    envs = [AffectedEnv(name, profiles[name], tuple(whys)) for name, whys in sorted(reasons.items())]
    gone = [RemovedEnv(name, tuple(whys)) for name, whys in sorted(removed.items())]
    return AffectedReport(since=None, base=None, environments=envs, removed=gone, not_affecting=not_affecting)


def _is_terraform_source(path: PurePosixPath) -> bool:
    from k8sprov.fingerprint import is_terraform_source

    return is_terraform_source(PurePosixPath(*path.parts[1:]))


def catalog_changes(old: str | None, new: str | None) -> tuple[str | None, dict[str, list[str]]]:
    """Compare two versions.tf texts as parsed: (why every environment is affected, or None;
    profile -> what changed in its pins or in the catalog entries of the charts it pins)."""
    if old is None or new is None:
        return ("added" if old is None else "deleted"), {}
    from k8sprov.charts.catalog import parse_catalog
    from k8sprov.hcl import loads_hcl

    try:
        old_data, new_data = loads_hcl(old, CATALOG_PATH), loads_hcl(new, CATALOG_PATH)
        old_cat, new_cat = parse_catalog(old_data, CATALOG_PATH), parse_catalog(new_data, CATALOG_PATH)
    except K8sprovError as err:
        return f"cannot be compared ({err.message.removeprefix(CATALOG_PATH + ': ')})", {}
    if _outside_pins(old_data) != _outside_pins(new_data):
        return "changed outside chart_catalog and chart_versions", {}
    found: dict[str, list[str]] = {}
    for profile in sorted(set(old_cat.versions) | set(new_cat.versions)):
        before, after = old_cat.versions.get(profile, {}), new_cat.versions.get(profile, {})
        for key in sorted(set(before) | set(after)):
            if before.get(key) != after.get(key):
                found.setdefault(profile, []).append(
                    f"{profile} pins {key} {before.get(key, '(none)')} → {after.get(key, '(none)')}")
            elif old_cat.charts.get(key) != new_cat.charts.get(key):
                found.setdefault(profile, []).append(f"chart_catalog entry {key} changed")
    return None, found


def _outside_pins(data: dict[str, Any]) -> Any:
    """Everything in a parsed versions.tf except the two locals the catalog is made of."""
    rest = {key: value for key, value in data.items() if key != "locals"}
    blocks = [{k: v for k, v in block.items() if k not in ("chart_catalog", "chart_versions")}
              for block in data.get("locals", []) if isinstance(block, dict)]
    rest["locals"] = [block for block in blocks if block]
    return json.loads(json.dumps(rest, sort_keys=True, default=str))


def lock_changes(old: str | None, new: str | None) -> tuple[str | None, set[tuple[str, str]]]:
    """(why every environment is affected, or None; the (chart, version) entries added, removed or
    changed between two charts.lock texts)."""
    before, after = _lock_entries(old), _lock_entries(new)
    if before is None or after is None:
        return "cannot be read as a lock file", set()
    return None, {key for key in set(before) | set(after) if before.get(key) != after.get(key)}


def _lock_entries(text: str | None) -> dict[tuple[str, str], str] | None:
    if text is None:
        return {}
    try:
        data = json.loads(text)
        return {(str(e["name"]), str(e["version"])): json.dumps(e, sort_keys=True) for e in data["charts"]}
    except (ValueError, KeyError, TypeError):
        return None
