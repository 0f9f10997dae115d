output "release" {
  description = "The release as installed: name, namespace, chart, version, app_version, status, revision, and the locked chart sha256; null when it is not installed."
  value = local.installed ? {
    name        = local.release.name
    namespace   = local.release.namespace
    chart       = local.release.metadata.chart
    version     = local.release.metadata.version
    app_version = local.release.metadata.app_version
    status      = local.release.status
    revision    = local.release.metadata.revision
    sha256      = var.chart_sha256
  } : null
}

output "protected" {
  description = "Whether the release is under prevent_destroy."
  value       = var.protect_from_destroy
}
