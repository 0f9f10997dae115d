"""What a plan and an init were built from, as content hashes.

Two fingerprints per environment:
- the *plan inputs* (var file, the profile's values files, every Terraform source file, the chart lock,
  the backend settings, and the cluster connection — kubeconfig paths, context, server; never
  credentials): when any changed, a saved plan is stale;
- the *init inputs* (module sources and versions, `terraform {}` blocks — providers, backend,
  required_version —, the backend settings file, `.terraform.lock.hcl`, the binary): when any changed,
  `terraform init` must run again. Editing a resource does not re-run init.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path, PurePath
from typing import Any

from k8sprov.project import Environment, Project

_SKIP_DIRS = {".terraform", "terraform.tfstate.d", ".k8sprov"}
_SOURCE_SUFFIXES = (".tf", ".tf.json", ".tftpl", ".tpl", ".yaml", ".yml", ".json", ".hcl")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def is_terraform_source(rel: PurePath) -> bool:
    """Whether a file at `rel` (relative to terraform/) is one a plan reads: the rule of `terraform_sources`,
    also used by `k8sprov affected` on changed file names."""
    if any(part in _SKIP_DIRS for part in rel.parts[:-1]):
        return False
    return rel.name.endswith(_SOURCE_SUFFIXES) and ".tfstate" not in rel.name


def terraform_sources(terraform_dir: Path) -> list[Path]:
    """Every file Terraform reads from the module tree (state and caches excluded), in a stable order."""
    found: list[Path] = []
    for path in terraform_dir.rglob("*"):
        if is_terraform_source(path.relative_to(terraform_dir)) and path.is_file():
            found.append(path)
    return sorted(found)


def _hash_files(root: Path, files: Iterable[Path]) -> dict[str, str]:
    return {str(p.relative_to(root)): sha256_file(p) for p in files}


def plan_inputs(project: Project, env: Environment) -> dict[str, Any]:
    """Content hashes of everything a plan for `env` depends on, keyed by project-relative path, and the
    cluster connection it talks to (`connection`: names and paths, not hashes)."""
    from k8sprov.connection import for_env

    root = project.root
    values = sorted(project.values_dir.glob(f"*/{env.profile}.yaml")) if project.values_dir.is_dir() else []
    lock = project.charts_dir / "charts.lock"
    return {
        "var_file": _hash_files(root, [env.var_file]),
        "values": _hash_files(root, values),
        "terraform": _hash_files(root, terraform_sources(project.terraform_dir)),
        "chart_lock": _hash_files(root, [lock] if lock.is_file() else []),
        "backend": _hash_files(root, [env.backend_file] if env.backend_file else []),
        "connection": for_env(project, env).record(),
    }


def changed_inputs(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Project-relative paths whose content differs between two `plan_inputs` records (pure)."""
    changed: set[str] = set()
    for group in set(old) | set(new):
        before, after = old.get(group, {}), new.get(group, {})
        for path in set(before) | set(after):
            if before.get(path) != after.get(path):
                changed.add(path)
    return sorted(changed)


def _init_relevant(data: dict[str, Any]) -> dict[str, Any]:
    """The parts of one parsed .tf file that `terraform init` depends on."""
    modules = {}
    for block in data.get("module", []) or []:
        for name, body in (block or {}).items():
            if isinstance(body, dict):
                modules[name] = {"source": body.get("source"), "version": body.get("version")}
    return {"terraform": data.get("terraform", []), "module": modules}


def init_inputs(project: Project, env: Environment, binary_version: str, cache_file: Path) -> str:
    """One hash over everything init depends on. Parsed files are cached by content hash, so an
    unchanged tree costs only hashing."""
    from k8sprov.hcl import load_hcl

    try:
        cache: dict[str, Any] = json.loads(cache_file.read_text())
    except (OSError, ValueError):
        cache = {}
    parts: dict[str, Any] = {"binary": binary_version}
    fresh: dict[str, Any] = {}
    for path in terraform_sources(project.terraform_dir):
        rel = str(path.relative_to(project.root))
        if path.name == ".terraform.lock.hcl":
            parts[rel] = sha256_file(path)
            continue
        if not path.name.endswith(".tf"):
            continue
        digest = sha256_file(path)
        relevant = cache.get(digest)
        if relevant is None:
            relevant = _init_relevant(load_hcl(path))
        fresh[digest] = relevant
        parts[rel] = relevant
    if env.backend_file is not None:
        parts["backend"] = sha256_file(env.backend_file)
    if fresh != cache:
        # Best effort, and safe when several k8sprov processes (or threads) init at once: a temporary
        # name of its own each, and a lost race only means another run's cache wins.
        from k8sprov.private import write_private_atomic

        with contextlib.suppress(OSError):
            write_private_atomic(cache_file, json.dumps(fresh, sort_keys=True, default=str))
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
