# Minimum versions only; the root module pins. helm >= 3.0 for the nested-attribute syntax
# (`set = [{ ... }]`) and the object-valued `metadata` used in outputs.tf.
terraform {
  required_version = ">= 1.5"

  required_providers {
    helm = {
      source  = "hashicorp/helm"
      version = ">= 3.0"
    }
  }
}
