variable "name" {
  description = "Helm release name."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", var.name)) && length(var.name) <= 53
    error_message = "name must be a valid Helm release name (lowercase DNS label, at most 53 characters)."
  }
}

variable "namespace" {
  description = "Namespace of the release. It must already exist: the module never creates namespaces (create_namespace = false), so labels and Pod Security levels stay under Terraform's control."
  type        = string
}

variable "chart_archive" {
  description = "Path of the vendored chart archive (<charts_dir>/<chart>-<version>.tgz), relative to the root module."
  type        = string
}

variable "chart_version" {
  description = "Chart version the archive is expected to hold (from provision_k8s/versions.tf); used in messages and the release description."
  type        = string
}

variable "chart_sha256" {
  description = "sha256 of the archive as recorded in charts.lock; null when the lock has no entry for this chart and version (the plan then fails)."
  type        = string
  default     = null

  validation {
    condition     = var.chart_sha256 == null || can(regex("^[0-9a-f]{64}$", var.chart_sha256))
    error_message = "chart_sha256 must be 64 lowercase hex characters (or null)."
  }
}

variable "values_files" {
  description = "Helm values files, applied in order (later files win)."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "set" {
  description = "Extra values applied after values_files, as Helm --set entries. type: \"auto\" (default) or \"string\"."
  type = list(object({
    name  = string
    value = string
    type  = optional(string)
  }))
  default  = []
  nullable = false
}

variable "set_sensitive" {
  description = "Credentials applied after `set`, as Helm --set entries passed to the provider's set_sensitive: plans show (sensitive value) instead of the value."
  type = list(object({
    name  = string
    value = string
    type  = optional(string)
  }))
  default   = []
  nullable  = false
  sensitive = true
}

variable "timeout" {
  description = "Seconds to wait for the release's resources and hooks before the atomic upgrade rolls back."
  type        = number
  default     = 600

  validation {
    condition     = var.timeout > 0
    error_message = "timeout must be a positive number of seconds."
  }
}

variable "max_history" {
  description = "Release revisions Helm keeps (0 = unlimited; keep it bounded)."
  type        = number
  default     = 10

  validation {
    condition     = var.max_history >= 1
    error_message = "max_history must be at least 1 so release secrets do not grow without bound."
  }
}

variable "protect_from_destroy" {
  description = "Create the release under lifecycle { prevent_destroy = true }: for releases that ship CRDs, whose deletion deletes every custom resource of those kinds. Fixed per release: changing it moves the release to another resource address (see docs/stack.md, CRD releases and teardown, before flipping it)."
  type        = bool
  default     = false
  nullable    = false
}
