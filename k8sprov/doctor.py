"""`k8sprov doctor`: everything a first plan needs, checked at once, each item with its fix.

One checklist for the project (files parse, Terraform, providers) and one per environment (env file,
profile, lint, charts, connection, Talos, backend, file modes). Every item is ✔ (ok), ✘ (fail) or –
(skipped). Local items run first and fast; the network items (API server, Talos port, pg port,
registry) go through `k8sprov.probe`, all at once in threads, each with its own timeout, and are skipped
with `offline=True`. Nothing here prints or returns a credential.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from k8sprov.connection import Connection
from k8sprov.errors import K8sprovError
from k8sprov.masking import mask
from k8sprov.probe import DEFAULT_TIMEOUT, Probe
from k8sprov.project import Environment, Project

OK, FAIL, SKIP = "ok", "fail", "skip"
MARKS = {OK: "✔", FAIL: "✘", SKIP: "–"}
OFFLINE = "skipped (--offline)"


@dataclass
class Item:
    name: str
    status: str
    message: str
    fix: str | None = None
    # A network check still to run: it fills status, message and fix.
    pending: Callable[[], Probe] | None = field(default=None, repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "message": self.message, "fix": self.fix}


def ok(name: str, message: str) -> Item:
    return Item(name, OK, mask(message))


def fail(name: str, message: str, fix: str | None) -> Item:
    return Item(name, FAIL, mask(message), mask(fix) if fix else None)


def skip(name: str, message: str) -> Item:
    return Item(name, SKIP, message)


def network(name: str, what: str, probe: Callable[[], Probe], offline: bool) -> Item:
    if offline:
        return skip(name, f"{what}: {OFFLINE}")
    return Item(name, SKIP, what, pending=probe)


@dataclass
class Checklist:
    name: str
    title: str
    items: list[Item]

    @property
    def failed(self) -> bool:
        return any(i.status == FAIL for i in self.items)


@dataclass
class Report:
    checklists: list[Checklist]

    @property
    def failed(self) -> bool:
        return any(c.failed for c in self.checklists)

    def counts(self) -> dict[str, int]:
        items = [i for c in self.checklists for i in c.items]
        return {s: sum(1 for i in items if i.status == s) for s in (OK, FAIL, SKIP)}

    def as_dict(self) -> dict[str, Any]:
        return {"ok": not self.failed, "counts": self.counts(),
                "checklists": [{"name": c.name, "title": c.title, "items": [i.as_dict() for i in c.items]}
                               for c in self.checklists]}


# -- HCL, parsed once per content -------------------------------------------------------------------------

def _cached_facts(project: Project, path: Path, kind: str,
                  extract: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
    """What doctor needs from one HCL file, kept by content hash (python-hcl2 costs ~1 s to start).

    Only `extract`'s result is kept, never the parsed file: env and backend files may hold secrets, and
    caches under .k8sprov/ must not become a second copy of them."""
    from k8sprov.hcl import load_hcl
    from k8sprov.jsoncache import JsonCache, content_key

    key = f"{kind}:{content_key(path)}"
    cache = JsonCache(project.state_dir / "cache" / "doctor-hcl.json", limit=128)
    cached = cache.get(key)
    if isinstance(cached, dict):
        return cached
    data = extract(load_hcl(path))
    cache.put(key, data)
    return data


def _blocks(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _module_facts(data: dict[str, Any]) -> dict[str, Any]:
    """required_providers and the backend type of one .tf file."""
    providers: dict[str, dict[str, str]] = {}
    backend: str | None = None
    for block in _blocks(data.get("terraform")):
        for found in _blocks(block.get("required_providers")):
            for name, spec in found.items():
                if isinstance(spec, dict):
                    providers[name] = {k: str(v) for k, v in spec.items()}
        for declared in _blocks(block.get("backend")):
            backend = next(iter(declared), backend)
    return {"required_providers": providers, "backend": backend}


def _backend_facts(data: dict[str, Any]) -> dict[str, Any]:
    """Where conn_str points (host and port, no credentials), or None when the file sets none."""
    conn_str = data.get("conn_str")
    if not isinstance(conn_str, str) or not conn_str:
        return {"conn_str": None}
    try:
        return {"conn_str": list(_conn_target(conn_str))}
    except ValueError:
        return {"conn_str": "unreadable"}


# -- project checklist ------------------------------------------------------------------------------------

@dataclass
class _Root:
    """What the project checks learn about the root module, for the environment checks."""

    required_providers: dict[str, dict[str, str]] = field(default_factory=dict)
    backend_type: str | None = None
    parsed: bool = False


def _project_items(project: Project, terraform_request: str | None, offline: bool,
                   timeout: float, helm_request: str | None = None) -> tuple[list[Item], _Root]:
    root = _Root()
    items: list[Item] = []
    files = sorted(project.terraform_dir.rglob("*.tf"))
    files = [f for f in files if ".terraform" not in f.relative_to(project.terraform_dir).parts]
    try:
        for path in files:
            facts = _cached_facts(project, path, "module", _module_facts)
            if path.parent == project.terraform_dir:
                root.required_providers.update(facts["required_providers"])
                root.backend_type = facts["backend"] or root.backend_type
        root.parsed = True
        items.append(ok("project", f"{project.root}: {len(files)} Terraform files parse"))
    except K8sprovError as err:
        items.append(fail("project", err.message, err.hint or "fix the file and run again"))
    items.append(_terraform_item(project, terraform_request))
    items.append(_helm_item(project, helm_request))
    items.append(_signatures_item(project))
    items.append(_providers_item(root, offline, timeout))
    return items, root


def _terraform_item(project: Project, request: str | None) -> Item:
    from k8sprov.terraform import locate, probe_version
    from k8sprov.tfversion import satisfies
    from k8sprov.workflow import _version_cache, required_version

    try:
        path = locate(request)
        version, flavor = _version_cache(project)(path, probe_version)
    except K8sprovError as err:
        return fail("terraform", err.message, err.hint)
    name = "OpenTofu" if flavor == "opentofu" else "Terraform"
    required = required_version(project)
    note = " (OpenTofu: k8sprov runs it as it runs Terraform; the stack is verified with Terraform)" \
        if flavor == "opentofu" else ""
    if required:
        try:
            good = satisfies(version, required)
        except ValueError:
            good = True
        if not good:
            return fail("terraform", f"{name} {version} ({path}) does not meet required_version {required}",
                        "install a matching Terraform, or point --terraform / K8SPROV_TERRAFORM at one")
        return ok("terraform", f"{name} {version} ({path}) meets {required}{note}")
    return ok("terraform", f"{name} {version} ({path}){note}")


def _helm_item(project: Project, request: str | None) -> Item:
    """Helm 3 renders every release before a plan; without one plan skips that check (and says so)."""
    from k8sprov.helm import HelmNotFound
    from k8sprov.rendering.report import find_helm

    try:
        helm = find_helm(project, request)
    except HelmNotFound as err:
        if request:  # asked for by --helm / K8SPROV_HELM: that one must work
            return fail("helm", err.message, err.hint)
        return Item("helm", SKIP, f"{err.message}: plan's render check is skipped", err.hint)
    return ok("helm", f"{helm.describe()}: plan renders every release with it first")


def _signatures_item(project: Project) -> Item:
    if not project.chart_catalog_file.is_file():
        return skip("signatures", "no chart catalog in this project")
    from k8sprov.supply.doctorcheck import signature_summary

    try:
        healthy, message, fix = signature_summary(project)
    except K8sprovError as err:
        return fail("signatures", err.message, err.hint)
    return ok("signatures", message) if healthy else fail("signatures", message, fix)


def _cli_config() -> tuple[Path | None, dict[str, Any]]:
    from k8sprov.hcl import load_hcl

    explicit = os.environ.get("TF_CLI_CONFIG_FILE")
    path = Path(explicit) if explicit else Path.home() / ".terraformrc"
    if not path.is_file():
        return (path if explicit else None), {}
    try:
        return path, load_hcl(path)
    except K8sprovError:
        return path, {"__invalid__": True}


def _os_arch() -> str:
    machine = platform.machine().lower()
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(machine, machine)
    return f"{platform.system().lower()}_{arch}"


def _mirror_versions(mirror: Path, host: str, namespace: str, ptype: str) -> list[str]:
    """Versions of one provider a filesystem mirror holds for this platform (unpacked or packed)."""
    base = mirror / host / namespace / ptype
    if not base.is_dir():
        return []
    found = {d.name for d in base.iterdir() if (d / _os_arch()).is_dir()}
    prefix = f"terraform-provider-{ptype}_"
    for archive in base.glob(f"{prefix}*_{_os_arch()}.zip"):
        found.add(archive.name[len(prefix):-len(f"_{_os_arch()}.zip")])
    return sorted(found)


def _providers_item(root: _Root, offline: bool, timeout: float) -> Item:
    from k8sprov.tfversion import satisfies

    if not root.required_providers:
        return skip("providers", "no required_providers in the root module")
    config_path, config = _cli_config()
    if config.get("__invalid__"):
        return fail("providers", f"{config_path}: the Terraform CLI config does not parse",
                    "fix its syntax (it is HCL)")
    mirrors: list[Path] = []
    network_mirrors: list[str] = []
    for install in _blocks(config.get("provider_installation")):
        for fs in _blocks(install.get("filesystem_mirror")):
            if isinstance(fs.get("path"), str):
                mirrors.append(Path(fs["path"]).expanduser())
        for net in _blocks(install.get("network_mirror")):
            if isinstance(net.get("url"), str):
                network_mirrors.append(net["url"])
    missing: list[tuple[str, str, str, str]] = []
    for name, spec in sorted(root.required_providers.items()):
        source = spec.get("source") or f"hashicorp/{name}"
        parts = source.split("/")
        host, namespace, ptype = (parts if len(parts) == 3 else ["registry.terraform.io", *parts[-2:]])
        constraint = spec.get("version", "")
        held = [v for m in mirrors for v in _mirror_versions(m, host, namespace, ptype)]
        try:
            good = any(satisfies(v, constraint) for v in held)
        except ValueError:
            good = bool(held)
        if not good:
            missing.append((host, namespace, ptype, constraint))
    count = len(root.required_providers)
    if not missing:
        noun = "provider" if count == 1 else "providers"
        return ok("providers", f"{count} {noun} in the filesystem mirror {', '.join(map(str, mirrors))}")
    wanted = ", ".join(f"{ns}/{t} {c}".strip() for _, ns, t, c in missing)
    if mirrors and not network_mirrors:
        return fail("providers", f"not in the filesystem mirror {', '.join(map(str, mirrors))}: {wanted}",
                    "add them to the mirror (terraform providers mirror DIR on a connected machine)")
    host, namespace, ptype, _ = missing[0]
    if network_mirrors:
        base = network_mirrors[0].rstrip("/")
        url, what = f"{base}/{host}/{namespace}/{ptype}/index.json", "provider network mirror"
    else:
        url, what = f"https://{host}/v1/providers/{namespace}/{ptype}/versions", "provider registry"

    def probe() -> Probe:
        from k8sprov.probe import http_ok

        found = http_ok(url, timeout=timeout, what=what)
        if found.ok:
            return Probe(True, f"{wanted}: not mirrored here; the {what} answers ({urlsplit(url).netloc})")
        return Probe(False, f"{wanted}: not mirrored and the {what} does not answer: {found.message}",
                     "configure a filesystem_mirror in the Terraform CLI config, or open the way to the"
                     " registry")

    return network("providers", f"{wanted}: not in a filesystem mirror; {what}", probe, offline)


# -- environment checklist --------------------------------------------------------------------------------

def _lint_item(project: Project, env: Environment) -> Item:
    from k8sprov.lint import lint_project
    from k8sprov.lint.render import finding_line

    try:
        from k8sprov.lint.run import find_helm

        report = lint_project(project, [env.name], helm=find_helm(os.environ.get("K8SPROV_HELM")))
    except K8sprovError as err:
        return fail("lint", err.message, err.hint)
    fix = f"k8sprov lint --env {env.name} shows every finding with what to do"
    if report.errors:
        first = next(f for f in report.findings if f.severity == "error")
        return fail("lint", f"{report.errors} error(s), first: {finding_line(first)}", fix)
    if report.warnings:
        return ok("lint", f"no errors, {report.warnings} warning(s) ({fix})")
    return ok("lint", f"{len(report.files)} env and values files clean")


def _files_item(project: Project, env: Environment) -> Item:
    from k8sprov.atrest import exposed

    open_to_others = exposed(project, env.name)
    if open_to_others:
        return fail("files", f"readable by others: {', '.join(open_to_others)} (they hold secrets)",
                    f"run any k8sprov command for {env.name} (it makes them private), or chmod go-rwx them")
    return ok("files", "state, saved plan and backend settings readable by you only")


def _charts_item(project: Project, env: Environment) -> Item:
    from k8sprov.charts.verify import check_profile_charts

    if not project.chart_catalog_file.is_file():
        return skip("charts", "no chart catalog in this project")
    try:
        check_profile_charts(project, env.profile)
    except K8sprovError as err:
        return fail("charts", err.message, err.hint)
    return ok("charts", f"charts of profile {env.profile} vendored and matching charts.lock")


def _kubeconfig_items(env: Environment, conn: Connection, offline: bool, timeout: float,
                      rel: str) -> list[Item]:
    assert conn.merged is not None
    merged = conn.merged
    items: list[Item] = []
    files = ", ".join(map(str, conn.paths))
    if merged.errors:
        items.append(fail("kubeconfig", merged.errors[0], "fix or remove that file"))
        return items
    if not merged.files:
        source = "kubeconfig.path" if conn.settings.kubeconfig_path else \
            "KUBECONFIG" if os.environ.get("KUBECONFIG") else "the default"
        items.append(fail("kubeconfig", f"no kubeconfig file: {files} ({source}) does not exist",
                          f"create it, set KUBECONFIG, or set kubeconfig.path in {rel}"))
        return items
    note = (f" ({len(merged.missing)} listed file(s) missing, skipped as kubectl does)"
            if merged.missing else "")
    items.append(ok("kubeconfig", ", ".join(map(str, merged.files)) + note))
    known = ", ".join(sorted(merged.contexts)) or "none"
    resolved = conn.resolved
    if resolved is None:
        if conn.context is None:
            items.append(fail("context", f"no context: kubeconfig.context is not set and no current-context"
                                         f" in {files} (known: {known})",
                              f"set kubeconfig.context in {rel}, or kubectl config use-context NAME"))
        else:
            items.append(fail("context", f"context {conn.context!r} is not in {files} (known: {known})",
                              f"set kubeconfig.context in {rel} to a known context, or fix KUBECONFIG"))
        return items
    origin = "from the env file" if conn.settings.kubeconfig_context else "current-context"
    items.append(ok("context", f"{resolved.context} ({origin})"))
    cluster = resolved.cluster
    if cluster is None:
        items.append(fail("cluster", f"context {resolved.context!r} names cluster {resolved.cluster_name!r},"
                                     f" which no kubeconfig file defines",
                          "fix the context's cluster, or add the cluster to the kubeconfig"))
        return items
    if not cluster.server:
        items.append(fail("cluster", f"cluster {cluster.name!r} has no server URL",
                          "set clusters[].cluster.server in the kubeconfig"))
        return items
    items.append(ok("cluster", f"{cluster.name}: {cluster.server}"))
    user = resolved.user
    if user is not None and user.plugin:
        items.append(skip("API server",
                          f"{user.plugin} plugin credentials: checked by the plugin at plan time"))
        return items

    def probe() -> Probe:
        from k8sprov.probe import kube_version

        return kube_version(cluster, user, timeout=timeout)

    items.append(network("API server", f"GET {cluster.server}/version", probe, offline))
    return items


def _host_port(text: str, default_port: int) -> tuple[str, int]:
    if "://" in text:
        parts = urlsplit(text)
        return parts.hostname or "", parts.port or default_port
    host, sep, port = text.rpartition(":")
    if sep and port.isdigit() and "]" not in port:
        return host.strip("[]"), int(port)
    return text.strip("[]"), default_port


def _talos_items(env: Environment, conn: Connection, offline: bool, timeout: float,
                 rel: str) -> list[Item]:
    from k8sprov.connection import TALOS_API_PORT

    talos = conn.talos
    assert talos is not None
    items: list[Item] = []
    if not talos.exists:
        items.append(fail("talosconfig", f"{talos.path} does not exist",
                          f"write it with talosctl (talosctl config merge), or set"
                          f" talos.talosconfig_path in {rel}"))
        return items
    if talos.error:
        items.append(fail("talosconfig", f"{talos.path}: {talos.error}",
                          "fix the file (talosctl config info)"))
        return items
    items.append(ok("talosconfig", str(talos.path)))
    known = ", ".join(talos.known) or "none"
    if talos.body is None:
        what = f"context {talos.context!r} is not" if talos.context else "no context is selected"
        items.append(fail("talos context", f"{what} in {talos.path} (known: {known})",
                          f"set talos.context in {rel}, or talosctl config context NAME"))
        return items
    lacking = [k for k in ("ca", "crt", "key") if not talos.body.get(k)]
    if lacking:
        items.append(fail("talos context", f"context {talos.context!r} has no {', '.join(lacking)}",
                          "regenerate the talosconfig (talosctl gen config / config merge)"))
        return items
    endpoint = conn.talos_endpoint
    node = (conn.settings.talos or {}).get("node") or (talos.nodes[0] if talos.nodes else None)
    if not endpoint:
        items.append(fail("talos context", f"context {talos.context!r} has no endpoints",
                          f"talosctl config endpoint HOST, or set talos.endpoint in {rel}"))
        return items
    if not node:
        items.append(fail("talos context", f"context {talos.context!r} has no nodes",
                          f"talosctl config node IP, or set talos.node in {rel}"))
        return items
    items.append(ok("talos context", f"{talos.context}: ca, crt and key; endpoint {endpoint}, node {node}"))
    host, port = _host_port(endpoint, TALOS_API_PORT)

    def probe() -> Probe:
        from k8sprov.probe import tcp_connect

        return tcp_connect(host, port, timeout=timeout, what="Talos API")

    items.append(network("Talos API", f"TCP {host}:{port}", probe, offline))
    return items


def _pg_target(facts: dict[str, Any]) -> tuple[str, int] | None:
    """The pg backend's host and port: conn_str in the backend file, else PG_CONN_STR, else PGHOST/PGPORT."""
    if facts.get("conn_str") == "unreadable":
        return None
    if isinstance(facts.get("conn_str"), list):
        host, port = facts["conn_str"]
        return str(host), int(port)
    conn_str = os.environ.get("PG_CONN_STR")
    if not conn_str:
        host = os.environ.get("PGHOST") or "localhost"
        return host, int(os.environ.get("PGPORT") or 5432)
    return _conn_target(conn_str)


def _conn_target(conn_str: str) -> tuple[str, int]:
    if "://" in conn_str:
        parts = urlsplit(conn_str)
        return parts.hostname or "localhost", parts.port or 5432
    words = dict(w.split("=", 1) for w in conn_str.split() if "=" in w)
    return words.get("host", "localhost"), int(words.get("port", "5432"))


def _backend_items(project: Project, env: Environment, root: _Root, offline: bool,
                   timeout: float) -> list[Item]:
    kind = root.backend_type or "local"
    if env.backend_file is None:
        if kind != "local":
            return [fail("backend", f"the root module uses the {kind} backend, but"
                                    f" infra/backends/{env.name}.hcl does not exist",
                         f"write infra/backends/{env.name}.hcl (see infra/backends/*.example)")]
        return [ok("backend", "local (state in terraform/terraform.tfstate.d/)")]
    rel = str(env.backend_file.relative_to(project.root))
    try:
        facts = _cached_facts(project, env.backend_file, "backend", _backend_facts)
    except K8sprovError as err:
        return [fail("backend", err.message, err.hint or f"fix {rel}")]
    items = [ok("backend", f"{kind}: {rel} parses")]
    if kind == "pg":
        try:
            target = _pg_target(facts)
        except ValueError:
            target = None
        if target is None:
            items.append(fail("pg server", "cannot read host and port from conn_str",
                              f"fix conn_str in {rel}"))
            return items
        host, port = target

        def probe() -> Probe:
            from k8sprov.probe import tcp_connect

            return tcp_connect(host, port, timeout=timeout, what="PostgreSQL server")

        items.append(network("pg server", f"TCP {host}:{port}", probe, offline))
    return items


def _env_checklist(project: Project, name: str, root: _Root, offline: bool, timeout: float) -> Checklist:
    from k8sprov.connection import for_env

    var_file = project.envs_dir / f"{name}.tfvars"
    rel = str(var_file.relative_to(project.root))
    items: list[Item] = []
    if not var_file.is_file():
        known = ", ".join(project.env_names) or "none"
        items.append(fail("env file", f"{rel} does not exist (known: {known})",
                          f"add {rel} or pick a known one"))
        return Checklist(name, name, items)
    try:
        _cached_facts(project, var_file, "env", lambda _data: {})
        items.append(ok("env file", f"{rel} parses"))
        env = project.environment(name)
        items.append(ok("profile", env.profile))
    except K8sprovError as err:
        step = "env file" if not items else "profile"
        items.append(fail(step, err.message, err.hint))
        return Checklist(name, name, items)
    items.append(_lint_item(project, env))
    items.append(_charts_item(project, env))
    conn = for_env(project, env)
    if conn.kind == "talos":
        items.extend(_talos_items(env, conn, offline, timeout, rel))
    else:
        items.extend(_kubeconfig_items(env, conn, offline, timeout, rel))
    items.extend(_backend_items(project, env, root, offline, timeout))
    items.append(_files_item(project, env))
    return Checklist(name, f"{name} (profile {env.profile}, {conn.describe()})", items)  # describe() masks


def _safely(probe: Callable[[], Probe]) -> Probe:
    """A probe that breaks is one failed item, not a crashed doctor."""
    try:
        return probe()
    except Exception as err:  # every probe maps the failures it knows; this is for the ones it does not
        return Probe(False, f"the check itself failed ({err.__class__.__name__})", "run with --debug")


def run(project: Project, envs: list[str], *, terraform_request: str | None, offline: bool = False,
        timeout: float = DEFAULT_TIMEOUT, helm_request: str | None = None) -> Report:
    """Every check for the project and the named environments (all of them when `envs` is empty)."""
    project_items, root = _project_items(project, terraform_request, offline, timeout, helm_request)
    checklists = [Checklist("project", f"project {project.root}", project_items)]
    for name in envs or project.env_names:
        checklists.append(_env_checklist(project, name, root, offline, timeout))
    pending = [i for c in checklists for i in c.items if i.pending is not None]
    if pending:
        # Network items at once: the slowest one bounds the wait, not their sum.
        probes = [i.pending for i in pending if i.pending is not None]
        with ThreadPoolExecutor(max_workers=min(16, len(probes)), thread_name_prefix="doctor") as pool:
            results = list(pool.map(_safely, probes))
        for item, result in zip(pending, results, strict=True):
            item.status = OK if result.ok else FAIL
            item.message = mask(result.message)
            item.fix = mask(result.fix) if result.fix and not result.ok else None
            item.pending = None
    return Report(checklists)
