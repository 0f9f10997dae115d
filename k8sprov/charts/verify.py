"""The guard `k8sprov plan` runs before Terraform: the profile's charts vendored and matching the lock."""

from __future__ import annotations

from k8sprov.charts.catalog import load_catalog
from k8sprov.charts.lock import diff_lock, read_lock, scan_archives
from k8sprov.errors import ChartError
from k8sprov.project import Project


def check_profile_charts(project: Project, profile: str) -> None:
    """Raise ChartError naming every missing or mismatched archive of `profile`; silent when all match.

    Projects without a chart catalog file (fixture stacks of null_resources) have nothing to check.
    """
    if not project.chart_catalog_file.is_file():
        return
    catalog = load_catalog(project)
    if profile not in catalog.versions:
        raise ChartError(
            f"profile {profile!r} pins no charts in {project.chart_catalog_file.relative_to(project.root)}",
            hint=f"add {profile} to local.chart_versions",
        )
    pins = catalog.pins([profile])
    charts_dir = project.charts_dir
    lock = read_lock(charts_dir)
    diff = diff_lock(pins, lock, scan_archives(charts_dir, (p.archive_name for p in pins)))
    # A key pinned after the chart was vendored: the lock must name that signer (update-charts checked
    # the signature when it wrote it) before the archive is installed. Cheap: no gpg here.
    diff.unsigned = [f"{p.archive_name} (no signature by {p.spec.signed_by} verified)" for p in pins
                     if p.spec.signed_by and p.archive_name in diff.ok
                     and lock[(p.name, p.version)].signer != p.spec.signed_by]
    if diff.missing or diff.mismatched or diff.unsigned:
        raise ChartError(
            f"charts for profile {profile} are not vendored: " + ", ".join(diff.problems()),
            hint=f"run k8sprov update-charts --profile {profile}",
        )
