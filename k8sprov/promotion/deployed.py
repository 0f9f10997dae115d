"""What an environment runs: the helm_release instances recorded in its Terraform state.

The state is read with `terraform state pull` through the environment's own data dir, workspace and
backend (the same `Terraform` adapter plan and apply use). `state pull` prints the raw state JSON and needs
only the backend; `terraform show -json` would decode every resource against provider schemas, so it needs
the helm and kubernetes providers installed — more than "which versions run" calls for, and not available
on a machine that only reviews a promotion.

`releases_from_state` is pure: state JSON in, one DeployedRelease per helm_release instance out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from k8sprov.context import AppContext

# The stack writes "<name> <version> sha256:<lock digest>" into each release's description
# (terraform/modules/helm/main.tf), so the state says which archive bytes were installed.
_DESCRIPTION = re.compile(r"^(?P<name>\S+) (?P<version>\S+) sha256:(?P<sha>[0-9a-f]{64}|unlocked)$")


@dataclass(frozen=True)
class DeployedRelease:
    name: str  # release name = catalog key
    chart: str | None
    version: str | None
    sha256: str | None  # from the description; None when the release carries none
    address: str


def _metadata(attrs: dict[str, Any]) -> dict[str, Any]:
    meta = attrs.get("metadata")
    if isinstance(meta, list):  # helm provider 2.x: a block list of one
        meta = meta[0] if meta and isinstance(meta[0], dict) else None
    return meta if isinstance(meta, dict) else {}


def releases_from_state(state: dict[str, Any] | None) -> dict[str, DeployedRelease]:
    """Every managed helm_release instance of the state, by release name."""
    found: dict[str, DeployedRelease] = {}
    for resource in (state or {}).get("resources") or []:
        if not isinstance(resource, dict) or resource.get("type") != "helm_release" \
                or resource.get("mode", "managed") != "managed":
            continue
        prefix = f"{resource['module']}." if resource.get("module") else ""
        for instance in resource.get("instances") or []:
            attrs = instance.get("attributes") if isinstance(instance, dict) else None
            if not isinstance(attrs, dict):
                continue
            meta = _metadata(attrs)
            described = _DESCRIPTION.match(str(attrs.get("description") or ""))
            name = str(attrs.get("name") or meta.get("name") or "")
            version = meta.get("version") or attrs.get("version") or (described and described["version"])
            sha = described["sha"] if described and described["sha"] != "unlocked" else None
            key = instance.get("index_key")
            index = "" if key is None else f"[{key!r}]" if isinstance(key, str) else f"[{key}]"
            address = f"{prefix}helm_release.{resource.get('name')}{index}".replace("'", '"')
            found[name] = DeployedRelease(name=name, chart=meta.get("chart") or None,
                                          version=str(version) if version else None, sha256=sha,
                                          address=address)
    return found


def deployed_releases(ctx: AppContext, env_name: str) -> dict[str, DeployedRelease]:
    """Read the environment's state through its backend (init first if its data dir needs it)."""
    import io

    from k8sprov.workflow import ensure_init, open_env

    sink = io.StringIO()  # init's progress is not part of a diff; errors still raise with their detail
    run = open_env(ctx, env_name, stream=sink)
    ensure_init(run)
    return releases_from_state(run.tf.state_pull())
