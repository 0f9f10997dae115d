# The module's minimum Terraform and provider versions, and the one place chart versions live.
# k8sprov's chart downloader parses the two locals below with python-hcl2, so they must stay
# literal values: no functions, no references, no interpolation.
terraform {
  required_version = ">= 1.5"

  required_providers {
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = ">= 3.0"
    }
    helm = {
      source  = "hashicorp/helm"
      version = ">= 3.0"
    }
  }
}

locals {
  # chart -> where it comes from and where it goes. `order` is the install order
  # (provision.tf wires the same order with depends_on; tests/stack checks the two agree).
  # An entry may add `signed_by = "<40-hex key fingerprint>"`: `k8sprov update-charts` then accepts only
  # archives whose Helm provenance that key signed, with the public key in infra/keys/<FINGERPRINT>.asc
  # (docs/supply-chain.md). Terraform ignores the attribute.
  chart_catalog = {
    "prometheus-operator-crds" = {
      repository = "https://prometheus-community.github.io/helm-charts"
      oci        = "oci://ghcr.io/prometheus-community/charts/prometheus-operator-crds"
      chart      = "prometheus-operator-crds"
      namespace  = "monitoring"
      order      = 1
    }
    "kyverno" = {
      repository = "https://kyverno.github.io/kyverno/"
      oci        = "oci://ghcr.io/kyverno/charts/kyverno"
      chart      = "kyverno"
      namespace  = "kyverno"
      order      = 2
      # kyverno and kyverno-policies are released in lockstep: `k8sprov promote` moves a
      # release_group's charts together and refuses to split them (unless --force).
      release_group = "kyverno"
    }
    "kyverno-policies" = {
      repository    = "https://kyverno.github.io/kyverno/"
      oci           = "oci://ghcr.io/kyverno/charts/kyverno-policies"
      chart         = "kyverno-policies"
      namespace     = "kyverno"
      order         = 3
      release_group = "kyverno"
    }
    "argo-cd" = {
      repository = "https://argoproj.github.io/argo-helm"
      oci        = "oci://ghcr.io/argoproj/argo-helm/argo-cd"
      chart      = "argo-cd"
      namespace  = "argocd"
      order      = 4
    }
  }

  # profile -> chart -> pinned version. basic and staging run the newest stable releases;
  # production runs one release behind and is promoted after staging has soaked, only with
  # `k8sprov promote --from staging --to production` (docs/promotion.md).
  # The `# renovate:` comments let Renovate bump basic and staging pins; production has none
  # on purpose. kyverno and kyverno-policies are released in lockstep: keep them equal.
  chart_versions = {
    basic = {
      # renovate: datasource=helm depName=prometheus-operator-crds registryUrl=https://prometheus-community.github.io/helm-charts
      "prometheus-operator-crds" = "31.0.1"
      # renovate: datasource=helm depName=kyverno registryUrl=https://kyverno.github.io/kyverno/
      "kyverno" = "3.9.0"
      # renovate: datasource=helm depName=kyverno-policies registryUrl=https://kyverno.github.io/kyverno/
      "kyverno-policies" = "3.9.0"
      # renovate: datasource=helm depName=argo-cd registryUrl=https://argoproj.github.io/argo-helm
      "argo-cd" = "10.1.1"
    }
    staging = {
      # renovate: datasource=helm depName=prometheus-operator-crds registryUrl=https://prometheus-community.github.io/helm-charts
      "prometheus-operator-crds" = "31.0.1"
      # renovate: datasource=helm depName=kyverno registryUrl=https://kyverno.github.io/kyverno/
      "kyverno" = "3.9.0"
      # renovate: datasource=helm depName=kyverno-policies registryUrl=https://kyverno.github.io/kyverno/
      "kyverno-policies" = "3.9.0"
      # renovate: datasource=helm depName=argo-cd registryUrl=https://argoproj.github.io/argo-helm
      "argo-cd" = "10.1.1"
    }
    production = {
      "prometheus-operator-crds" = "30.0.1"
      "kyverno"                  = "3.8.2"
      "kyverno-policies"         = "3.8.2"
      "argo-cd"                  = "9.7.1"
    }
  }
}
