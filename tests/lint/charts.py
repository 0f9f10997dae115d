"""Small chart archives that reproduce how the real charts (at the pinned versions) use their values.

Each builder returns the bytes of a .tgz made like `helm package` makes it: one top folder, subcharts as
folders under charts/. The shapes carry every key the shipped infra/values/* files set, and the template
patterns lint has to get right:

- argo-cd: `configs.cm` with literal dotted keys consumed with `omit` in _helpers.tpl, `configs.params`,
  `configs.rbac`, `configs.secret.extra` free-form; `global.nodeSelector` free-form with a default key;
  `repoServer.existingVolumes: {}` whose fixed subkeys the templates read; a component map passed to a helper
  in a `dict`; `.Values.x` inside a `required "..."` message; the redis-ha subchart behind a condition.
- kyverno: `admissionController.container.extraArgs: {}` rendered as flags by `range`; every
  `*.featuresOverride` merged over `features`; a subchart with a values.schema.json, disabled by default.
- kyverno-policies: `policyExclude` read by policy name (`index .Values "policyExclude" $name`).
- prometheus-operator-crds: values under `crds.`, the `crds` subchart reads `.Values.<crd>.enabled`.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from tests.charts.builders import Member, tgz

__all__ = ["BUILDERS", "Member", "package", "tgz"]


def chart_yaml(name: str, version: str, dependencies: list[dict[str, Any]] | None = None) -> bytes:
    meta: dict[str, Any] = {"apiVersion": "v2", "name": name, "version": version, "type": "application"}
    if dependencies:
        meta["dependencies"] = dependencies
    return yaml.safe_dump(meta, sort_keys=False).encode()


def package(name: str, version: str, files: dict[str, str | bytes],
            dependencies: list[dict[str, Any]] | None = None) -> bytes:
    """A chart archive of `files` (paths inside the chart folder; subcharts as charts/<name>/...)."""
    members = [Member(f"{name}/Chart.yaml", chart_yaml(name, version, dependencies))]
    for path, data in files.items():
        members.append(Member(f"{name}/{path}", data.encode() if isinstance(data, str) else data))
    return tgz(members)


# -- argo-cd --------------------------------------------------------------------------------------------

ARGO_COMPONENTS = ("controller", "server", "repoServer", "applicationSet", "notifications", "dex", "redis",
                   "redisSecretInit")

ARGO_VALUES = """\
crds:
  install: true
  keep: true
  annotations: {}
global:
  image:
    repository: quay.io/argoproj/argocd
    tag: ""
  nodeSelector:
    kubernetes.io/os: linux
  tolerations: []
  affinity:
    podAntiAffinity: soft
configs:
  cm:
    create: true
    annotations: {}
    application.instanceLabelKey: argocd.argoproj.io/instance
    exec.enabled: false
    admin.enabled: true
    timeout.reconciliation: 180s
  params:
    create: true
    server.insecure: false
    controller.status.processors: 20
  rbac:
    create: true
    policy.default: ""
    policy.csv: ""
    scopes: "[groups]"
  credentialTemplates: {}
  secret:
    createSecret: true
    extra: {}
    argocdServerAdminPassword: ""
controller:
  replicas: 1
  resources: {}
  nodeSelector: {}
  affinity: {}
  metrics:
    enabled: false
    serviceMonitor:
      enabled: false
      interval: 30s
dex:
  enabled: true
  resources: {}
  nodeSelector: {}
  affinity: {}
redis:
  enabled: true
  resources: {}
  nodeSelector: {}
  affinity: {}
redis-ha:
  enabled: false
  haproxy:
    enabled: true
redisSecretInit:
  enabled: true
  resources: {}
  nodeSelector: {}
  affinity: {}
server:
  replicas: 1
  resources: {}
  nodeSelector: {}
  affinity: {}
  pdb:
    enabled: false
    labels: {}
    minAvailable: ""
    maxUnavailable: ""
  metrics:
    enabled: false
    serviceMonitor:
      enabled: false
      interval: 30s
repoServer:
  replicas: 1
  resources: {}
  nodeSelector: {}
  affinity: {}
  existingVolumes: {}
  pdb:
    enabled: false
    minAvailable: ""
    maxUnavailable: ""
  metrics:
    enabled: false
    serviceMonitor:
      enabled: false
applicationSet:
  replicas: 1
  resources: {}
  nodeSelector: {}
  affinity: {}
  pdb:
    enabled: false
    minAvailable: ""
    maxUnavailable: ""
  metrics:
    enabled: false
    serviceMonitor:
      enabled: false
notifications:
  enabled: true
  resources: {}
  nodeSelector: {}
  affinity: {}
"""

ARGO_HELPERS = """\
{{/* Names and labels */}}
{{- define "argo-cd.name" -}}{{ .Chart.Name | trunc 63 }}{{- end }}

{{/*
The argocd-cm data: every key of configs.cm but the chart's own switches.
A literal ".Values.configs.cm" here is a comment, not a reference.
*/}}
{{- define "argo-cd.config.cm" -}}
{{- $config := omit .Values.configs.cm "create" "annotations" -}}
{{- $preset := dict "url" (printf "https://%s" "argocd.example") -}}
{{- toYaml (merge $config $preset) }}
{{- end -}}

{{- define "argo-cd.config.params" -}}
{{- $config := omit .Values.configs.params "create" "annotations" -}}
{{- range $key, $value := $config }}
{{ $key }}: {{ $value | toString | quote }}
{{- end }}
{{- end -}}

{{/* Affinity of a component, falling back to global.affinity */}}
{{- define "argo-cd.affinity" -}}
{{- with .component.affinity -}}
{{- toYaml . -}}
{{- else -}}
{{- if eq .context.Values.global.affinity.podAntiAffinity "soft" }}
podAntiAffinity: {}
{{- end }}
{{- end -}}
{{- end -}}
"""

ARGO_CM = """\
{{- if .Values.configs.cm.create }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: argocd-cm
  {{- with .Values.configs.cm.annotations }}
  annotations:
    {{- range $key, $value := . }}
    {{ $key }}: {{ $value | quote }}
    {{- end }}
  {{- end }}
data:
  {{- include "argo-cd.config.cm" . | trim | nindent 2 }}
{{- end }}
"""

ARGO_PARAMS = """\
{{- if .Values.configs.params.create }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: argocd-cmd-params-cm
data:
  {{- include "argo-cd.config.params" . | trim | nindent 2 }}
{{- end }}
"""

ARGO_RBAC = """\
{{- if .Values.configs.rbac.create }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: argocd-rbac-cm
data:
{{- with (omit .Values.configs.rbac "create" "annotations") }}
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
"""

ARGO_SECRET = """\
{{- if .Values.configs.secret.createSecret }}
apiVersion: v1
kind: Secret
metadata:
  name: argocd-secret
type: Opaque
data:
  {{- if .Values.configs.secret.argocdServerAdminPassword }}
  admin.password: {{ .Values.configs.secret.argocdServerAdminPassword | b64enc }}
  admin.passwordMtime: {{ required
    "A valid .Values.configs.secret.argocdServerAdminPasswordMtime entry is required"
    .Values.configs.secret.argocdServerAdminPasswordMtime | b64enc }}
  {{- end }}
  {{- range $key, $value := .Values.configs.secret.extra }}
  {{ $key }}: {{ $value | b64enc }}
  {{- end }}
  {{- range $i, $t := required "A valid .Values.configs.repositoryCredentials list is required"
        .Values.configs.credentialTemplates }}
  {{ $i }}: {{ $t.url | b64enc }}
  {{- end }}
{{- end }}
"""

COMPONENT = """\
{{- if (ne (toString .Values.COMPONENT.enabled) "false") }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: argocd-COMPONENT
spec:
  {{- if not (kindIs "invalid" .Values.COMPONENT.replicas) }}
  replicas: {{ .Values.COMPONENT.replicas }}
  {{- end }}
  template:
    spec:
      {{- with .Values.COMPONENT.nodeSelector | default .Values.global.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.global.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      affinity:
        {{- include "argo-cd.affinity" (dict "context" . "component" .Values.COMPONENT) | nindent 8 }}
      containers:
        - name: COMPONENT
          image: {{ $.Values.global.image.repository }}:{{ default $.Chart.AppVersion
                                                            $.Values.global.image.tag }}
          resources:
            {{- toYaml .Values.COMPONENT.resources | nindent 12 }}
"""

COMPONENT_PDB = """\
{{- if .Values.COMPONENT.pdb.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: argocd-COMPONENT
  labels:
    {{- with .Values.COMPONENT.pdb.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  {{- if .Values.COMPONENT.pdb.minAvailable }}
  minAvailable: {{ .Values.COMPONENT.pdb.minAvailable }}
  {{- else if .Values.COMPONENT.pdb.maxUnavailable }}
  maxUnavailable: {{ .Values.COMPONENT.pdb.maxUnavailable }}
  {{- end }}
{{- end }}
"""

COMPONENT_METRICS = """\
{{- if and .Values.COMPONENT.metrics.enabled .Values.COMPONENT.metrics.serviceMonitor.enabled }}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: argocd-COMPONENT
spec:
  endpoints:
    - port: metrics
      {{- with .Values.COMPONENT.metrics.serviceMonitor.interval }}
      interval: {{ . }}
      {{- end }}
{{- end }}
"""

REPO_SERVER_VOLUMES = """\
{{- with .Values.repoServer }}
volumes:
  - name: helm-working-dir
  {{- if .existingVolumes.helmWorkingDir }}
    {{- toYaml .existingVolumes.helmWorkingDir | nindent 4 }}
  {{- else }}
    emptyDir: {}
  {{- end }}
  - name: plugins
  {{- if .existingVolumes.plugins }}
    {{- toYaml .existingVolumes.plugins | nindent 4 }}
  {{- else }}
    emptyDir: {}
  {{- end }}
  - name: var-files
  {{- if .existingVolumes.varFiles }}
    {{- toYaml .existingVolumes.varFiles | nindent 4 }}
  {{- else }}
    emptyDir: {}
  {{- end }}
  - name: tmp
  {{- if .existingVolumes.tmp }}
    {{- toYaml .existingVolumes.tmp | nindent 4 }}
  {{- else }}
    emptyDir: {}
  {{- end }}
{{- end }}
"""

CRDS = """\
{{- if .Values.crds.install }}
{{- range $path, $_ := .Files.Glob "crds/*.yaml" }}
{{ $.Files.Get $path }}
{{- end }}
{{- end }}
{{- if .Values.crds.keep }}{{- end }}
{{- with .Values.crds.annotations }}{{ toYaml . }}{{ end }}
"""

REDIS_HA_VALUES = """\
haproxy:
  enabled: true
  replicas: 3
  resources: {}
redis:
  port: 6379
  resources: {}
sentinel:
  port: 26379
  resources: {}
replicas: 3
"""

REDIS_HA_TEMPLATE = """\
{{- range $part := list "haproxy" "redis" "sentinel" }}{{ end }}
replicas: {{ .Values.replicas }}
{{- if .Values.haproxy.enabled }}
haproxy-replicas: {{ .Values.haproxy.replicas }}
haproxy-resources: {{ toYaml .Values.haproxy.resources | nindent 2 }}
{{- end }}
redis: {{ .Values.redis.port }} {{ toYaml .Values.redis.resources | nindent 2 }}
sentinel: {{ .Values.sentinel.port }} {{ toYaml .Values.sentinel.resources | nindent 2 }}
{{- with .Values.global }}{{ end }}
"""


def argo_cd(version: str, *, extra_templates: int = 0, extra_values: str = "") -> bytes:
    files: dict[str, str | bytes] = {
        "values.yaml": ARGO_VALUES + extra_values,
        "templates/_helpers.tpl": ARGO_HELPERS,
        "templates/argocd-configs/argocd-cm.yaml": ARGO_CM,
        "templates/argocd-configs/argocd-cmd-params-cm.yaml": ARGO_PARAMS,
        "templates/argocd-configs/argocd-rbac-cm.yaml": ARGO_RBAC,
        "templates/argocd-configs/argocd-secret.yaml": ARGO_SECRET,
        "templates/crds.yaml": CRDS,
        "templates/argocd-repo-server/volumes.yaml": REPO_SERVER_VOLUMES,
        "charts/redis-ha/Chart.yaml": chart_yaml("redis-ha", "4.33.2"),
        "charts/redis-ha/values.yaml": REDIS_HA_VALUES,
        "charts/redis-ha/templates/redis-ha.yaml": REDIS_HA_TEMPLATE,
    }
    for component in ARGO_COMPONENTS:
        files[f"templates/{component}/deployment.yaml"] = COMPONENT.replace("COMPONENT", component)
    for component in ("server", "repoServer", "applicationSet"):
        files[f"templates/{component}/pdb.yaml"] = COMPONENT_PDB.replace("COMPONENT", component)
    for component in ("controller", "server", "repoServer", "applicationSet"):
        files[f"templates/{component}/monitor.yaml"] = COMPONENT_METRICS.replace("COMPONENT", component)
    for n in range(extra_templates):
        files[f"templates/extra/extra-{n}.yaml"] = (COMPONENT + COMPONENT_PDB).replace("COMPONENT",
                                                                                        f"extra{n}")
    deps = [{"name": "redis-ha", "version": "4.33.2", "repository": "https://dandydeveloper.github.io/charts/",
             "condition": "redis-ha.enabled"}]
    return package("argo-cd", version, files, deps)


# -- kyverno --------------------------------------------------------------------------------------------

KYVERNO_CONTROLLERS = ("admissionController", "backgroundController", "cleanupController",
                       "reportsController")

KYVERNO_FEATURES = """\
features:
  admissionReports:
    enabled: true
  policyExceptions:
    enabled: true
    namespace: ""
  logging:
    format: text
    verbosity: 2
  reports:
    chunkSize: 0
"""

KYVERNO_CONTROLLER = """\
CONTROLLER:
  replicas: ~
  featuresOverride: {}
  podDisruptionBudget:
    enabled: false
    minAvailable: 1
    maxUnavailable: ""
  resources:
    limits:
      memory: 128Mi
    requests:
      cpu: 100m
      memory: 64Mi
  serviceMonitor:
    enabled: false
    interval: 30s
"""

KYVERNO_ADMISSION = """\
admissionController:
  replicas: ~
  featuresOverride: {}
  podDisruptionBudget:
    enabled: false
    minAvailable: 1
    maxUnavailable: ""
  initContainer:
    resources:
      limits:
        cpu: 100m
        memory: 256Mi
      requests:
        cpu: 10m
        memory: 64Mi
    extraArgs: {}
  container:
    resources:
      limits:
        memory: 384Mi
      requests:
        cpu: 100m
        memory: 128Mi
    extraArgs: {}
  serviceMonitor:
    enabled: false
    interval: 30s
"""

KYVERNO_HELPERS = """\
{{- define "kyverno.features.flags" -}}
{{- $flags := list -}}
{{- with .admissionReports -}}
  {{- $flags = append $flags (print "--admissionReports=" .enabled) -}}
{{- end -}}
{{- with .policyExceptions -}}
  {{- $flags = append $flags (print "--enablePolicyException=" .enabled) -}}
  {{- $flags = append $flags (print "--exceptionNamespace=" .namespace) -}}
{{- end -}}
{{- with .logging -}}
  {{- $flags = append $flags (print "--loggingFormat=" .format) -}}
  {{- $flags = append $flags (print "-v=" .verbosity) -}}
{{- end -}}
{{- with .reports -}}
  {{- $flags = append $flags (print "--reportsChunkSize=" .chunkSize) -}}
{{- end -}}
{{- toYaml $flags -}}
{{- end -}}
"""

KYVERNO_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: kyverno-CONTROLLER
spec:
  {{- with .Values.CONTROLLER.replicas }}
  replicas: {{ . }}
  {{- end }}
  template:
    spec:
      containers:
        - name: controller
          args:
            {{- include "kyverno.features.flags" (pick (mergeOverwrite (deepCopy $.Values.features)
                                                                       $.Values.CONTROLLER.featuresOverride)
              "admissionReports"
              "policyExceptions"
              "logging"
              "reports"
            ) | nindent 12 }}
          resources:
            {{- tpl (toYaml .Values.CONTROLLER.resources) $ | nindent 12 }}
"""

KYVERNO_ADMISSION_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: kyverno-admission-controller
spec:
  {{- with .Values.admissionController.replicas }}
  replicas: {{ . }}
  {{- end }}
  template:
    spec:
      initContainers:
        - name: kyverno-pre
          resources:
            {{- toYaml .Values.admissionController.initContainer.resources | nindent 12 }}
          args:
            {{- range $key, $value := .Values.admissionController.initContainer.extraArgs }}
            - --{{ $key }}={{ $value }}
            {{- end }}
      containers:
        - name: kyverno
          args:
            {{- include "kyverno.features.flags" (pick (mergeOverwrite (deepCopy $.Values.features)
                                                          $.Values.admissionController.featuresOverride)
              "admissionReports"
              "policyExceptions"
              "logging"
            ) | nindent 12 }}
            {{- range $key, $value := .Values.admissionController.container.extraArgs }}
            {{- if $value }}
            - --{{ $key }}={{ $value }}
            {{- end }}
            {{- end }}
          resources:
            {{- toYaml .Values.admissionController.container.resources | nindent 12 }}
"""

KYVERNO_PDB_MONITOR = """\
{{- if .Values.CONTROLLER.podDisruptionBudget.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
spec:
  {{- if .Values.CONTROLLER.podDisruptionBudget.minAvailable }}
  minAvailable: {{ .Values.CONTROLLER.podDisruptionBudget.minAvailable }}
  {{- else }}
  maxUnavailable: {{ .Values.CONTROLLER.podDisruptionBudget.maxUnavailable }}
  {{- end }}
{{- end }}
{{- if .Values.CONTROLLER.serviceMonitor.enabled }}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
spec:
  endpoints:
    - interval: {{ .Values.CONTROLLER.serviceMonitor.interval }}
{{- end }}
"""

KYVERNO_CRDS_VALUES = """\
crds:
  install: true
  annotations: {}
  reportsServer:
    enabled: false
"""

KYVERNO_CRDS_TEMPLATE = """\
{{- if .Values.crds.install }}
{{- with .Values.crds.annotations }}
annotations:
  {{- tpl (toYaml .) $ | nindent 2 }}
{{- end }}
{{- end }}
"""

OPENREPORTS_SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {
        "enabled": {"type": "boolean"},
        "installCrds": {"type": "boolean"},
        "replicas": {"type": "integer", "minimum": 1},
    },
    "required": ["installCrds"],
}


def kyverno(version: str) -> bytes:
    values = KYVERNO_CRDS_VALUES + KYVERNO_FEATURES + KYVERNO_ADMISSION
    values += "".join(KYVERNO_CONTROLLER.replace("CONTROLLER", c) for c in KYVERNO_CONTROLLERS[1:])
    values += "openreports:\n  enabled: false\n"
    files: dict[str, str | bytes] = {
        "values.yaml": values,
        "templates/_helpers/_flags.tpl": KYVERNO_HELPERS,
        "templates/crds/crds.yaml": KYVERNO_CRDS_TEMPLATE,
        "templates/admission-controller/deployment.yaml": KYVERNO_ADMISSION_DEPLOYMENT,
        "charts/openreports/Chart.yaml": chart_yaml("openreports", "0.1.0"),
        "charts/openreports/values.yaml": "installCrds: true\nreplicas: 1\n",
        "charts/openreports/values.schema.json": json.dumps(OPENREPORTS_SCHEMA),
        "charts/openreports/templates/deployment.yaml":
            "replicas: {{ .Values.replicas }}\n{{ if .Values.installCrds }}{{ end }}\n",
    }
    for controller in KYVERNO_CONTROLLERS:
        short = controller.replace("Controller", "")
        if controller != "admissionController":
            files[f"templates/{short}-controller/deployment.yaml"] = KYVERNO_DEPLOYMENT.replace(
                "CONTROLLER", controller)
        files[f"templates/{short}-controller/pdb.yaml"] = KYVERNO_PDB_MONITOR.replace("CONTROLLER",
                                                                                      controller)
    deps = [{"name": "openreports", "version": "0.1.0", "condition": "openreports.enabled"}]
    return package("kyverno", version, files, deps)


# -- kyverno-policies -----------------------------------------------------------------------------------

POLICIES_VALUES = """\
policyType: ValidatingPolicy
podSecurityStandard: baseline
podSecuritySeverity: medium
podSecurityPolicies: []
includeOtherPolicies: []
includeRestrictedPolicies: []
failurePolicy: Fail
validationFailureAction: Audit
validationFailureActionByPolicy: {}
validationFailureActionOverrides:
  all: []
background: true
policyExclude: {}
policyPreconditions: {}
vpolExclude: {}
customLabels: {}
"""

POLICY = """\
{{- $name := "NAME" }}
{{- if eq (include "kyverno-policies.podSecurityBaseline" (merge (dict "name" $name) .)) "true" }}
apiVersion: {{ ternary "policies.kyverno.io/v1alpha1" "kyverno.io/v1"
                      (eq .Values.policyType "ValidatingPolicy") }}
kind: {{ .Values.policyType }}
metadata:
  name: {{ $name }}
  annotations:
    policies.kyverno.io/severity: {{ .Values.podSecuritySeverity }}
  labels:
    {{- with .Values.customLabels }}{{ toYaml . | nindent 4 }}{{ end }}
spec:
  background: {{ .Values.background }}
  failurePolicy: {{ .Values.failurePolicy }}
  validationFailureAction: {{ (get .Values.validationFailureActionByPolicy $name)
                               | default .Values.validationFailureAction }}
  {{- with .Values.validationFailureActionOverrides.all }}{{ toYaml . }}{{ end }}
  {{- with index .Values "policyExclude" $name }}
  exclude:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with index .Values "policyPreconditions" $name }}{{ toYaml . }}{{ end }}
  {{- if eq .Values.policyType "ValidatingPolicy" }}
  {{- with .Values.vpolExclude.excludeNamespaces }}
  matchConditions:
    - expression: "!(object.metadata.namespace in {{ toJson . }})"
  {{- end }}
  {{- end }}
{{- end }}
"""

POLICIES_HELPERS = """\
{{- define "kyverno-policies.podSecurityBaseline" -}}
{{- if or (eq .Values.podSecurityStandard "baseline") (eq .Values.podSecurityStandard "restricted") -}}
true
{{- else if and (eq .Values.podSecurityStandard "custom") (has .name .Values.podSecurityPolicies) -}}
true
{{- else if has .name .Values.includeOtherPolicies -}}
true
{{- end -}}
{{- end -}}
"""


def kyverno_policies(version: str) -> bytes:
    files: dict[str, str | bytes] = {"values.yaml": POLICIES_VALUES,
                                     "templates/_helpers.tpl": POLICIES_HELPERS}
    for name in ("disallow-capabilities", "disallow-host-namespaces", "disallow-privileged-containers"):
        files[f"templates/baseline/{name}.yaml"] = POLICY.replace("NAME", name)
    return package("kyverno-policies", version, files)


# -- prometheus-operator-crds -----------------------------------------------------------------------------

CRD_NAMES = ("alertmanagerconfigs", "alertmanagers", "podmonitors", "probes", "prometheusagents",
             "prometheuses", "prometheusrules", "scrapeconfigs", "servicemonitors", "thanosrulers")

CRD_TEMPLATE = """\
{{- if .Values.NAME.enabled -}}
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: NAME.monitoring.coreos.com
  annotations:
    {{- with .Values.annotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end }}
"""


def prometheus_operator_crds(version: str) -> bytes:
    sub_values = "annotations: {}\n" + "".join(f"{n}:\n  enabled: true\n" for n in CRD_NAMES)
    files: dict[str, str | bytes] = {
        "values.yaml": "crds:\n  annotations: {}\n",
        "charts/crds/Chart.yaml": chart_yaml("crds", "0.0.0"),
        "charts/crds/values.yaml": sub_values,
    }
    for name in CRD_NAMES:
        files[f"charts/crds/templates/crd-{name}.yaml"] = CRD_TEMPLATE.replace("NAME", name)
    return package("prometheus-operator-crds", version, files, [{"name": "crds", "version": "0.0.0"}])


BUILDERS = {"argo-cd": argo_cd, "kyverno": kyverno, "kyverno-policies": kyverno_policies,
            "prometheus-operator-crds": prometheus_operator_crds}
