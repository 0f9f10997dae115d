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

# Plan view: list the Kubernetes objects each Helm release adds, removes and changes. Needs the
# cluster reachable at plan time; turn it on once the first apply is done (docs/plan-view.md#kubernetes-objects-inside-each-helm-release).
helm_manifest_experiment = false

# The cluster's Kubernetes minor: `k8sprov render` (and plan's render check) renders and checks for it.
kubernetes_version = "1.33"
