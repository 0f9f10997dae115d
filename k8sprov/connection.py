"""Which cluster an environment talks to, resolved the way kubectl (or talosctl) would.

An env file either connects through Talos (`talos = {...}`) or through kubeconfig (`kubeconfig = {path,
context}`). Without `kubeconfig.path` the files are `KUBECONFIG`'s list, else `~/.kube/config`, and the
context is `kubeconfig.context`, else the merged current-context. k8sprov hands that resolution to the stack
as `TF_VAR_kube_config_paths` / `TF_VAR_kube_context` (the root module passes them to the providers as
`config_paths` / `config_context`), and records it — paths, context name, server URL, never credentials —
in the saved plan's inputs, so a plan made for one cluster is refused for another.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from k8sprov.kubeconfig import Merged, Resolved, expand_path, kubeconfig_paths, merge, resolve_context
from k8sprov.masking import mask
from k8sprov.project import Environment, Project

DEFAULT_TALOSCONFIG = "~/.talos/config"
TALOS_API_PORT = 50000


@dataclass(frozen=True)
class Settings:
    """The connection part of an env file."""

    kubeconfig_path: str | None = None
    kubeconfig_context: str | None = None
    talos: dict[str, str] | None = None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _settings_from(data: dict[str, Any]) -> Settings:
    kube = data.get("kubeconfig")
    kube = kube if isinstance(kube, dict) else {}
    talos = data.get("talos")
    talos_settings = ({k: v for k, v in talos.items() if isinstance(v, str) and v}
                      if isinstance(talos, dict) else None)
    return Settings(kubeconfig_path=_str(kube.get("path")), kubeconfig_context=_str(kube.get("context")),
                    talos=talos_settings)


def read_settings(project: Project, env: Environment) -> Settings:
    """The env file's connection settings; parsed results are cached by content hash (python-hcl2 is slow
    to start, and `envs`, `plan` and `apply` all need this)."""
    from k8sprov.hcl import load_hcl
    from k8sprov.jsoncache import JsonCache, content_key

    key = content_key(env.var_file)
    cache = JsonCache(project.state_dir / "cache" / "connections.json", limit=64)
    cached = cache.get(key)
    if isinstance(cached, dict):
        try:
            return Settings(**cached)
        except TypeError:
            pass  # written by another version: parse again
    settings = _settings_from(load_hcl(env.var_file))
    cache.put(key, {"kubeconfig_path": settings.kubeconfig_path,
                    "kubeconfig_context": settings.kubeconfig_context, "talos": settings.talos})
    return settings


@dataclass
class TalosContext:
    path: Path
    exists: bool
    context: str | None
    known: list[str] = field(default_factory=list)
    body: dict[str, Any] | None = None
    error: str | None = None

    @property
    def endpoints(self) -> list[str]:
        found = (self.body or {}).get("endpoints") or []
        return [str(e) for e in found if e]

    @property
    def nodes(self) -> list[str]:
        found = (self.body or {}).get("nodes") or []
        return [str(n) for n in found if n]


@dataclass
class Connection:
    """An environment's resolved connection. `describe()` and `record()` hold no credentials."""

    kind: str  # "kubeconfig" or "talos"
    settings: Settings
    paths: list[Path]
    context: str | None
    merged: Merged | None = None
    resolved: Resolved | None = None
    talos: TalosContext | None = None

    @property
    def server(self) -> str | None:
        if self.resolved is not None and self.resolved.cluster is not None:
            return self.resolved.cluster.server
        return None

    @property
    def talos_endpoint(self) -> str | None:
        talos = self.settings.talos or {}
        if talos.get("endpoint"):
            return talos["endpoint"]
        if self.talos is not None and self.talos.endpoints:
            return self.talos.endpoints[0]
        return None

    def describe(self) -> str:
        return mask(self._describe())

    def _describe(self) -> str:
        if self.kind == "talos":
            return f"talos {self.context or '(no context)'} @ {self.talos_endpoint or '(no endpoint)'}"
        if self.context is None:
            return "kubeconfig: no context"
        if self.resolved is None:
            return f"{self.context} (not in the kubeconfig)"
        return f"{self.context} @ {self.server or '(no server)'}"

    def record(self) -> dict[str, str]:
        """The plan-inputs group: a different value here means a different cluster."""
        if self.kind == "talos":
            return {"talosconfig": ":".join(map(str, self.paths)), "talos context": self.context or "",
                    "talos endpoint": self.talos_endpoint or ""}
        return {"kubeconfig": ":".join(map(str, self.paths)), "kubeconfig context": self.context or "",
                "kubeconfig server": mask(self.server or "")}

    def terraform_env(self) -> dict[str, str]:
        """TF_VAR_* for the root module's kube_config_paths / kube_context (kubeconfig connections only)."""
        if self.kind != "kubeconfig":
            return {}
        # The value of a list variable is read as an HCL expression: JSON is one, once template
        # sequences are escaped.
        paths = json.dumps([str(p) for p in self.paths]).replace("${", "$${").replace("%{", "%%{")
        env = {"TF_VAR_kube_config_paths": paths}
        if self.context:
            env["TF_VAR_kube_context"] = self.context
        return env


def _talos_context(path: Path, wanted: str | None) -> TalosContext:
    import yaml

    if not path.is_file():
        return TalosContext(path=path, exists=False, context=wanted)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as err:
        return TalosContext(path=path, exists=True, context=wanted,
                            error=f"cannot read ({err.__class__.__name__})")
    if not isinstance(data, dict):
        return TalosContext(path=path, exists=True, context=wanted, error="not a talosconfig")
    raw_contexts = data.get("contexts")
    contexts: dict[str, Any] = raw_contexts if isinstance(raw_contexts, dict) else {}
    name = wanted or _str(data.get("context"))
    body = contexts.get(name) if name else None
    return TalosContext(path=path, exists=True, context=name, known=sorted(contexts),
                        body=body if isinstance(body, dict) else None)


def resolve(settings: Settings, environ: Mapping[str, str] | None = None, *,
            base: Path | None = None) -> Connection:
    """Resolve an env file's settings against the files on this machine (and KUBECONFIG, HOME); relative
    paths in the env file are relative to `base`, the root module's folder (where Terraform reads them)."""
    environ = os.environ if environ is None else environ
    base = base or Path.cwd()
    if settings.talos is not None:
        path = expand_path(settings.talos.get("talosconfig_path") or DEFAULT_TALOSCONFIG, base, environ)
        talos = _talos_context(path, settings.talos.get("context"))
        return Connection(kind="talos", settings=settings, paths=[path], context=talos.context, talos=talos)
    paths = kubeconfig_paths(settings.kubeconfig_path, environ, explicit_base=base)
    merged = merge(paths)
    resolved = resolve_context(merged, settings.kubeconfig_context)
    context = settings.kubeconfig_context or merged.current_context
    return Connection(kind="kubeconfig", settings=settings, paths=paths, context=context, merged=merged,
                      resolved=resolved)


def for_env(project: Project, env: Environment, environ: Mapping[str, str] | None = None) -> Connection:
    return resolve(read_settings(project, env), environ, base=project.terraform_dir)
