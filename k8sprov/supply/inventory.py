"""The images of one environment, or of all of them: render (through the render cache), then collect."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from k8sprov.errors import K8sprovError
from k8sprov.helm import HelmBinary
from k8sprov.masking import MASK
from k8sprov.project import Project
from k8sprov.supply.images import Image, collect, ordered

IMAGES_FORMAT = "1.0"


@dataclass
class ImageInventory:
    environments: list[str]
    images: list[Image] = field(default_factory=list)

    @property
    def mutable(self) -> list[Image]:
        return [i for i in self.images if i.ref is None or i.ref.mutable]

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": IMAGES_FORMAT,
            "environments": self.environments,
            "images": [i.as_dict() for i in self.images],
            "summary": {
                "images": len(self.images),
                "pinned_by_digest": sum(1 for i in self.images if i.ref and i.ref.pinned),
                "mutable": len(self.mutable),
            },
        }


def image_inventory(project: Project, env_names: list[str], helm: HelmBinary) -> ImageInventory:
    """Every image the named environments' releases pull, one entry per fully qualified image."""
    from k8sprov.rendering.envinputs import stack_inputs
    from k8sprov.rendering.pipeline import render_stack
    from k8sprov.rendering.report import render_cache, secret_values

    images: dict[str, Image] = {}
    cache = render_cache(project)
    secrets: list[str] = []
    for name in env_names:
        stack = stack_inputs(project, project.environment(name))
        rendered = render_stack(helm, stack.releases, cache=cache)
        failed = [r.render for r in rendered if r.render.failure is not None]
        if failed:
            raise K8sprovError(
                f"{name}: {failed[0].inputs.name} does not render, its images are unknown",
                hint=f"k8sprov render --env {name} shows why",
            )
        secrets += secret_values([r.render for r in rendered], stack.secrets())
        for r in rendered:
            collect(name, r.render.objects, images)
    return ImageInventory(list(env_names), _masked(ordered(images), secrets))


def _masked(images: list[Image], secrets: list[str]) -> list[Image]:
    """An image reference built from a secret value (unlikely, but possible) is never printed."""
    out = []
    for image in images:
        if any(s in image.reference for s in secrets):
            masked = image.reference
            for secret in secrets:
                masked = masked.replace(secret, MASK)
            image = Image(masked, None, "holds a secret value", image.uses)
        out.append(image)
    return out
