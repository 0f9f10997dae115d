# basic: a throwaway or developer cluster (kind, k3d, minikube). Single replicas, policies audit only.
environment      = "basic"
environment_name = "basic"

# No path: the files kubectl uses (KUBECONFIG, else ~/.kube/config).
kubeconfig = {
  context = "kind-k8sprov"
}

namespace_labels = {
  "k8sprov.io/tier" = "dev"
}
