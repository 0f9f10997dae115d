output "releases" {
  description = "Per release: chart, version, namespace, status, revision, install order and the chart archive's sha256 from charts.lock."
  value = {
    "prometheus-operator-crds" = merge(module.prometheus_operator_crds.release, { order = local.releases["prometheus-operator-crds"].order })
    "kyverno"                  = merge(module.kyverno.release, { order = local.releases["kyverno"].order })
    "kyverno-policies"         = merge(module.kyverno_policies.release, { order = local.releases["kyverno-policies"].order })
    "argo-cd"                  = merge(module.argo_cd.release, { order = local.releases["argo-cd"].order })
  }
}

output "namespaces" {
  description = "Namespaces created, with the charts installed into each and their Pod Security Admission enforce level."
  value = {
    for name, ns in kubernetes_namespace_v1.this : name => {
      charts       = local.namespaces[name].charts
      pod_security = ns.metadata[0].labels["pod-security.kubernetes.io/enforce"]
    }
  }
}

output "chart_versions" {
  description = "Chart versions pinned for this profile (chart -> version)."
  value       = local.versions
}
