# staging: production-like cluster for soaking chart upgrades before they reach production.
environment      = "staging"
environment_name = "staging"

kubeconfig = {
  path    = "~/.kube/config"
  context = "staging"
}

namespace_labels = {
  "k8sprov.io/tier" = "staging"
}
