# One Helm release from a vendored, locked chart archive.
#
# prevent_destroy must be a literal, so the release is declared twice and exactly one of the two
# exists: `protected` (prevent_destroy = true) for CRD releases, `this` for the others.
#
# Helm does not notice new archive content under an unchanged chart version
# (hashicorp/terraform-provider-helm#515). The archive's sha256 from charts.lock is therefore part
# of the release description: a re-vendored archive changes the description, Terraform plans an
# in-place update and Helm upgrades the release. The precondition checks the archive against the
# lock before the provider reads it, so a missing or tampered archive stops the plan.

locals {
  archive_exists = fileexists(var.chart_archive)
  archive_sha256 = local.archive_exists ? filesha256(var.chart_archive) : null

  archive_problem = (
    var.chart_sha256 == null ? "${var.name} ${var.chart_version} has no entry in charts.lock" :
    !local.archive_exists ? "chart archive ${var.chart_archive} is missing" :
    local.archive_sha256 != var.chart_sha256 ? "chart archive ${var.chart_archive} has sha256 ${local.archive_sha256}, but charts.lock records ${var.chart_sha256}" :
    null
  )

  description = "${var.name} ${var.chart_version} sha256:${coalesce(var.chart_sha256, "unlocked")}"
  values      = [for path in var.values_files : file(path)]
  set         = length(var.set) > 0 ? var.set : null
  # null when empty, as `set`: the provider stores no empty list, so [] would plan a change every run.
  set_sensitive = length(var.set_sensitive) > 0 ? var.set_sensitive : null
}

resource "helm_release" "this" {
  count = var.protect_from_destroy ? 0 : 1

  name             = var.name
  namespace        = var.namespace
  chart            = var.chart_archive
  description      = local.description
  values           = local.values
  set              = local.set
  set_sensitive    = local.set_sensitive
  create_namespace = false
  atomic           = true
  cleanup_on_fail  = true
  wait             = true
  wait_for_jobs    = true
  timeout          = var.timeout
  max_history      = var.max_history

  lifecycle {
    precondition {
      condition     = local.archive_problem == null
      error_message = "${coalesce(local.archive_problem, "chart archive mismatch")}: run k8sprov update-charts to vendor and verify the pinned charts."
    }
  }
}

resource "helm_release" "protected" {
  count = var.protect_from_destroy ? 1 : 0

  name             = var.name
  namespace        = var.namespace
  chart            = var.chart_archive
  description      = local.description
  values           = local.values
  set              = local.set
  set_sensitive    = local.set_sensitive
  create_namespace = false
  atomic           = true
  cleanup_on_fail  = true
  wait             = true
  wait_for_jobs    = true
  timeout          = var.timeout
  max_history      = var.max_history

  lifecycle {
    prevent_destroy = true

    precondition {
      condition     = local.archive_problem == null
      error_message = "${coalesce(local.archive_problem, "chart archive mismatch")}: run k8sprov update-charts to vendor and verify the pinned charts."
    }
  }
}

locals {
  # A conditional, not one(concat(...)): a function call marks its whole result sensitive when any
  # argument holds a sensitive attribute (helm_release.repository_password is one), and every output
  # built from it would then need `sensitive = true`.
  instances = var.protect_from_destroy ? helm_release.protected : helm_release.this
  # False when the release was uninstalled outside Terraform and a refresh-only plan (k8sprov drift) has
  # dropped it: an index into the empty tuple would stop that plan. Counted over the ids, not the whole
  # instances, for the same reason as above.
  installed = length([for r in local.instances : r.id]) > 0
  release   = local.installed ? local.instances[0] : null
}
