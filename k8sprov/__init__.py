"""k8sprov: provision a Kubernetes cluster's platform layer with real Terraform and vendored Helm charts."""

__version__ = "0.1.0"
