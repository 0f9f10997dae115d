"""The project on disk: its root, its environments and where each environment keeps its files.

A project is a folder holding `terraform/` and `infra/envs/`. An environment is one `infra/envs/<env>.tfvars`
file; its profile is the `environment = "..."` value inside it.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from k8sprov.errors import ProjectError, UsageError
from k8sprov.jsoncache import JsonCache, content_key

PROFILES = ("basic", "staging", "production")
_ENV_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class Environment:
    name: str
    profile: str
    var_file: Path
    backend_file: Path | None

    @property
    def is_production(self) -> bool:
        return self.profile == "production"


@dataclass(frozen=True)
class Project:
    root: Path

    @property
    def terraform_dir(self) -> Path:
        return self.root / "terraform"

    @property
    def envs_dir(self) -> Path:
        return self.root / "infra" / "envs"

    @property
    def values_dir(self) -> Path:
        return self.root / "infra" / "values"

    @property
    def backends_dir(self) -> Path:
        return self.root / "infra" / "backends"

    @property
    def charts_dir(self) -> Path:
        return self.root / "charts"

    @property
    def chart_catalog_file(self) -> Path:
        return self.terraform_dir / "modules" / "provision_k8s" / "versions.tf"

    @property
    def state_dir(self) -> Path:
        """Where k8sprov keeps its own files (plans, data dirs, caches, logs); never committed."""
        return self.root / ".k8sprov"

    def env_state_dir(self, env: str) -> Path:
        return self.state_dir / "envs" / env

    @cached_property
    def env_names(self) -> list[str]:
        return sorted(p.stem for p in self.envs_dir.glob("*.tfvars") if p.is_file())

    def environment(self, name: str) -> Environment:
        """Load one environment; unknown names list the known ones, a bad var file names the problem."""
        if not _ENV_NAME.match(name) or name not in self.env_names:
            known = ", ".join(self.env_names) or "none"
            raise UsageError(
                f"unknown environment {name!r} (known: {known})",
                hint=f"add {self.envs_dir.relative_to(self.root)}/{name}.tfvars or pick a known one",
            )
        var_file = self.envs_dir / f"{name}.tfvars"
        profile = self._cached_profile(var_file)
        if profile is None:
            from k8sprov.hcl import load_hcl

            profile = load_hcl(var_file).get("environment")
            if isinstance(profile, str) and profile in PROFILES:
                self._remember_profile(var_file, profile)
        if not isinstance(profile, str) or profile not in PROFILES:
            raise ProjectError(
                f"{var_file.relative_to(self.root)}: 'environment' must be one of {', '.join(PROFILES)}"
                + ("" if profile is None else f", not {profile!r}"),
                hint='set environment = "basic" (or staging, production) in the var file',
            )
        backend = self.backends_dir / f"{name}.hcl"
        return Environment(name=name, profile=profile, var_file=var_file,
                           backend_file=backend if backend.is_file() else None)

    # python-hcl2 builds its lark parser on every start (~0.5-1 s): every plan, apply, show and envs would pay
    # it just to read one `environment = "..."`. The profile of a var file is kept by the file's content hash.
    def _profile_cache(self) -> JsonCache:
        return JsonCache(self.state_dir / "cache" / "profiles.json", limit=64)

    def _cached_profile(self, var_file: Path) -> str | None:
        try:
            profile = self._profile_cache().get(content_key(var_file))
        except OSError:
            return None
        return profile if isinstance(profile, str) and profile in PROFILES else None

    def _remember_profile(self, var_file: Path, profile: str) -> None:
        with contextlib.suppress(OSError):
            self._profile_cache().put(content_key(var_file), profile)

    def environments(self) -> list[Environment]:
        return [self.environment(name) for name in self.env_names]


def _is_project(path: Path) -> bool:
    return (path / "terraform").is_dir() and (path / "infra" / "envs").is_dir()


def find_project(explicit: Path | None, *, start: Path) -> Project:
    """`-C DIR` if given (it must be a project), else the nearest folder upward from `start` that is one."""
    if explicit is not None:
        root = explicit.expanduser().resolve()
        if not _is_project(root):
            raise UsageError(
                f"{explicit}: not a k8sprov project (needs terraform/ and infra/envs/)",
                hint="point -C at the folder that holds them",
            )
        return Project(root)
    here = start.resolve()
    for candidate in (here, *here.parents):
        if _is_project(candidate):
            return Project(candidate)
    raise UsageError(
        f"no k8sprov project found in {here} or above (needs terraform/ and infra/envs/)",
        hint="run inside a project or pass -C DIR",
    )
