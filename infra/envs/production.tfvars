# production: a Talos cluster. The kubernetes and helm providers use the admin kubeconfig the
# talos provider retrieves with the client certificate from the talosctl config below.
environment      = "production"
environment_name = "production"

talos = {
  talosconfig_path = "~/.talos/config"
  context          = "production"
  node             = "10.0.10.11"
  endpoint         = "talos.prod.example.internal"
}

namespace_labels = {
  "k8sprov.io/tier" = "production"
}

release_overrides = {
  "argo-cd" = {
    timeout = 900 # redis-ha and two repo-servers take a while to roll
  }
}

# Plan view: list the Kubernetes objects each Helm release adds, removes and changes. Needs the
# cluster reachable at plan time; turn it on once the first apply is done (docs/plan-view.md#kubernetes-objects-inside-each-helm-release).
helm_manifest_experiment = false

# The cluster's Kubernetes minor: `k8sprov render` (and plan's render check) renders and checks for it.
kubernetes_version = "1.31"
