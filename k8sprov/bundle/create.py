"""What goes into an environment's bundle, collected and checked before a byte is written.

Members (paths as in the project, so the unpacked folder is a project):
- `terraform/**`: every module file and `.terraform.lock.hcl`; never state, plans or `.terraform/`;
- `infra/envs/<env>.tfvars`, `infra/values/*/<profile>.yaml`, `infra/backends/<env>.hcl` (credentials
  refused unless asked for);
- `charts/<chart>-<version>.tgz` of the profile, each checked against the lock and as an archive, and a
  `charts/charts.lock` holding exactly their entries; for a chart with a pinned signing key, its
  `<archive>.prov` (checked with that key) and the key, `infra/keys/<FINGERPRINT>.asc`;
- `supply/images.json` and `supply/sbom.cdx.json`: the images the releases pull and the bill of materials;
- `providers/HOST/NS/TYPE/VERSION/OS_ARCH/...`: the packages the environment's init installed (from its
  data dir), each checked against the lock file's `h1:` hashes — an unpacked filesystem mirror.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from k8sprov.bundle.archive import BundleError, Member
from k8sprov.bundle.providers import (
    LOCK_FILE,
    InstalledPackage,
    LockedProvider,
    hash_h1,
    installed_packages,
    package_files,
    parse_lock,
    unpack_packed_mirror,
)
from k8sprov.charts.model import LockEntry
from k8sprov.project import Environment, Project
from k8sprov.providermirror import MIRROR_DIR

# Never bundled from terraform/: Terraform's own data dir, local state, k8sprov's folder, crash logs.
_SKIP_DIRS = {".terraform", "terraform.tfstate.d", ".k8sprov"}
_SKIP_SUFFIXES = (".tfstate", ".tfstate.backup", ".tfplan", ".tfstate.lock.info")
_SKIP_NAMES = {"crash.log", ".terraform.tfstate.lock.info"}
# Backend settings that are credentials in the backends Terraform ships (pg, s3, azurerm, gcs, http,
# consul, cos, oss, kubernetes): refused by name whatever their value.
_SECRET_KEYS = ("password", "secret_key", "access_key", "token", "access_token", "sas_token",
                "client_secret", "client_certificate_password", "credentials", "session_token")
# What to tell the site instead, per backend setting.
_SITE_ENV = "PG_CONN_STR (pg), AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (s3), ARM_ACCESS_KEY (azurerm)"


@dataclass(frozen=True)
class Collected:
    members: list[Member]
    metadata: dict[str, Any]


def _executable(path: Path) -> bool:
    return os.access(path, os.X_OK)


def terraform_members(project: Project) -> list[Member]:
    root = project.root
    members: list[Member] = []
    for path in sorted(project.terraform_dir.rglob("*")):
        rel = path.relative_to(project.terraform_dir)
        if any(part in _SKIP_DIRS for part in rel.parts) or not path.is_file():
            continue
        if path.name in _SKIP_NAMES or path.name.endswith(_SKIP_SUFFIXES):
            continue
        members.append(Member(path.relative_to(root).as_posix(), path.resolve(), _executable(path)))
    return members


def backend_credentials(text: str) -> list[str]:
    """Names of the credentials a backend settings file holds (never their values); [] when none (pure)."""
    import re

    from k8sprov.masking import mask

    found: list[str] = []
    for line in text.splitlines():
        if mask(line) != line:
            key = re.match(r"\s*\"?([A-Za-z_]+)", line)
            found.append(key.group(1) if key else "a password")
            continue
        key = re.match(r"\s*\"?([A-Za-z_]+)\"?\s*[=:]", line)
        if key and key.group(1).lower() in _SECRET_KEYS:
            found.append(key.group(1))
    return sorted(set(found))


def _backend_member(project: Project, env: Environment, include_secrets: bool) -> list[Member]:
    if env.backend_file is None:
        return []
    rel = env.backend_file.relative_to(project.root).as_posix()
    text = env.backend_file.read_text(encoding="utf-8", errors="replace")
    secrets = backend_credentials(text)
    if secrets and not include_secrets:
        raise BundleError(
            f"{rel} holds credentials ({', '.join(secrets)}): not bundled",
            hint=f"remove them and pass them at the site through environment variables ({_SITE_ENV}),"
                 " or bundle them anyway with --include-backend-secrets",
        )
    return [Member(rel, env.backend_file)]


def _chart_members(project: Project, env: Environment) -> tuple[list[Member], list[dict[str, Any]]]:
    if not project.chart_catalog_file.is_file():
        return [], []
    from k8sprov.charts.archive import ArchiveError, check_archive
    from k8sprov.charts.catalog import load_catalog
    from k8sprov.charts.lock import read_lock, render_lock
    from k8sprov.charts.verify import check_profile_charts

    check_profile_charts(project, env.profile)  # every archive present and matching the lock
    lock = read_lock(project.charts_dir)
    members: list[Member] = []
    described: list[dict[str, Any]] = []
    entries = []
    for pin in load_catalog(project).pins([env.profile]):
        path = project.charts_dir / pin.archive_name
        try:
            check_archive(path, pin.name, pin.version)
        except ArchiveError as err:
            raise BundleError(f"charts/{pin.archive_name}: {err.message}",
                              hint=f"run k8sprov update-charts --profile {env.profile}") from None
        entry = lock[(pin.name, pin.version)]
        entries.append(entry)
        members.append(Member(f"charts/{pin.archive_name}", path))
        info: dict[str, Any] = {"name": pin.name, "version": pin.version, "sha256": entry.sha256}
        if pin.spec.signed_by:
            members += _signature_members(project, pin.archive_name, entry, pin.spec.signed_by, env)
            info.update(signed_by=pin.spec.signed_by, signer=entry.signer)
        described.append(info)
    members.append(Member("charts/charts.lock", render_lock(entries).encode("utf-8")))
    return members, described


def _signature_members(project: Project, archive: str, entry: LockEntry, fingerprint: str,
                       env: Environment) -> list[Member]:
    """A signed chart's provenance and its pinned key, after checking them (offline) once more."""
    from k8sprov.supply.keys import KEYS_DIR, key_file
    from k8sprov.supply.provenance import PROV_SUFFIX
    from k8sprov.supply.signatures import signature_problem

    problem = signature_problem(project.root, project.charts_dir, archive, entry, fingerprint)
    if problem:
        raise BundleError(f"charts/{archive}: {problem}",
                          hint=f"run k8sprov update-charts --profile {env.profile}")
    return [Member(f"charts/{archive}{PROV_SUFFIX}", project.charts_dir / f"{archive}{PROV_SUFFIX}"),
            Member(f"{KEYS_DIR.as_posix()}/{fingerprint}.asc", key_file(project.root, fingerprint))]


def _lock_of(project: Project) -> dict[str, LockedProvider]:
    lock_file = project.terraform_dir / LOCK_FILE
    if not lock_file.is_file():
        return {}
    return parse_lock(lock_file.read_text(encoding="utf-8"))


def _package_members(package: InstalledPackage, locked: dict[str, LockedProvider], hint: str,
                     where: str) -> tuple[list[Member], dict[str, Any]]:
    """One package as mirror members, proven equal to one of the dependency lock's hashes."""
    lock = locked.get(package.address)
    if lock is None or lock.version != package.version:
        raise BundleError(f"{package.address} {package.version} is {where} but terraform/{LOCK_FILE}"
                          f" locks {lock.version if lock else 'no version of it'}", hint=hint)
    h1 = hash_h1(package.folder)
    if h1 not in lock.hashes:
        raise BundleError(f"{package.address} {package.version} ({package.platform}) {where} does not match"
                          f" any hash in terraform/{LOCK_FILE}", hint=hint)
    members = []
    for rel in package_files(package.folder):
        source = package.folder / rel
        members.append(Member(f"{MIRROR_DIR}/{package.relpath}/{rel}", source, _executable(source)))
    return members, {"source": package.address, "version": package.version, "platform": package.platform,
                     "h1": h1}


def provider_members(project: Project, env: Environment) -> tuple[list[Member], list[dict[str, Any]]]:
    """The packages the environment's init installed (its data dir), each checked against the lock."""
    init_hint = f"run k8sprov init --env {env.name} first (with registry access or a mirror)"
    if not (project.terraform_dir / LOCK_FILE).is_file():
        raise BundleError(f"terraform/{LOCK_FILE} is missing: no provider versions to bundle", hint=init_hint)
    locked = _lock_of(project)
    packages = installed_packages(project.env_state_dir(env.name) / "tfdata" / "providers")
    if locked and not packages:
        raise BundleError(f"environment {env.name} has no providers installed", hint=init_hint)
    members: list[Member] = []
    described: list[dict[str, Any]] = []
    for package in packages:
        more, info = _package_members(package, locked, f"run k8sprov init --env {env.name} --reinit",
                                      f"installed for {env.name}")
        members += more
        described.append(info)
    missing = sorted(set(locked) - {p.address for p in packages})
    if missing:
        raise BundleError(f"{missing[0]} is in terraform/{LOCK_FILE} but not installed for {env.name}",
                          hint=f"run k8sprov init --env {env.name} --reinit")
    return members, described


def extra_platform_members(project: Project, packed: Path, unpacked: Path, platforms: list[str],
                           max_bytes: int) -> tuple[list[Member], list[dict[str, Any]]]:
    """Packages `terraform providers mirror` fetched for other platforms, unpacked and checked against the
    lock: Terraform at the site checks them the same way, so the lock needs their hashes too."""
    locked = _lock_of(project)
    flags = " ".join(f"-platform={p}" for p in platforms)
    hint = f"record their hashes first: terraform providers lock {flags} (in terraform/), then bundle again"
    members: list[Member] = []
    described: list[dict[str, Any]] = []
    packages = [p for p in unpack_packed_mirror(packed, unpacked, max_bytes) if p.platform in platforms]
    for platform in platforms:
        if not any(p.platform == platform for p in packages) and locked:
            raise BundleError(f"terraform providers mirror fetched nothing for {platform}", hint=hint)
    for package in packages:
        more, info = _package_members(package, locked, hint, "fetched by terraform providers mirror")
        members += more
        described.append(info)
    return members, described


def collect(project: Project, env: Environment, *, include_backend_secrets: bool,
            extra_mirror: Callable[[], tuple[list[Member], list[dict[str, Any]]]] | None = None,
            supply: Callable[[], tuple[list[Member], dict[str, Any]]] | None = None) -> Collected:
    from k8sprov import __version__
    from k8sprov.workflow import required_version

    members = terraform_members(project)
    members.append(Member(env.var_file.relative_to(project.root).as_posix(), env.var_file))
    if project.values_dir.is_dir():
        for path in sorted(project.values_dir.glob(f"*/{env.profile}.yaml")):
            members.append(Member(path.relative_to(project.root).as_posix(), path))
    backend = _backend_member(project, env, include_backend_secrets)
    members += backend
    charts, chart_info = _chart_members(project, env)
    members += charts
    # keys of signed charts come with their charts; a key file is one member however many charts use it
    members = list({m.path: m for m in members}.values())
    providers, provider_info = provider_members(project, env)
    members += providers
    if extra_mirror is not None:
        more, more_info = extra_mirror()
        # --platform naming this machine's platform fetches what init installed: keep one copy
        have = {m.path for m in members}
        known = {(p["source"], p["version"], p["platform"]) for p in provider_info}
        members += [m for m in more if m.path not in have]
        provider_info += [p for p in more_info if (p["source"], p["version"], p["platform"]) not in known]
    provider_info.sort(key=lambda p: (p["source"], p["version"], p["platform"]))
    bundled_platforms = sorted({p["platform"] for p in provider_info})
    metadata: dict[str, Any] = {
        "k8sprov_version": __version__,
        "environment": env.name,
        "profile": env.profile,
        "terraform_required_version": required_version(project),
        "backend_file": backend[0].path if backend else None,
        "platforms": bundled_platforms,
        "providers": provider_info,
        "charts": chart_info,
    }
    if supply is not None:
        more, supply_info = supply()
        members += more
        metadata["supply"] = supply_info
    return Collected(members=members, metadata=metadata)
