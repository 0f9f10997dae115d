"""Plan JSON with the helm provider's manifest experiment on, built from real chart objects.

The objects are trimmed copies of what `helm template` renders for the pinned charts (argo-cd 9.5.22 →
9.7.1, kyverno 3.8.2 → 3.9.0, prometheus-operator-crds 30.0.1 → 31.0.1): names, labels, annotations,
API versions and the fields that change between those releases are the charts' own. They are put in the
plan the way hashicorp/helm 3.x does (helm/manifest_json.go, helm/kube_resources.go):

- `manifest`: one JSON string, an object keyed `[<ns>/]<lowercase kind[.group]>/<apiVersion>/<name>`;
  a Secret's `data` values replaced by base64 of `(sensitive value <16 hex>)`, `stringData` left clear;
- `resources`: a map keyed `<lowercase kind[.group]>/<version>/<namespace>/<name>` → JSON string.

`python -m tests.planview.objects_fixture` rewrites fixtures/objects-plan.json (a test checks it is
current), the file the CLI tests feed to `k8sprov show --plan`.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from pathlib import Path
from typing import Any

from tests.planview.helpers import helm_release, rc

FIXTURE = Path(__file__).parent / "fixtures" / "objects-plan.json"
MOD = "module.provision_k8s"
# Every secret in this plan starts with CANARY: none may ever be printed, in any format.
CANARY_STRINGDATA = "CANARY-s3cr3t-stringdata-51c0"
CANARY_DATA = "CANARY-s3cr3t-data-b7e2"
CANARY_SET_SENSITIVE = "CANARY-s3cr3t-set-sensitive-4d1a"
CANARY_VALUES = "CANARY-s3cr3t-values-admin-a83f"
CANARIES = (CANARY_STRINGDATA, CANARY_DATA, CANARY_SET_SENSITIVE, CANARY_VALUES)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def provider_redacted(value: str) -> str:
    """What the provider writes for a Secret `data` value: base64 of `(sensitive value <shake256/8>)`."""
    return b64(f"(sensitive value {hashlib.shake_256(value.encode()).hexdigest(8)})")


def labels(
    name: str,
    chart: str,
    version: str,
    app_version: str,
    component: str | None = None,
    part_of: str | None = None,
) -> dict[str, str]:
    out = {
        "app.kubernetes.io/instance": name.split("/")[0],
        "app.kubernetes.io/managed-by": "Helm",
        "app.kubernetes.io/name": name.split("/")[-1],
        "app.kubernetes.io/version": app_version,
        "helm.sh/chart": f"{chart}-{version}",
    }
    if component:
        out["app.kubernetes.io/component"] = component
    if part_of:
        out["app.kubernetes.io/part-of"] = part_of
    return out


# ---- argo-cd ------------------------------------------------------------------------------------

ARGO = {"old": ("9.5.22", "v3.2.6"), "new": ("9.7.1", "v3.3.2")}


def _argo_labels(name: str, side: str, component: str) -> dict[str, str]:
    version, app = ARGO[side]
    return labels(f"argo-cd/{name}", "argo-cd", version, app, component, "argocd")


def argo_objects(side: str) -> dict[str, dict[str, Any]]:
    """The argo-cd release's objects (a selection), keyed like the provider's manifest."""
    _, app = ARGO[side]
    new = side == "new"
    params = {
        "server.insecure": "false",
        "server.basehref": "/",
        "controller.status.processors": "20",
        "controller.operation.processors": "10",
        "reposerver.parallelism.limit": "0",
    }
    if new:
        params["server.insecure"] = "true"
        params["controller.status.processors"] = "50"
    cmd_params_checksum = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()
    cm_checksum = (
        "4d6d2c6a2b7b8f7c"
        + ("0e1d" if new else "91aa")
        + "5a3f2c1b0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a39281706f5e4d3"
    )

    def deployment(
        name: str,
        component: str,
        *,
        replicas: int,
        args: list[str],
        env: list[dict[str, Any]],
        ports: list[dict[str, Any]],
        sa: str,
    ) -> dict[str, Any]:
        return {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name, "namespace": "argocd", "labels": _argo_labels(name, side, component)},
            "spec": {
                "replicas": replicas,
                "revisionHistoryLimit": 3,
                "selector": {
                    "matchLabels": {"app.kubernetes.io/instance": "argo-cd", "app.kubernetes.io/name": name}
                },
                "template": {
                    "metadata": {
                        "annotations": {
                            "checksum/cmd-params": cmd_params_checksum,
                            "checksum/cm": cm_checksum,
                        },
                        "labels": _argo_labels(name, side, component),
                    },
                    "spec": {
                        "serviceAccountName": sa,
                        "automountServiceAccountToken": True,
                        "terminationGracePeriodSeconds": 30,
                        "containers": [
                            {
                                "name": component,
                                "image": f"quay.io/argoproj/argocd:{app}",
                                "imagePullPolicy": "IfNotPresent",
                                "args": args,
                                "env": env,
                                "ports": ports,
                                "securityContext": {
                                    "allowPrivilegeEscalation": False,
                                    "capabilities": {"drop": ["ALL"]},
                                    "readOnlyRootFilesystem": True,
                                    "runAsNonRoot": True,
                                    "seccompProfile": {"type": "RuntimeDefault"},
                                },
                                "volumeMounts": [
                                    {"mountPath": "/app/config/ssh", "name": "ssh-known-hosts"},
                                    {"mountPath": "/tmp", "name": "tmp"},
                                ],
                            }
                        ],
                        "volumes": [
                            {"name": "ssh-known-hosts", "configMap": {"name": "argocd-ssh-known-hosts-cm"}},
                            {"name": "tmp", "emptyDir": {}},
                        ],
                    },
                },
            },
        }

    def env_from_params(*keys: str) -> list[dict[str, Any]]:
        return [
            {
                "name": "ARGOCD_" + k.upper().replace(".", "_"),
                "valueFrom": {
                    "configMapKeyRef": {"name": "argocd-cmd-params-cm", "key": k, "optional": True}
                },
            }
            for k in keys
        ]

    server_env = env_from_params("server.insecure", "server.basehref")
    if new:  # 9.7 adds one variable at the top of the list: keyed by name, nothing else moves
        server_env = [{"name": "ARGOCD_SERVER_ENABLE_GZIP", "value": "true"}, *server_env]
    server = deployment(
        "argocd-server",
        "server",
        replicas=2 if new else 1,
        args=["/usr/local/bin/argocd-server", "--port=8080", "--metrics-port=8083"],
        env=server_env,
        ports=[
            {"name": "server", "containerPort": 8080, "protocol": "TCP"},
            {"name": "metrics", "containerPort": 8083, "protocol": "TCP"},
        ],
        sa="argocd-server",
    )
    repo = deployment(
        "argocd-repo-server",
        "repo-server",
        replicas=1,
        args=["/usr/local/bin/argocd-repo-server", "--port=8081", "--metrics-port=8084"],
        env=env_from_params("reposerver.parallelism.limit"),
        ports=[{"name": "repo-server", "containerPort": 8081, "protocol": "TCP"}],
        sa="argocd-repo-server",
    )
    appset = deployment(
        "argocd-applicationset-controller",
        "applicationset-controller",
        replicas=1,
        args=["/usr/local/bin/argocd-applicationset-controller", "--metrics-addr=:8080"],
        env=[],
        ports=[{"name": "metrics", "containerPort": 8080, "protocol": "TCP"}],
        sa="argocd-applicationset-controller",
    )
    # the applicationset controller reads no configmap: its template carries no checksum annotations,
    # so a chart bump rolls it only through the chart labels in its pod template
    del appset["spec"]["template"]["metadata"]["annotations"]
    # the image tag of the repo-server and appset controller is pinned by our values; only the server's moves
    repo["spec"]["template"]["spec"]["containers"][0]["image"] = "quay.io/argoproj/argocd:v3.2.6"
    appset["spec"]["template"]["spec"]["containers"][0]["image"] = "quay.io/argoproj/argocd:v3.2.6"

    objects: dict[str, dict[str, Any]] = {
        "argocd/deployment.apps/apps/v1/argocd-server": server,
        "argocd/deployment.apps/apps/v1/argocd-repo-server": repo,
        "argocd/deployment.apps/apps/v1/argocd-applicationset-controller": appset,
        "argocd/configmap/v1/argocd-cmd-params-cm": {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": "argocd-cmd-params-cm",
                "namespace": "argocd",
                "labels": _argo_labels("argocd-cmd-params-cm", side, "server"),
            },
            "data": params,
        },
        "argocd/configmap/v1/argocd-cm": {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": "argocd-cm",
                "namespace": "argocd",
                "labels": _argo_labels("argocd-cm", side, "server"),
            },
            "data": {
                "admin.enabled": "true",
                "application.instanceLabelKey": "argocd.argoproj.io/instance",
                "exec.enabled": "true" if new else "false",
                "server.rbac.log.enforce.enable": "false",
                "statusbadge.enabled": "false",
                "timeout.hard.reconciliation": "0s",
                "timeout.reconciliation": "180s",
                "url": "https://argocd.example.com",
                # a value set with set_sensitive that the chart renders into a ConfigMap: the provider's
                # own redaction misses it in 3.x, so it arrives here in clear
                **({"webhook.bitbucket.uuid": CANARY_SET_SENSITIVE} if new else {}),
                # the admin password from a values document marked sensitive, copied by a user template
                "accounts.ci.passwordHint": CANARY_VALUES if new else "none",
            },
        },
        "argocd/configmap/v1/argocd-rbac-cm": {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": "argocd-rbac-cm",
                "namespace": "argocd",
                "labels": _argo_labels("argocd-rbac-cm", side, "server"),
            },
            "data": {"policy.csv": "", "policy.default": "role:readonly", "scopes": "[groups]"},
        },
        "argocd/configmap/v1/argocd-ssh-known-hosts-cm": {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": "argocd-ssh-known-hosts-cm",
                "namespace": "argocd",
                "labels": _argo_labels("argocd-ssh-known-hosts-cm", side, "server"),
            },
            "data": {
                "ssh_known_hosts": "github.com ssh-ed25519 "
                "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n"
            },
        },
        "argocd/secret/v1/argocd-secret": {
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "Opaque",
            "metadata": {
                "name": "argocd-secret",
                "namespace": "argocd",
                "labels": _argo_labels("argocd-secret", side, "server"),
            },
            "data": {
                "server.secretkey": provider_redacted("k3y-" + side),
                "admin.passwordMtime": provider_redacted("2026-08-01T10:00:00Z"),
                **({"webhook.github.secret": provider_redacted("gh-hook")} if new else {}),
            },
            # stringData is not redacted by the provider: the canary sits here in clear
            "stringData": {"admin.password": CANARY_STRINGDATA + ("-rotated" if new else "")},
        },
        "argocd/service/v1/argocd-server": {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {
                "name": "argocd-server",
                "namespace": "argocd",
                "labels": _argo_labels("argocd-server", side, "server"),
            },
            "spec": {
                "type": "ClusterIP",
                "sessionAffinity": "None",
                "ports": [
                    {"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080},
                    {"name": "https", "port": 443, "protocol": "TCP", "targetPort": 8080},
                ],
                "selector": {
                    "app.kubernetes.io/instance": "argo-cd",
                    "app.kubernetes.io/name": "argocd-server",
                },
            },
        },
        "clusterrole.rbac.authorization.k8s.io/rbac.authorization.k8s.io/v1/argo-cd-argocd-server": {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": {
                "name": "argo-cd-argocd-server",
                "labels": _argo_labels("argocd-server", side, "server"),
            },
            "rules": [
                {"apiGroups": ["*"], "resources": ["*"], "verbs": ["delete", "get", "patch"]},
                {"apiGroups": [""], "resources": ["events"], "verbs": ["list"]},
                {"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get"]},
                {
                    "apiGroups": ["argoproj.io"],
                    "resources": ["applications", "applicationsets", "workflows"],
                    "verbs": ["get", "list", "update", "watch"],
                },
            ]
            + ([{"apiGroups": ["batch"], "resources": ["jobs"], "verbs": ["create"]}] if new else []),
        },
    }
    hpa_version = "autoscaling/v2" if new else "autoscaling/v2beta2"
    objects[f"argocd/horizontalpodautoscaler.autoscaling/{hpa_version}/argocd-server"] = {
        "apiVersion": hpa_version,
        "kind": "HorizontalPodAutoscaler",
        "metadata": {
            "name": "argocd-server",
            "namespace": "argocd",
            "labels": _argo_labels("argocd-server", side, "server"),
        },
        "spec": {
            "minReplicas": 2,
            "maxReplicas": 5,
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "argocd-server"},
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}},
                }
            ],
        },
    }
    if not new:  # 9.7 values turn Dex off
        dex = deployment(
            "argocd-dex-server",
            "dex-server",
            replicas=1,
            args=["rundex"],
            env=[],
            ports=[{"name": "http", "containerPort": 5556, "protocol": "TCP"}],
            sa="argocd-dex-server",
        )
        dex["spec"]["template"]["spec"]["containers"][0]["image"] = "ghcr.io/dexidp/dex:v2.43.1"
        objects["argocd/deployment.apps/apps/v1/argocd-dex-server"] = dex
    return objects


# ---- kyverno (given as `resources`, server-side dry-run objects) ------------------------------

KYVERNO = {"old": ("3.8.2", "v1.16.2"), "new": ("3.9.0", "v1.17.0")}


def kyverno_resources(side: str) -> dict[str, str]:
    version, app = KYVERNO[side]
    new = side == "new"

    def lab(name: str, component: str) -> dict[str, str]:
        out = labels(f"kyverno/{name}", "kyverno", version, app, component, f"kyverno-{app}")
        out["app.kubernetes.io/part-of"] = "kyverno"
        return out

    objs: list[dict[str, Any]] = [
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": {
                "name": "kyverno:background-controller",
                "labels": lab("kyverno", "background-controller"),
            },
            "aggregationRule": {
                "clusterRoleSelectors": [
                    {"matchLabels": {"rbac.kyverno.io/aggregate-to-background-controller": "true"}}
                ]
            },
            "rules": [],
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": {
                "name": "kyverno:reports-controller",
                "labels": lab("kyverno", "reports-controller"),
            },
            "rules": [
                {
                    "apiGroups": ["wgpolicyk8s.io"],
                    "resources": ["policyreports", "clusterpolicyreports"],
                    "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"],
                }
            ],
        },
        {
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "ValidatingWebhookConfiguration",
            "metadata": {
                "name": "kyverno-policy-validating-webhook-cfg",
                "labels": lab("kyverno", "admission-controller"),
            },
            "webhooks": [
                {
                    "name": "validate-policy.kyverno.svc",
                    "admissionReviewVersions": ["v1"],
                    "clientConfig": {
                        "service": {
                            "name": "kyverno-svc",
                            "namespace": "kyverno",
                            "path": "/policyvalidate",
                            "port": 443,
                        }
                    },
                    "failurePolicy": "Fail",
                    "matchPolicy": "Equivalent",
                    "sideEffects": "None",
                    "timeoutSeconds": 15 if new else 10,
                    "rules": [
                        {
                            "apiGroups": ["kyverno.io"],
                            "apiVersions": ["v1", "v2beta1"],
                            "operations": ["CREATE", "UPDATE"],
                            "resources": ["clusterpolicies", "policies"]
                            + (["policyexceptions"] if new else []),
                            "scope": "*",
                        }
                    ],
                }
            ],
        },
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "kubernetes.io/tls",
            "metadata": {
                "name": "kyverno-svc.kyverno.svc.kyverno-tls-pair",
                "namespace": "kyverno",
                "labels": lab("kyverno", "admission-controller"),
            },
            # server-side objects carry `data` only; a provider that did not redact would leak it here
            "data": {"tls.crt": b64(CANARY_DATA + ("-new" if new else "")), "tls.key": b64(CANARY_DATA)},
        },
    ]
    if new:
        objs.append(
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "ClusterRole",
                "metadata": {
                    "name": "kyverno:admission-controller",
                    "labels": lab("kyverno", "admission-controller"),
                },
                "aggregationRule": {
                    "clusterRoleSelectors": [
                        {"matchLabels": {"rbac.kyverno.io/aggregate-to-admission-controller": "true"}}
                    ]
                },
                "rules": [],
            }
        )
    out: dict[str, str] = {}
    for obj in objs:
        group, _, ver = obj["apiVersion"].rpartition("/")
        kind = obj["kind"].lower() + (f".{group}" if group else "")
        ns = obj["metadata"].get("namespace", "")
        out[f"{kind}/{ver}/{ns}/{obj['metadata']['name']}"] = json.dumps(obj, separators=(",", ":"))
    return out


# ---- prometheus-operator-crds -----------------------------------------------------------------


def crd(plural: str, kind: str, side: str, *, extra_props: int = 0) -> dict[str, Any]:
    """A monitoring.coreos.com CRD as the chart ships it (schema trimmed to a representative part)."""
    operator = "0.89.0" if side == "new" else "0.87.1"
    endpoint_props: dict[str, Any] = {
        "port": {"description": "Name of the Service port which this endpoint refers to.", "type": "string"},
        "path": {"description": "HTTP path from which to scrape for metrics.", "type": "string"},
        "interval": {
            "description": "Interval at which Prometheus scrapes the metrics from the target.",
            "pattern": "^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?"
            "(([0-9]+)ms)?)$",
            "type": "string",
        },
        "scheme": {"enum": ["http", "https"], "type": "string"},
    }
    if side == "new":
        endpoint_props["scheme"] = {"enum": ["http", "https", "HTTP", "HTTPS"], "type": "string"}
        endpoint_props["noProxy"] = {
            "description": "Comma-separated string of hosts to exclude from proxying.",
            "type": "string",
        }
        endpoint_props["proxyFromEnvironment"] = {
            "description": "Use the proxy configuration from the environment.",
            "type": "boolean",
        }
    for i in range(extra_props):
        endpoint_props[f"field{i:05d}"] = {
            "description": f"Generated field {i} " + "x" * 80,
            "type": "string",
        }
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {
            "name": f"{plural}.monitoring.coreos.com",
            "annotations": {
                "controller-gen.kubebuilder.io/version": "v0.18.0",
                "operator.prometheus.io/version": operator,
            },
        },
        "spec": {
            "group": "monitoring.coreos.com",
            "names": {
                "categories": ["prometheus-operator"],
                "kind": kind,
                "listKind": f"{kind}List",
                "plural": plural,
                "singular": kind.lower(),
            },
            "scope": "Namespaced",
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "properties": {
                                "spec": {
                                    "type": "object",
                                    "properties": {
                                        "endpoints": {
                                            "type": "array",
                                            "items": {"type": "object", "properties": endpoint_props},
                                        },
                                        "jobLabel": {"type": "string"},
                                    },
                                    "required": ["endpoints"],
                                }
                            },
                        }
                    },
                }
            ],
        },
    }


def crd_objects(side: str) -> dict[str, dict[str, Any]]:
    out = {}
    for plural, kind in (("servicemonitors", "ServiceMonitor"), ("podmonitors", "PodMonitor")):
        obj = crd(plural, kind, side)
        out[
            f"customresourcedefinition.apiextensions.k8s.io/apiextensions.k8s.io/v1/{obj['metadata']['name']}"
        ] = obj
    probes = crd("probes", "Probe", "old")  # unchanged between the two releases
    out[
        f"customresourcedefinition.apiextensions.k8s.io/apiextensions.k8s.io/v1/{probes['metadata']['name']}"
    ] = probes
    return out


# ---- the plan ---------------------------------------------------------------------------------

ARGO_VALUES_SECRET = f"configs:\n  secret:\n    argocdServerAdminPassword: {CANARY_VALUES}\n"


def manifest(objects: dict[str, Any]) -> str:
    return json.dumps(objects, separators=(",", ":"), sort_keys=True)


def _release(
    name: str, chart: str, version: str, namespace: str, values: list[str], **extra: Any
) -> dict[str, Any]:
    out = helm_release(name, chart=chart, version=version, namespace=namespace, values=values)
    out["repository"] = None
    out["chart"] = f"./../charts/{chart}-{version}.tgz"
    out["manifest"] = None
    out["resources"] = None
    out.update(extra)
    return out


def objects_plan() -> dict[str, Any]:
    """An upgrade plan of the platform with the experiment on (the stack's variable set)."""
    argo_b = _release(
        "argo-cd",
        "argo-cd",
        "9.5.22",
        "argocd",
        ["server:\n  replicas: 1\n", ARGO_VALUES_SECRET],
        manifest=manifest(argo_objects("old")),
    )
    argo_a = _release(
        "argo-cd",
        "argo-cd",
        "9.7.1",
        "argocd",
        ["server:\n  replicas: 2\n", ARGO_VALUES_SECRET],
        manifest=manifest(argo_objects("new")),
    )
    for side in (argo_b, argo_a):
        side["set_sensitive"] = [
            {"name": "configs.cm.webhook\\.bitbucket\\.uuid", "value": CANARY_SET_SENSITIVE, "type": "string"}
        ]
    # hashicorp/helm 3.x marks each set_sensitive entry's `value` (a sensitive nested attribute)
    sensitive = {"values": [False, True], "set_sensitive": [{"value": True}]}
    kyv_b = _release(
        "kyverno",
        "kyverno",
        "3.8.2",
        "kyverno",
        ["admissionController:\n  replicas: 1\n"],
        resources=kyverno_resources("old"),
    )
    kyv_a = _release(
        "kyverno",
        "kyverno",
        "3.9.0",
        "kyverno",
        ["admissionController:\n  replicas: 1\n"],
        resources=kyverno_resources("new"),
    )
    crds_b = _release(
        "prometheus-operator-crds",
        "prometheus-operator-crds",
        "30.0.1",
        "monitoring",
        [],
        manifest=manifest(crd_objects("old")),
    )
    crds_a = _release(
        "prometheus-operator-crds",
        "prometheus-operator-crds",
        "31.0.1",
        "monitoring",
        [],
        manifest=manifest(crd_objects("new")),
    )
    pol_b = _release(
        "kyverno-policies",
        "kyverno-policies",
        "3.8.2",
        "kyverno",
        ["validationFailureAction: Audit\n"],
        manifest=manifest(
            {
                "clusterpolicy.kyverno.io/kyverno.io/v1/disallow-privileged-containers": {
                    "apiVersion": "kyverno.io/v1",
                    "kind": "ClusterPolicy",
                    "metadata": {"name": "disallow-privileged-containers"},
                    "spec": {"background": True, "validationFailureAction": "Audit"},
                }
            }
        ),
    )
    pol_a = _release(
        "kyverno-policies",
        "kyverno-policies",
        "3.9.0",
        "kyverno",
        ["validationFailureAction: Enforce\n"],
        manifest=None,
    )
    return {
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "variables": {"environment": {"value": "staging"}, "helm_manifest_experiment": {"value": True}},
        "planned_values": {"root_module": {}},
        "resource_changes": [
            rc(
                f"{MOD}.module.argo_cd.helm_release.this[0]",
                ["update"],
                argo_b,
                argo_a,
                rtype="helm_release",
                module_address=f"{MOD}.module.argo_cd",
                index=0,
                change_before_sensitive=sensitive,
                change_after_sensitive=copy.deepcopy(sensitive),
            ),
            rc(
                f"{MOD}.module.kyverno.helm_release.protected[0]",
                ["update"],
                kyv_b,
                kyv_a,
                rtype="helm_release",
                module_address=f"{MOD}.module.kyverno",
                index=0,
            ),
            rc(
                f"{MOD}.module.prometheus_operator_crds.helm_release.protected[0]",
                ["update"],
                crds_b,
                crds_a,
                rtype="helm_release",
                module_address=f"{MOD}.module.prometheus_operator_crds",
                index=0,
            ),
            rc(
                f"{MOD}.module.kyverno_policies.helm_release.this[0]",
                ["update"],
                pol_b,
                pol_a,
                rtype="helm_release",
                module_address=f"{MOD}.module.kyverno_policies",
                index=0,
                change_after_unknown={"manifest": True},
            ),
        ],
    }


def install_plan() -> dict[str, Any]:
    """A first install: releases created from local archives, version known only after apply."""
    argo = _release(
        "argo-cd",
        "argo-cd",
        "9.7.1",
        "argocd",
        ["server:\n  replicas: 2\n"],
        manifest=manifest(argo_objects("new")),
    )
    argo["version"] = None
    argo["metadata"] = None
    crds = _release(
        "prometheus-operator-crds",
        "prometheus-operator-crds",
        "31.0.1",
        "monitoring",
        [],
        manifest=manifest(crd_objects("new")),
    )
    crds["version"] = None
    crds["metadata"] = None
    return {
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "variables": {"helm_manifest_experiment": {"value": True}},
        "resource_changes": [
            rc(
                f"{MOD}.module.argo_cd.helm_release.this[0]",
                ["create"],
                None,
                argo,
                rtype="helm_release",
                module_address=f"{MOD}.module.argo_cd",
                index=0,
                change_after_unknown={"version": True, "metadata": True, "id": True},
            ),
            rc(
                f"{MOD}.module.prometheus_operator_crds.helm_release.protected[0]",
                ["create"],
                None,
                crds,
                rtype="helm_release",
                module_address=f"{MOD}.module.prometheus_operator_crds",
                index=0,
                change_after_unknown={"version": True, "metadata": True, "id": True},
            ),
        ],
    }


def fixture_text() -> str:
    return json.dumps(objects_plan(), indent=1, sort_keys=True) + "\n"


if __name__ == "__main__":
    FIXTURE.write_text(fixture_text(), encoding="utf-8")
    print(f"wrote {FIXTURE}")
