"""`k8sprov bundle --env E`: collect, check, write; the one function the command calls."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from k8sprov.bundle.archive import BundleError, Limits, Member, write
from k8sprov.bundle.create import collect, extra_platform_members
from k8sprov.bundle.providers import valid_platform
from k8sprov.context import AppContext


@dataclass(frozen=True)
class Created:
    path: Path
    members: int
    size: int
    aggregate: str
    platforms: list[str]
    images: int | None = None  # images listed in supply/images.json
    supply_missing: str | None = None  # why the image list and SBOM are not in the bundle


def create_bundle(app: AppContext, env_name: str, output: Path | None, *, include_backend_secrets: bool,
                  platforms: list[str]) -> Created:
    project = app.project
    env = project.environment(env_name)
    bad = [p for p in platforms if not valid_platform(p)]
    if bad:
        from k8sprov.errors import UsageError

        raise UsageError(f"--platform {bad[0]!r} is not OS_ARCH", hint="e.g. --platform linux_arm64")
    out = output if output is not None else app.cwd / f"k8sprov-{env.name}-{env.profile}.tar.gz"
    with tempfile.TemporaryDirectory(prefix="k8sprov-bundle-") as tmp:

        def mirror_platforms() -> tuple[list[Member], list[dict[str, Any]]]:
            # Terraform's own mirror command, for platforms this machine did not install: it always asks
            # the origin registries, whatever the CLI config says.
            from k8sprov.errors import TerraformError
            from k8sprov.workflow import open_env

            run = open_env(app, env.name)
            packed = Path(tmp) / "packed"
            try:
                run.tf.providers_mirror(packed, platforms)
            except TerraformError as err:
                raise BundleError(f"providers for {', '.join(platforms)}: {_first_error(err)}",
                                  hint="--platform needs the providers' registries (registry.terraform.io);"
                                       " run it where they are reachable", detail=err.detail) from None
            return extra_platform_members(project, packed, Path(tmp) / "unpacked", platforms,
                                          Limits().max_entry_bytes)

        def supply() -> tuple[list[Member], dict[str, Any]]:
            from k8sprov.bundle.supply import supply_members
            from k8sprov.helm import HelmNotFound
            from k8sprov.rendering.report import find_helm

            request = app.helm_request()
            try:
                helm = find_helm(project, request)
            except HelmNotFound as err:
                if request:  # asked for by --helm / K8SPROV_HELM: that one must work
                    raise
                # Like plan's render check: without Helm the bundle is still made, and says what it lacks.
                return [], {"included": False, "reason": f"{err.message} — {err.hint}"}
            return supply_members(project, env, helm)

        collected = collect(project, env, include_backend_secrets=include_backend_secrets,
                            extra_mirror=mirror_platforms if platforms else None,
                            supply=supply if project.chart_catalog_file.is_file() else None)
        manifest, size = write(out, collected.members, collected.metadata)
    supply_info = manifest.get("supply") or {}
    note = None if supply_info.get("included", True) else str(supply_info.get("reason"))
    return Created(path=out, members=len(manifest["members"]), size=size,
                   aggregate=str(manifest["aggregate_sha256"]), platforms=list(manifest["platforms"]),
                   images=supply_info.get("image_count"), supply_missing=note)


def _first_error(err: Exception) -> str:
    """Terraform's first error and the line after it: providers mirror's last error ("Failed to update
    indexes") is a consequence, the first ("Failed to download ... from its origin registry") the cause."""
    detail = getattr(err, "detail", None) or ""
    lines = [ln.strip(" │╷╵\t") for ln in detail.splitlines()]
    for i, line in enumerate(lines):
        if line.startswith("Error:"):
            following = next((ln for ln in lines[i + 1:] if ln), "")
            return f"terraform providers mirror: {line.removeprefix('Error: ')}: {following}".rstrip(": ")
    return getattr(err, "message", str(err))
