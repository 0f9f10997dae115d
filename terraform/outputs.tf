output "environment" {
  description = "Environment name and profile this state belongs to."
  value = {
    name    = local.environment_name
    profile = var.environment
  }
}

output "releases" {
  description = "What was installed, per release: chart, version, namespace, status, revision and the chart archive's sha256 from charts/charts.lock."
  value       = module.provision_k8s.releases
}

output "namespaces" {
  description = "Namespaces created by the stack, with their Pod Security Admission enforce level."
  value       = module.provision_k8s.namespaces
}

output "connection" {
  description = "How the providers reach the cluster: \"kubeconfig\" or \"talos\" (no secrets)."
  value       = local.talos_enabled ? "talos" : "kubeconfig"
}
