variable "environment" {
  description = "Profile of this environment: picks chart versions (modules/provision_k8s/versions.tf) and Helm values (infra/values/<chart>/<profile>.yaml). k8sprov reads it from the var file too."
  type        = string

  validation {
    condition     = contains(["basic", "staging", "production"], var.environment)
    error_message = "environment must be one of: basic, staging, production."
  }
}

variable "environment_name" {
  description = "Name of the environment (the var file's stem, e.g. \"production-eu\"), written to namespace labels. Defaults to the workspace name, or the profile in the default workspace."
  type        = string
  default     = null

  validation {
    condition     = var.environment_name == null || can(regex("^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$", var.environment_name))
    error_message = "environment_name must be a valid Kubernetes label value (lowercase letters, digits, '.', '_', '-'; at most 63 characters)."
  }
}

variable "kubeconfig" {
  description = "Connection through a kubeconfig file: path (\"~\" is expanded; null = what kubectl uses: KUBECONFIG's files as k8sprov passes them in kube_config_paths, else ~/.kube/config) and optional context (null = kube_context, else the merged current-context). Ignored when talos is set."
  type = object({
    path    = optional(string)
    context = optional(string)
  })
  default  = {}
  nullable = false
}

variable "kube_config_paths" {
  description = "Set by k8sprov (TF_VAR_kube_config_paths): the kubeconfig files kubectl would read (KUBECONFIG's list, else ~/.kube/config), merged by the providers as kubectl merges them. Used when kubeconfig.path is null; empty = ~/.kube/config."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "kube_context" {
  description = "Set by k8sprov (TF_VAR_kube_context): the context kubectl would use (the merged current-context). Used when kubeconfig.context is null; null = let the providers pick the current-context."
  type        = string
  default     = null
}

variable "talos" {
  description = "Connection through Talos: the kubernetes and helm providers use the admin kubeconfig that the talos provider retrieves from a control-plane node. talosconfig_path points at a talosctl config file; context defaults to its current context; node and endpoint default to that context's first node and endpoint. null = use kubeconfig instead."
  type = object({
    talosconfig_path             = optional(string, "~/.talos/config")
    context                      = optional(string)
    node                         = optional(string)
    endpoint                     = optional(string)
    certificate_renewal_duration = optional(string, "720h")
  })
  default = null
}

variable "kubernetes_version" {
  description = "Kubernetes minor version of the cluster (\"1.31\"), major.minor from 1.25 to 1.37. `k8sprov render` and plan's render check hand it to `helm template --kube-version` and check the rendered objects against that version's API. Default: 1.37, the newest the checks know. Terraform itself does not use it (the helm provider asks the cluster)."
  type        = string
  default     = "1.37"
  nullable    = false

  validation {
    condition     = can(regex("^1\\.(2[5-9]|3[0-7])$", var.kubernetes_version))
    error_message = "kubernetes_version must be a Kubernetes minor version from 1.25 to 1.37, written major.minor (e.g. \"1.31\")."
  }
}

variable "namespace_labels" {
  description = "Extra labels for every namespace this stack creates. The stack's own labels (managed-by, environment, profile, Pod Security Admission) take precedence."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "release_overrides" {
  description = "Per-release adjustments keyed by chart name (prometheus-operator-crds, kyverno, kyverno-policies, argo-cd): Helm timeout in seconds, history length, and extra `set` entries applied after the profile's values file. Prefer editing infra/values/<chart>/<profile>.yaml; use this for environment-specific values. Credentials go in release_secrets, never here: `set` values are shown in plans."
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
  description = "Credentials for the releases, keyed by chart name (as release_overrides): Helm --set entries {name, value, type} passed to the helm provider's set_sensitive, applied after the values file and the `set` entries. Sensitive: plans, Terraform's output and every k8sprov view show (sensitive value). Pass it from the environment or a CI secret store (TF_VAR_release_secrets), never in a committed var file."
  type = map(list(object({
    name  = string
    value = string
    type  = optional(string)
  })))
  default   = {}
  nullable  = false
  sensitive = true
}

variable "helm_manifest_experiment" {
  description = "Turn on the helm provider's manifest experiment: plans then carry each release's rendered Kubernetes objects, and k8sprov's plan view lists the objects a release adds, removes and changes. It needs a reachable cluster at plan time, and on a first install a chart whose objects need CRDs from another release fails to plan; turn it on after the first apply. See docs/plan-view.md#kubernetes-objects-inside-each-helm-release."
  type        = bool
  default     = false
  nullable    = false
}

variable "charts_dir" {
  description = "Folder holding the vendored chart archives and charts.lock. null = ../charts relative to this root module (the project's charts/)."
  type        = string
  default     = null
}

variable "values_dir" {
  description = "Folder holding Helm values as <chart>/<profile>.yaml. null = ../infra/values relative to this root module."
  type        = string
  default     = null
}
