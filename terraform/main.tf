# Root module: connects the kubernetes and helm providers to one cluster and provisions its
# platform layer through modules/provision_k8s. Run from this folder (k8sprov does), so the
# default chart and values paths resolve relative to it.

locals {
  charts_dir = coalesce(var.charts_dir, "${path.root}/../charts")
  values_dir = coalesce(var.values_dir, "${path.root}/../infra/values")

  # Name written to namespace labels: explicit, else the workspace, else the profile.
  environment_name = coalesce(
    var.environment_name,
    terraform.workspace != "default" ? terraform.workspace : var.environment,
  )

  # kubeconfig the way kubectl finds it: the env file's path, else the files k8sprov resolved from
  # KUBECONFIG (kube_config_paths), else ~/.kube/config. The providers merge a list as kubectl does.
  kube_config_paths = var.kubeconfig.path != null ? [pathexpand(var.kubeconfig.path)] : (
    length(var.kube_config_paths) > 0 ? [for p in var.kube_config_paths : pathexpand(p)] : [pathexpand("~/.kube/config")]
  )
  # The env file's context, else the one k8sprov resolved, else (null) the merged current-context.
  kube_context = var.kubeconfig.context != null ? var.kubeconfig.context : var.kube_context

  # Talos: read the client certificate out of the talosctl config file (base64 PEM, exactly
  # what talos_cluster_kubeconfig expects). Only evaluated when var.talos is set.
  talos_enabled      = var.talos != null
  talosconfig        = local.talos_enabled ? yamldecode(file(pathexpand(var.talos.talosconfig_path))) : null
  talos_context_name = local.talos_enabled ? coalesce(var.talos.context, try(local.talosconfig.context, null)) : null
  # try(): a context the file lacks must reach the precondition below (one clear message), not fail
  # earlier as an invalid index.
  talos_context = local.talos_enabled ? try(local.talosconfig.contexts[local.talos_context_name], null) : null

  talos_kube = local.talos_enabled ? talos_cluster_kubeconfig.this[0].kubernetes_client_configuration : null

  # One connection for both providers: kubeconfig file, or the certificates Talos returned.
  kube = local.talos_enabled ? {
    config_paths           = null
    config_context         = null
    host                   = local.talos_kube.host
    cluster_ca_certificate = base64decode(local.talos_kube.ca_certificate)
    client_certificate     = base64decode(local.talos_kube.client_certificate)
    client_key             = base64decode(local.talos_kube.client_key)
    } : {
    config_paths           = local.kube_config_paths
    config_context         = local.kube_context
    host                   = null
    cluster_ca_certificate = null
    client_certificate     = null
    client_key             = null
  }
}

resource "talos_cluster_kubeconfig" "this" {
  count = local.talos_enabled ? 1 : 0

  client_configuration = {
    ca_certificate     = local.talos_context.ca
    client_certificate = local.talos_context.crt
    client_key         = local.talos_context.key
  }
  node                         = coalesce(var.talos.node, try(local.talos_context.nodes[0], null))
  endpoint                     = coalesce(var.talos.endpoint, try(local.talos_context.endpoints[0], null), var.talos.node, try(local.talos_context.nodes[0], null))
  certificate_renewal_duration = var.talos.certificate_renewal_duration

  lifecycle {
    precondition {
      condition     = try(local.talos_context.ca != null && local.talos_context.crt != null && local.talos_context.key != null, false)
      error_message = "The talosconfig ${var.talos.talosconfig_path} has no usable context ${coalesce(local.talos_context_name, "(none selected)")} with ca, crt and key; check talos.talosconfig_path and talos.context."
    }
    precondition {
      # Without a usable context the precondition above already says so: do not add a second error.
      condition     = local.talos_context == null || try(coalesce(var.talos.node, try(local.talos_context.nodes[0], null)) != null, false)
      error_message = "No Talos node to ask for the kubeconfig: set talos.node or add nodes to the talosconfig context."
    }
  }
}

provider "kubernetes" {
  config_paths           = local.kube.config_paths
  config_context         = local.kube.config_context
  host                   = local.kube.host
  cluster_ca_certificate = local.kube.cluster_ca_certificate
  client_certificate     = local.kube.client_certificate
  client_key             = local.kube.client_key
}

provider "helm" {
  # Off by default: the experiment renders every release against the cluster at plan time.
  experiments = {
    manifest = var.helm_manifest_experiment
  }

  kubernetes = {
    config_paths           = local.kube.config_paths
    config_context         = local.kube.config_context
    host                   = local.kube.host
    cluster_ca_certificate = local.kube.cluster_ca_certificate
    client_certificate     = local.kube.client_certificate
    client_key             = local.kube.client_key
  }
}

module "provision_k8s" {
  source = "./modules/provision_k8s"

  environment       = var.environment
  environment_name  = local.environment_name
  charts_dir        = local.charts_dir
  values_dir        = local.values_dir
  namespace_labels  = var.namespace_labels
  release_overrides = var.release_overrides
  release_secrets   = var.release_secrets
}
