# Namespaces, then the four releases in install order:
#   namespaces -> prometheus-operator-crds -> kyverno -> kyverno-policies
#                                          `-> argo-cd
# kyverno and argo-cd may create ServiceMonitors (production values do), which need the
# Prometheus operator CRDs; kyverno-policies needs Kyverno's CRDs and running webhooks.

locals {
  profile  = var.environment
  versions = local.chart_versions[local.profile]

  # charts.lock (JSON, written by `k8sprov update-charts`): entries keyed by chart name and
  # version, archives named <chart>-<version>.tgz. A missing or unreadable lock yields no digests;
  # the helm module then stops the plan with "run k8sprov update-charts".
  # A malformed lock (or duplicate entries) also yields no digests rather than a Terraform crash.
  lock_charts = try(jsondecode(file("${var.charts_dir}/charts.lock")).charts, [])
  lock_digest = try({ for entry in local.lock_charts : "${entry.name}@${entry.version}" => entry.sha256 }, {})

  # Pod Security Admission level each namespace enforces: the strictest level every pod the shipped
  # values render meets, as `k8sprov render` measures it with real Helm (docs/render.md), in all three
  # profiles, Helm hooks and test pods included. kyverno: every controller, hook and test container runs
  # non-root, drops ALL capabilities, no privilege escalation, RuntimeDefault seccomp. argocd: the same
  # for argo-cd's own pods and, in production, for the redis-ha subchart (server StatefulSet, haproxy,
  # test pods). monitoring: the CRD chart runs no pods. Re-measure after a chart or values change:
  # render's Pod Security table shows the level next to what the pods meet.
  pod_security_enforce = {
    monitoring = "restricted"
    kyverno    = "restricted"
    argocd     = "restricted"
  }

  releases = {
    for name, entry in local.chart_catalog : name => {
      chart        = entry.chart
      namespace    = entry.namespace
      order        = entry.order
      version      = local.versions[name]
      archive      = "${var.charts_dir}/${entry.chart}-${local.versions[name]}.tgz"
      sha256       = lookup(local.lock_digest, "${entry.chart}@${local.versions[name]}", null)
      values_files = ["${var.values_dir}/${name}/${local.profile}.yaml"]
      timeout      = coalesce(try(var.release_overrides[name].timeout, null), var.default_timeout)
      max_history  = coalesce(try(var.release_overrides[name].max_history, null), var.default_max_history)
      set          = try(var.release_overrides[name].set, [])
      # Sensitive: only this attribute of the release entry carries the mark.
      set_sensitive = lookup(var.release_secrets, name, [])
    }
  }

  namespaces = {
    for ns in distinct([for entry in local.chart_catalog : entry.namespace]) : ns => {
      charts = sort([for name, entry in local.chart_catalog : name if entry.namespace == ns])
      psa    = lookup(local.pod_security_enforce, ns, "baseline")
    }
  }

  standard_labels = {
    "app.kubernetes.io/managed-by" = "terraform"
    "app.kubernetes.io/part-of"    = "k8sprov"
    "k8sprov.io/environment"       = var.environment_name
    "k8sprov.io/profile"           = local.profile
  }
}

resource "kubernetes_namespace_v1" "this" {
  for_each = local.namespaces

  metadata {
    name = each.key
    labels = merge(var.namespace_labels, local.standard_labels, {
      "pod-security.kubernetes.io/enforce"         = each.value.psa
      "pod-security.kubernetes.io/enforce-version" = "latest"
      "pod-security.kubernetes.io/warn"            = "restricted"
      "pod-security.kubernetes.io/warn-version"    = "latest"
      "pod-security.kubernetes.io/audit"           = "restricted"
      "pod-security.kubernetes.io/audit-version"   = "latest"
    })
    annotations = {
      "k8sprov.io/charts"       = join(",", each.value.charts)
      "k8sprov.io/managed-from" = "terraform/modules/provision_k8s"
    }
  }

  lifecycle {
    precondition {
      condition     = alltrue([for name in keys(var.release_overrides) : contains(keys(local.chart_catalog), name)])
      error_message = "release_overrides has unknown release(s) ${join(", ", setsubtract(keys(var.release_overrides), keys(local.chart_catalog)))}; known: ${join(", ", sort(keys(local.chart_catalog)))}."
    }
    precondition {
      # Chart names are no secret: nonsensitive() lets the message name them.
      condition     = alltrue([for name in nonsensitive(keys(var.release_secrets)) : contains(keys(local.chart_catalog), name)])
      error_message = "release_secrets has unknown release(s) ${join(", ", setsubtract(nonsensitive(keys(var.release_secrets)), keys(local.chart_catalog)))}; known: ${join(", ", sort(keys(local.chart_catalog)))}."
    }
  }
}

module "prometheus_operator_crds" {
  source = "../helm"

  name                 = "prometheus-operator-crds"
  namespace            = try(kubernetes_namespace_v1.this[local.releases["prometheus-operator-crds"].namespace].metadata[0].name, local.releases["prometheus-operator-crds"].namespace)
  chart_archive        = local.releases["prometheus-operator-crds"].archive
  chart_version        = local.releases["prometheus-operator-crds"].version
  chart_sha256         = local.releases["prometheus-operator-crds"].sha256
  values_files         = local.releases["prometheus-operator-crds"].values_files
  set                  = local.releases["prometheus-operator-crds"].set
  set_sensitive        = local.releases["prometheus-operator-crds"].set_sensitive
  timeout              = local.releases["prometheus-operator-crds"].timeout
  max_history          = local.releases["prometheus-operator-crds"].max_history
  protect_from_destroy = true # deleting it deletes every ServiceMonitor/PrometheusRule in the cluster
}

module "kyverno" {
  source = "../helm"

  name                 = "kyverno"
  namespace            = try(kubernetes_namespace_v1.this[local.releases["kyverno"].namespace].metadata[0].name, local.releases["kyverno"].namespace)
  chart_archive        = local.releases["kyverno"].archive
  chart_version        = local.releases["kyverno"].version
  chart_sha256         = local.releases["kyverno"].sha256
  values_files         = local.releases["kyverno"].values_files
  set                  = local.releases["kyverno"].set
  set_sensitive        = local.releases["kyverno"].set_sensitive
  timeout              = local.releases["kyverno"].timeout
  max_history          = local.releases["kyverno"].max_history
  protect_from_destroy = true # ships the kyverno.io / policies.kyverno.io CRDs

  depends_on = [module.prometheus_operator_crds]
}

module "kyverno_policies" {
  source = "../helm"

  name                 = "kyverno-policies"
  namespace            = try(kubernetes_namespace_v1.this[local.releases["kyverno-policies"].namespace].metadata[0].name, local.releases["kyverno-policies"].namespace)
  chart_archive        = local.releases["kyverno-policies"].archive
  chart_version        = local.releases["kyverno-policies"].version
  chart_sha256         = local.releases["kyverno-policies"].sha256
  values_files         = local.releases["kyverno-policies"].values_files
  set                  = local.releases["kyverno-policies"].set
  set_sensitive        = local.releases["kyverno-policies"].set_sensitive
  timeout              = local.releases["kyverno-policies"].timeout
  max_history          = local.releases["kyverno-policies"].max_history
  protect_from_destroy = false

  depends_on = [module.kyverno]
}

module "argo_cd" {
  source = "../helm"

  name                 = "argo-cd"
  namespace            = try(kubernetes_namespace_v1.this[local.releases["argo-cd"].namespace].metadata[0].name, local.releases["argo-cd"].namespace)
  chart_archive        = local.releases["argo-cd"].archive
  chart_version        = local.releases["argo-cd"].version
  chart_sha256         = local.releases["argo-cd"].sha256
  values_files         = local.releases["argo-cd"].values_files
  set                  = local.releases["argo-cd"].set
  set_sensitive        = local.releases["argo-cd"].set_sensitive
  timeout              = local.releases["argo-cd"].timeout
  max_history          = local.releases["argo-cd"].max_history
  protect_from_destroy = false # its CRDs carry helm.sh/resource-policy: keep (crds.keep)

  depends_on = [module.prometheus_operator_crds]
}
