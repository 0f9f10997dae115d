# Root module: the only place provider versions are pinned. Child modules state minimums only.
# `~> X.Y.0` pins the minor release the stack was verified against (provider schemas in
# tests/stack); .terraform.lock.hcl records the exact build once `terraform init` has run with
# registry access, and is committed then.
terraform {
  required_version = ">= 1.5"

  required_providers {
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "~> 3.4.0"
    }
    helm = {
      source  = "hashicorp/helm"
      version = "~> 3.3.0"
    }
    # Declared as the design asks; no resource uses it: the chart digest reaches the release
    # through helm_release.description instead. See docs/stack.md, "The null provider".
    null = {
      source  = "hashicorp/null"
      version = "~> 3.2.0"
    }
    talos = {
      source  = "siderolabs/talos"
      version = "~> 0.11.0"
    }
  }
}
