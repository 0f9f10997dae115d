"""The `pod-security` check and `namespace_levels`: the Pod Security Standards, control by control, as
pod-security-admission evaluates them (policy/check_*.go) at the context's Kubernetes version."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from k8sprov.errors import UsageError
from k8sprov.rendering.checks import CheckContext, NamespacePolicy, namespace_levels, run_checks
from k8sprov.rendering.checks.podsecurity import pod_template, strictest_level
from tests.render.checks_objects import RESTRICTED_CONTAINER, ctx, deployment, pod, release, restricted_pod


def _level(body: dict[str, Any], kube: tuple[int, int] = (1, 31)) -> str:
    template = pod_template(body["kind"], body["apiVersion"].rpartition("/")[0], body)
    assert template is not None
    return strictest_level(template, kube)


def _container(**sc: Any) -> dict[str, Any]:
    container = copy.deepcopy(RESTRICTED_CONTAINER)
    container["securityContext"].update(sc)
    return container


# Each baseline control: the pod meets neither baseline nor (so) restricted.
BASELINE_BREAKERS: dict[str, dict[str, Any]] = {
    "privileged": restricted_pod(privileged=True),
    "hostNetwork": pod(containers=[_container()], hostNetwork=True),
    "hostPID": pod(containers=[_container()], hostPID=True),
    "hostIPC": pod(containers=[_container()], hostIPC=True),
    "capability SYS_ADMIN": restricted_pod(capabilities={"drop": ["ALL"], "add": ["SYS_ADMIN"]}),
    "hostPath": pod(containers=[_container()], volumes=[{"name": "h", "hostPath": {"path": "/"}}]),
    "hostPort": pod(containers=[{**_container(), "ports": [{"containerPort": 80, "hostPort": 80}]}]),
    "AppArmor Unconfined": restricted_pod(appArmorProfile={"type": "Unconfined"}),
    "AppArmor annotation": {
        **restricted_pod(),
        "metadata": {
            "name": "p",
            "annotations": {"container.apparmor.security.beta.kubernetes.io/app": "unconfined"},
        },
    },
    "SELinux type": restricted_pod(seLinuxOptions={"type": "spc_t"}),
    "SELinux user": restricted_pod(seLinuxOptions={"user": "root"}),
    "procMount Unmasked": restricted_pod(procMount="Unmasked"),
    "seccomp Unconfined": restricted_pod(seccompProfile={"type": "Unconfined"}),
    "unsafe sysctl": pod(
        containers=[_container()], securityContext={"sysctls": [{"name": "kernel.msgmax", "value": "1"}]}
    ),
    "windows hostProcess": restricted_pod(windowsOptions={"hostProcess": True}),
}


@pytest.mark.parametrize("case", list(BASELINE_BREAKERS))
def test_each_baseline_control(case: str) -> None:
    assert _level(BASELINE_BREAKERS[case]) == "privileged"


RESTRICTED_BREAKERS: dict[str, dict[str, Any]] = {
    "allowPrivilegeEscalation unset": restricted_pod(allowPrivilegeEscalation=None),
    "allowPrivilegeEscalation true": restricted_pod(allowPrivilegeEscalation=True),
    "runAsNonRoot unset": restricted_pod(runAsNonRoot=None),
    "runAsNonRoot false": restricted_pod(runAsNonRoot=False),
    "runAsUser 0": restricted_pod(runAsUser=0),
    "seccomp unset": restricted_pod(seccompProfile=None),
    "capabilities not dropped": restricted_pod(capabilities={"drop": ["NET_RAW"]}),
    "capability CHOWN added": restricted_pod(capabilities={"drop": ["ALL"], "add": ["CHOWN"]}),
    "nfs volume": pod(
        containers=[_container()], volumes=[{"name": "n", "nfs": {"server": "s", "path": "/"}}]
    ),
}


@pytest.mark.parametrize("case", list(RESTRICTED_BREAKERS))
def test_each_restricted_control_leaves_baseline(case: str) -> None:
    assert _level(RESTRICTED_BREAKERS[case]) == "baseline"


def test_restricted_allows_what_it_should() -> None:
    assert _level(restricted_pod()) == "restricted"
    assert _level(restricted_pod(capabilities={"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]})) == "restricted"
    volumes = [
        {"name": "c", "configMap": {"name": "c"}},
        {"name": "e", "emptyDir": {}},
        {"name": "p", "projected": {"sources": []}},
        {"name": "s", "secret": {"secretName": "s"}},
    ]
    assert _level(pod(containers=[_container()], volumes=volumes)) == "restricted"
    # Pod-level settings cover containers that leave them out.
    bare = {
        "name": "app",
        "image": "x",
        "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
    }
    pod_level = pod(
        containers=[bare],
        securityContext={
            "runAsNonRoot": True,
            "seccompProfile": {"type": "Localhost", "localhostProfile": "p.json"},
        },
    )
    assert _level(pod_level) == "restricted"


def test_an_unset_security_context_is_baseline() -> None:
    assert _level(pod()) == "baseline"
    assert _level(deployment()) == "baseline"


def test_windows_pods_skip_the_linux_only_restricted_controls() -> None:
    bare = {"name": "app", "image": "x"}
    windows = pod(containers=[bare], os={"name": "windows"}, securityContext={"runAsNonRoot": True})
    assert _level(windows) == "restricted"


def test_user_namespaces_relax_run_as_root_and_proc_mount_from_1_35() -> None:
    body = restricted_pod(runAsUser=0, runAsNonRoot=False, procMount="Unmasked")
    body["spec"]["hostUsers"] = False
    assert _level(body, (1, 34)) == "privileged"
    assert _level(body, (1, 35)) == "baseline"  # procMount stays a restricted control from 1.35


def test_probe_hosts_are_a_control_from_1_34() -> None:
    container = _container()
    container["livenessProbe"] = {"httpGet": {"host": "10.0.0.1", "port": 80}}
    body = pod(containers=[container])
    assert _level(body, (1, 33)) == "restricted"
    assert _level(body, (1, 34)) == "privileged"


def test_safe_sysctls_grow_with_the_version() -> None:
    body = pod(
        containers=[_container()], securityContext={"sysctls": [{"name": "net.ipv4.tcp_rmem", "value": "1"}]}
    )
    assert _level(body, (1, 31)) == "privileged"
    assert _level(body, (1, 32)) == "restricted"


def test_selinux_container_engine_t_from_1_31() -> None:
    body = restricted_pod(seLinuxOptions={"type": "container_engine_t"})
    assert _level(body, (1, 30)) == "privileged"
    assert _level(body, (1, 31)) == "restricted"


def test_every_workload_kind_has_its_pod_template_checked() -> None:
    spec = {"containers": [{"name": "app", "image": "x", "securityContext": {"privileged": True}}]}
    template = {"metadata": {}, "spec": spec}
    bodies = [
        {
            "apiVersion": "apps/v1",
            "kind": kind,
            "metadata": {"name": kind.lower()},
            "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": template},
        }
        for kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")
    ] + [
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": "job"},
            "spec": {"template": template},
        },
        {
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "metadata": {"name": "cron"},
            "spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": template}}},
        },
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "test", "annotations": {"helm.sh/hook": "test"}},
            "spec": spec,
        },
    ]
    findings = run_checks([release("r", "apps", *bodies)], ctx(apps="baseline"))
    privileged = [(f.object, f.path) for f in findings if f.check == "pod-security"]
    assert privileged == [
        ("Deployment apps/deployment", "spec.template.spec.containers[0].securityContext.privileged"),
        ("StatefulSet apps/statefulset", "spec.template.spec.containers[0].securityContext.privileged"),
        ("DaemonSet apps/daemonset", "spec.template.spec.containers[0].securityContext.privileged"),
        ("ReplicaSet apps/replicaset", "spec.template.spec.containers[0].securityContext.privileged"),
        ("Job apps/job", "spec.template.spec.containers[0].securityContext.privileged"),
        ("CronJob apps/cron", "spec.jobTemplate.spec.template.spec.containers[0].securityContext.privileged"),
        ("Pod apps/test", "spec.containers[0].securityContext.privileged"),
    ]


def test_enforce_is_an_error_and_warn_a_warning() -> None:
    context = CheckContext("1.31", {"apps": NamespacePolicy("baseline", warn="restricted")})
    findings = run_checks(
        [
            release(
                "r",
                "apps",
                pod(containers=[{"name": "app", "image": "x", "securityContext": {"privileged": True}}]),
            )
        ],
        context,
    )
    errors = [(f.path, f.message) for f in findings if f.severity == "error"]
    warnings = {f.message.split(":")[0] for f in findings if f.severity == "warning"}
    assert errors == [
        (
            "spec.containers[0].securityContext.privileged",
            "privileged: container 'app' must not set "
            'securityContext.privileged=true (Pod Security "baseline" enforced on namespace apps)',
        )
    ]
    # restricted adds its own controls as warnings; privileged is not reported twice.
    assert warnings == {"allowPrivilegeEscalation", "runAsNonRoot", "seccompProfile", "capabilities"}


def test_namespaces_without_a_policy_are_not_checked() -> None:
    body = pod(hostNetwork=True)
    assert [
        f for f in run_checks([release("r", "kube-system", body)], ctx()) if f.check == "pod-security"
    ] == []


def test_namespace_levels_are_the_strictest_all_pods_meet() -> None:
    context = ctx(apps="baseline", quiet="restricted", mixed="restricted")
    renders = [
        release("a", "apps", restricted_pod()),
        release("b", "mixed", restricted_pod(), deployment()),
        release("c", "kube-system", pod(hostPID=True)),
    ]
    assert namespace_levels(renders, context) == {
        "apps": "restricted",
        "quiet": "restricted",
        "mixed": "baseline",
        "kube-system": "privileged",
    }


def test_a_namespace_object_of_the_stack_brings_its_pod_security_labels() -> None:
    namespace = {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": "team-a", "labels": {"pod-security.kubernetes.io/enforce": "baseline"}},
    }
    body = pod(hostNetwork=True)
    body["metadata"]["namespace"] = "team-a"
    findings = run_checks([release("ns", "apps", namespace), release("r", "apps", body)], ctx())
    assert [(f.release, f.object, f.path) for f in findings] == [("r", "Pod team-a/p", "spec.hostNetwork")]
    assert 'Pod Security "baseline" enforced on namespace team-a' in findings[0].message


def test_an_unknown_level_is_refused() -> None:
    with pytest.raises(UsageError, match="warn='strict'"):
        NamespacePolicy("baseline", warn="strict")


def test_null_profiles_are_left_out_as_the_api_server_reads_them() -> None:
    body = restricted_pod(appArmorProfile=None, seLinuxOptions=None)
    body["spec"]["securityContext"] = {"appArmorProfile": None, "seccompProfile": None}
    assert _level(body) == "restricted"
    assert _level(restricted_pod(appArmorProfile={"type": "RuntimeDefault"})) == "restricted"
