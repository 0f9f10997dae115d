variable "environment" {
  description = "Profile: basic, staging or production. Selects chart versions from local.chart_versions and values files <values_dir>/<chart>/<profile>.yaml."
  type        = string

  validation {
    condition     = contains(["basic", "staging", "production"], var.environment)
    error_message = "environment must be one of: basic, staging, production."
  }
}

variable "environment_name" {
  description = "Name of the environment (cluster), written to the k8sprov.io/environment namespace label."
  type        = string
}

variable "charts_dir" {
  description = "Folder with the vendored archives <chart>-<version>.tgz and charts.lock (written by `k8sprov update-charts`). Keep it relative to the root module so state does not record a machine-specific path."
  type        = string
}

variable "values_dir" {
  description = "Folder with Helm values files <chart>/<profile>.yaml."
  type        = string
}

variable "namespace_labels" {
  description = "Extra labels for every namespace; the module's own labels win on conflict."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "release_overrides" {
  description = "Per-release adjustments keyed by chart name: timeout (seconds), max_history, and extra `set` entries applied after the values file."
  type = map(object({
    timeout     = optional(number)
    max_history = optional(number)
    set = optional(list(object({
      name  = string
      value = string
      type  = optional(string)
    })), [])
  }))
  default  = {}
  nullable = false
}

variable "release_secrets" {
  description = "Credentials per release, keyed by chart name: Helm --set entries passed to the helm provider's set_sensitive (shown as (sensitive value) in plans)."
  type = map(list(object({
    name  = string
    value = string
    type  = optional(string)
  })))
  default   = {}
  nullable  = false
  sensitive = true
}

variable "default_timeout" {
  description = "Seconds Helm waits for a release's resources (and hooks) to become ready before an atomic rollback."
  type        = number
  default     = 600
}

variable "default_max_history" {
  description = "Release revisions Helm keeps per release (bounded so release secrets do not pile up)."
  type        = number
  default     = 10
}
