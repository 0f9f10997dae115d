# staging: production-like cluster for soaking chart upgrades before they reach production.
environment      = "staging"
environment_name = "staging"

# No path: the files kubectl uses (KUBECONFIG, else ~/.kube/config).
kubeconfig = {
  context = "staging"
}

namespace_labels = {
  "k8sprov.io/tier" = "staging"
}

# Plan view: list the Kubernetes objects each Helm release adds, removes and changes. Needs the
# cluster reachable at plan time; turn it on once the first apply is done (docs/plan-view.md#kubernetes-objects-inside-each-helm-release).
helm_manifest_experiment = false

# The cluster's Kubernetes minor: `k8sprov render` (and plan's render check) renders and checks for it.
kubernetes_version = "1.31"
