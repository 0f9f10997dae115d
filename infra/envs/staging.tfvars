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
