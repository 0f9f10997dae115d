"""The Pod Security Standards, control by control, as Kubernetes' pod-security-admission evaluates them
(`policy/check_*.go`) at a given Kubernetes version, on the pod templates of rendered objects."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from k8sprov.rendering.checks.compiler import PathLink

LEVELS = ("privileged", "baseline", "restricted")
Obj = dict[str, Any]
Version = tuple[int, int]


@dataclass(frozen=True)
class Violation:
    control: str
    path: PathLink  # relative to the pod template's spec (or its metadata for annotations)
    message: str
    value: Any = None
    in_metadata: bool = False


@dataclass(frozen=True)
class PodTemplate:
    metadata: dict[str, Any]
    spec: dict[str, Any]
    spec_path: PathLink  # where the pod spec sits in the object
    metadata_path: PathLink


_TEMPLATE_AT: dict[str, tuple[str, ...]] = {
    "Deployment": ("spec", "template"), "ReplicaSet": ("spec", "template"),
    "StatefulSet": ("spec", "template"), "DaemonSet": ("spec", "template"), "Job": ("spec", "template"),
    "ReplicationController": ("spec", "template"), "CronJob": ("spec", "jobTemplate", "spec", "template"),
    "PodTemplate": ("template",),
}
_WORKLOAD_GROUPS = {"", "apps", "batch"}


def pod_template(kind: str, group: str, body: dict[str, Any]) -> PodTemplate | None:
    """The pod a workload object creates (or the Pod itself); None for any other object."""
    if group not in _WORKLOAD_GROUPS:
        return None
    if kind == "Pod":
        spec, meta = body.get("spec"), body.get("metadata")
        return PodTemplate(meta if isinstance(meta, dict) else {}, spec, (None, "spec"), (None, "metadata")) \
            if isinstance(spec, dict) else None
    steps = _TEMPLATE_AT.get(kind)
    if steps is None:
        return None
    node: Any = body
    link: PathLink = None
    for step in steps:
        node = node.get(step) if isinstance(node, dict) else None
        link = (link, step)
    if not isinstance(node, dict) or not isinstance(node.get("spec"), dict):
        return None
    meta = node.get("metadata")
    return PodTemplate(meta if isinstance(meta, dict) else {}, node["spec"], (link, "spec"),
                       (link, "metadata"))


# --- helpers ----------------------------------------------------------------------------------------

def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _containers(spec: dict[str, Any]) -> Iterator[tuple[PathLink, dict[str, Any]]]:
    for field in ("initContainers", "containers", "ephemeralContainers"):
        items = spec.get(field)
        if isinstance(items, list):
            for index, container in enumerate(items):
                if isinstance(container, dict):
                    yield ((None, field), index), container


def _name(container: dict[str, Any]) -> str:
    return str(container.get("name") or "?")


def _windows(spec: dict[str, Any]) -> bool:
    return _dict(spec.get("os")).get("name") == "windows"


def _user_namespace(spec: dict[str, Any], version: tuple[int, int]) -> bool:
    return version >= (1, 35) and spec.get("hostUsers") is False


def _sc(at: PathLink) -> PathLink:
    return (at, "securityContext")


Control = Callable[[Obj, Obj, Version], list[Violation]]


# --- baseline ---------------------------------------------------------------------------------------

def _windows_host_process(meta: Obj, spec: Obj, version: Version) -> list[Violation]:
    out = []
    if _dict(_dict(spec.get("securityContext")).get("windowsOptions")).get("hostProcess") is True:
        out.append(Violation("windowsHostProcess", ((_sc(None), "windowsOptions"), "hostProcess"),
                             "pod must not set securityContext.windowsOptions.hostProcess=true", True))
    for at, c in _containers(spec):
        if _dict(_dict(c.get("securityContext")).get("windowsOptions")).get("hostProcess") is True:
            out.append(Violation("windowsHostProcess", ((_sc(at), "windowsOptions"), "hostProcess"),
                                 f"container {_name(c)!r} must not set securityContext.windowsOptions."
                                 "hostProcess=true", True))
    return out


def _host_namespaces(meta: Obj, spec: Obj, version: Version) -> list[Violation]:
    return [Violation("hostNamespaces", (None, field), f"{field}=true shares the host's namespace", True)
            for field in ("hostNetwork", "hostPID", "hostIPC") if spec.get(field) is True]


def _privileged(meta: Obj, spec: Obj, version: Version) -> list[Violation]:
    return [Violation("privileged", (_sc(at), "privileged"),
                      f"container {_name(c)!r} must not set securityContext.privileged=true", True)
            for at, c in _containers(spec) if _dict(c.get("securityContext")).get("privileged") is True]


_DEFAULT_CAPABILITIES = frozenset({"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL",
                                   "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID",
                                   "SYS_CHROOT"})


def _capabilities_baseline(meta: Obj, spec: Obj, version: Version) -> list[Violation]:
    out = []
    for at, c in _containers(spec):
        adds = _dict(_dict(c.get("securityContext")).get("capabilities")).get("add")
        for index, cap in enumerate(adds if isinstance(adds, list) else []):
            if cap not in _DEFAULT_CAPABILITIES:
                out.append(Violation("capabilities", (((_sc(at), "capabilities"), "add"), index),
                                     f"container {_name(c)!r} must not add capability {cap!r}", cap))
    return out


def _host_path_volumes(meta: Obj, spec: Obj, version: Version) -> list[Violation]:
    volumes = spec.get("volumes")
    return [Violation("hostPathVolumes", (((None, "volumes"), index), "hostPath"),
                      f"volume {v.get('name')!r} must not be a hostPath volume")
            for index, v in enumerate(volumes if isinstance(volumes, list) else [])
            if isinstance(v, dict) and v.get("hostPath") is not None]


def _host_ports(meta: Obj, spec: Obj, version: Version) -> list[Violation]:
    out = []
    for at, c in _containers(spec):
        ports = c.get("ports")
        for index, port in enumerate(ports if isinstance(ports, list) else []):
            host_port = _dict(port).get("hostPort")
            if host_port not in (None, 0):
                out.append(Violation("hostPorts", (((at, "ports"), index), "hostPort"),
                                     f"container {_name(c)!r} must not use hostPort {host_port}", host_port))
    return out


_APPARMOR_PREFIX = "container.apparmor.security.beta.kubernetes.io/"


def _app_armor(meta: Obj, spec: Obj, version: Version) -> list[Violation]:
    out = []
    allowed = ("RuntimeDefault", "Localhost")
    pod_profile = _dict(spec.get("securityContext")).get("appArmorProfile")
    pod_type = _dict(pod_profile).get("type")
    if isinstance(pod_profile, dict) and pod_type not in allowed:
        out.append(Violation("appArmorProfile", ((_sc(None), "appArmorProfile"), "type"),
                             f"pod must not set AppArmor profile type {pod_type!r}", pod_type))
    for at, c in _containers(spec):
        sc = _dict(c.get("securityContext"))
        if isinstance(sc.get("appArmorProfile"), dict) and sc["appArmorProfile"].get("type") not in allowed:
            bad = _dict(sc["appArmorProfile"]).get("type")
            out.append(Violation("appArmorProfile", ((_sc(at), "appArmorProfile"), "type"),
                                 f"container {_name(c)!r} must not set AppArmor profile type {bad!r}", bad))
    for key, value in _dict(meta.get("annotations")).items():
        if str(key).startswith(_APPARMOR_PREFIX) and not (
                value in ("", "runtime/default") or str(value).startswith("localhost/")):
            out.append(Violation("appArmorProfile", ((None, "annotations"), key),
                                 f"annotation {key}={value!r} sets a forbidden AppArmor profile", value,
                                 in_metadata=True))
    return out


def _selinux(meta: Obj, spec: Obj, version: Version) -> list[Violation]:
    allowed = {"", "container_t", "container_init_t", "container_kvm_t"}
    if version >= (1, 31):
        allowed.add("container_engine_t")

    def bad(options: Any, at: PathLink, who: str) -> list[Violation]:
        opts = _dict(options)
        found = []
        if str(opts.get("type") or "") not in allowed:
            found.append(Violation("seLinuxOptions", (at, "type"), f"{who} must not set SELinux type "
                                   f"{opts.get('type')!r}", opts.get("type")))
        for field in ("user", "role"):
            if opts.get(field):
                found.append(Violation("seLinuxOptions", (at, field), f"{who} must not set SELinux {field}",
                                       opts.get(field)))
        return found

    out = bad(_dict(spec.get("securityContext")).get("seLinuxOptions"), (_sc(None), "seLinuxOptions"), "pod")
    for at, c in _containers(spec):
        out += bad(_dict(c.get("securityContext")).get("seLinuxOptions"), (_sc(at), "seLinuxOptions"),
                   f"container {_name(c)!r}")
    return out


def _proc_mount_any(meta: Obj, spec: Obj, version: Version) -> list[Violation]:
    out = []
    for at, c in _containers(spec):
        mount = _dict(c.get("securityContext")).get("procMount")
        if mount is not None and mount != "Default":
            out.append(Violation("procMount", (_sc(at), "procMount"),
                                 f"container {_name(c)!r} must not set securityContext.procMount={mount!r}",
                                 mount))
    return out


def _proc_mount_baseline(meta: Obj, spec: Obj, version: Version) -> list[Violation]:
    return [] if _user_namespace(spec, version) else _proc_mount_any(meta, spec, version)


_SECCOMP_OK = ("RuntimeDefault", "Localhost")


def _seccomp_baseline(meta: Obj, spec: Obj, version: Version) -> list[Violation]:
    out = []
    pod_profile = _dict(spec.get("securityContext")).get("seccompProfile")
    if isinstance(pod_profile, dict) and pod_profile.get("type") not in _SECCOMP_OK:
        out.append(Violation("seccompProfile", ((_sc(None), "seccompProfile"), "type"),
                             f"pod must not set seccompProfile type {pod_profile.get('type')!r}",
                             pod_profile.get("type")))
    for at, c in _containers(spec):
        profile = _dict(c.get("securityContext")).get("seccompProfile")
        if isinstance(profile, dict) and profile.get("type") not in _SECCOMP_OK:
            out.append(Violation("seccompProfile", ((_sc(at), "seccompProfile"), "type"),
                                 f"container {_name(c)!r} must not set seccompProfile type "
                                 f"{profile.get('type')!r}", profile.get("type")))
    return out


_SYSCTLS_BY_VERSION = (
    ((1, 0), {"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
              "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start"}),
    ((1, 27), {"net.ipv4.ip_local_reserved_ports"}),
    ((1, 29), {"net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
               "net.ipv4.tcp_keepalive_probes"}),
    ((1, 32), {"net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"}),
    ((1, 37), {"net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat"}),
)


def _sysctls(meta: Obj, spec: Obj, version: Version) -> list[Violation]:
    allowed: set[str] = set()
    for since, names in _SYSCTLS_BY_VERSION:
        if version >= since:
            allowed |= names
    entries = _dict(spec.get("securityContext")).get("sysctls")
    return [Violation("sysctls", (((_sc(None), "sysctls"), index), "name"),
                      f"sysctl {_dict(s).get('name')!r} is not in the safe set", _dict(s).get("name"))
            for index, s in enumerate(entries if isinstance(entries, list) else [])
            if _dict(s).get("name") not in allowed]


def _host_probes(meta: Obj, spec: Obj, version: Version) -> list[Violation]:
    if version < (1, 34):
        return []
    out = []
    for at, c in _containers(spec):
        probes = ("livenessProbe", "readinessProbe", "startupProbe")
        handlers: list[tuple[PathLink, Any]] = [((at, probe), c.get(probe)) for probe in probes]
        lifecycle = _dict(c.get("lifecycle"))
        handlers += [(((at, "lifecycle"), hook), lifecycle.get(hook)) for hook in ("postStart", "preStop")]
        for where, handler in handlers:
            for action in ("httpGet", "tcpSocket"):
                host = _dict(_dict(handler).get(action)).get("host")
                if host:
                    out.append(Violation("hostProbesAndHostLifecycle", ((where, action), "host"),
                                         f"container {_name(c)!r} must not set a host ({host!r}) in probes "
                                         "or lifecycle handlers", host))
    return out


# --- restricted -------------------------------------------------------------------------------------

_RESTRICTED_VOLUMES = frozenset({"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image",
                                 "persistentVolumeClaim", "projected", "secret"})


def _restricted_volumes(meta: Obj, spec: Obj, version: Version) -> list[Violation]:
    out = []
    volumes = spec.get("volumes")
    for index, volume in enumerate(volumes if isinstance(volumes, list) else []):
        sources = [k for k, v in _dict(volume).items() if k != "name" and v is not None]
        if not any(source in _RESTRICTED_VOLUMES for source in sources):
            kind = sources[0] if sources else "unknown"
            out.append(Violation("restrictedVolumes", (((None, "volumes"), index), kind),
                                 f"volume {_dict(volume).get('name')!r} uses a restricted volume type "
                                 f"{kind!r}"))
    return out


def _allow_privilege_escalation(meta: Obj, spec: Obj, version: Version) -> list[Violation]:
    if _windows(spec):
        return []
    out = []
    for at, c in _containers(spec):
        value = _dict(c.get("securityContext")).get("allowPrivilegeEscalation")
        if value is not False:
            out.append(Violation("allowPrivilegeEscalation", (_sc(at), "allowPrivilegeEscalation"),
                                 f"container {_name(c)!r} must set securityContext.allowPrivilegeEscalation="
                                 "false", value))
    return out


def _run_as_non_root(meta: Obj, spec: Obj, version: Version) -> list[Violation]:
    if _user_namespace(spec, version):
        return []
    out = []
    pod_value = _dict(spec.get("securityContext")).get("runAsNonRoot")
    if pod_value is False:
        out.append(Violation("runAsNonRoot", (_sc(None), "runAsNonRoot"),
                             "pod must not set securityContext.runAsNonRoot=false", False))
    for at, c in _containers(spec):
        value = _dict(c.get("securityContext")).get("runAsNonRoot")
        if value is False:
            out.append(Violation("runAsNonRoot", (_sc(at), "runAsNonRoot"),
                                 f"container {_name(c)!r} must not set securityContext.runAsNonRoot=false",
                                 False))
        elif value is None and pod_value is not True:
            out.append(Violation("runAsNonRoot", (_sc(at), "runAsNonRoot"),
                                 f"pod or container {_name(c)!r} must set securityContext.runAsNonRoot=true"))
    return out


def _run_as_user(meta: Obj, spec: Obj, version: Version) -> list[Violation]:
    if _user_namespace(spec, version):
        return []
    out = []
    if _dict(spec.get("securityContext")).get("runAsUser") == 0:
        out.append(Violation("runAsUser", (_sc(None), "runAsUser"), "pod must not set runAsUser=0", 0))
    for at, c in _containers(spec):
        if _dict(c.get("securityContext")).get("runAsUser") == 0:
            out.append(Violation("runAsUser", (_sc(at), "runAsUser"),
                                 f"container {_name(c)!r} must not set runAsUser=0", 0))
    return out


def _seccomp_restricted(meta: Obj, spec: Obj, version: Version) -> list[Violation]:
    if _windows(spec):
        return []
    out = _seccomp_baseline(meta, spec, version)
    pod_profile = _dict(spec.get("securityContext")).get("seccompProfile")
    pod_set = isinstance(pod_profile, dict) and pod_profile.get("type") in _SECCOMP_OK
    if out or pod_set:
        return out
    return [Violation("seccompProfile", ((_sc(at), "seccompProfile"), "type"),
                      f'pod or container {_name(c)!r} must set securityContext.seccompProfile.type to '
                      '"RuntimeDefault" or "Localhost"')
            for at, c in _containers(spec)
            if not isinstance(_dict(c.get("securityContext")).get("seccompProfile"), dict)]


def _capabilities_restricted(meta: Obj, spec: Obj, version: Version) -> list[Violation]:
    if _windows(spec):
        return []
    out = []
    for at, c in _containers(spec):
        caps = _dict(_dict(c.get("securityContext")).get("capabilities"))
        drop = caps.get("drop")
        if not (isinstance(drop, list) and "ALL" in drop):
            out.append(Violation("capabilities", ((_sc(at), "capabilities"), "drop"),
                                 f"container {_name(c)!r} must set "
                                 'securityContext.capabilities.drop=["ALL"]'))
        adds = caps.get("add")
        for index, cap in enumerate(adds if isinstance(adds, list) else []):
            if cap != "NET_BIND_SERVICE":
                out.append(Violation("capabilities", (((_sc(at), "capabilities"), "add"), index),
                                     f"container {_name(c)!r} must not add capability {cap!r}", cap))
    return out


def _proc_mount_restricted(meta: Obj, spec: Obj, version: Version) -> list[Violation]:
    return _proc_mount_any(meta, spec, version) if version >= (1, 35) else \
        _proc_mount_baseline(meta, spec, version)


_BASELINE: dict[str, Control] = {
    "windowsHostProcess": _windows_host_process, "hostNamespaces": _host_namespaces,
    "privileged": _privileged, "capabilities": _capabilities_baseline, "hostPathVolumes": _host_path_volumes,
    "hostPorts": _host_ports, "appArmorProfile": _app_armor, "seLinuxOptions": _selinux,
    "procMount": _proc_mount_baseline, "seccompProfile": _seccomp_baseline, "sysctls": _sysctls,
    "hostProbesAndHostLifecycle": _host_probes,
}
# Restricted controls replace the baseline control they tighten (pod-security-admission's overrides).
_RESTRICTED: dict[str, Control] = {
    **_BASELINE,
    "hostPathVolumes": _restricted_volumes, "capabilities": _capabilities_restricted,
    "seccompProfile": _seccomp_restricted, "procMount": _proc_mount_restricted,
    "allowPrivilegeEscalation": _allow_privilege_escalation, "runAsNonRoot": _run_as_non_root,
    "runAsUser": _run_as_user,
}


def violations(level: str, template: PodTemplate, version: tuple[int, int]) -> list[Violation]:
    """Every control of `level` the pod fails (none for "privileged")."""
    controls = _RESTRICTED if level == "restricted" else _BASELINE if level == "baseline" else {}
    out: list[Violation] = []
    for control in controls.values():
        out.extend(control(template.metadata, template.spec, version))
    return out


def strictest_level(template: PodTemplate, version: tuple[int, int]) -> str:
    if not violations("restricted", template, version):
        return "restricted"
    if not violations("baseline", template, version):
        return "baseline"
    return "privileged"


def stricter(a: str, b: str) -> bool:
    return LEVELS.index(a) > LEVELS.index(b)
