"""A bundle's supply-chain members: the image list (what an air-gapped site must mirror into its registry)
and the CycloneDX bill of materials, both from the environment's renders."""

from __future__ import annotations

import json
from typing import Any

from k8sprov.bundle.archive import Member
from k8sprov.helm import HelmBinary
from k8sprov.project import Environment, Project

IMAGES_MEMBER = "supply/images.json"
IMAGES_TEXT_MEMBER = "supply/images.txt"
SBOM_MEMBER = "supply/sbom.cdx.json"


def supply_members(project: Project, env: Environment,
                   helm: HelmBinary) -> tuple[list[Member], dict[str, Any]]:
    from k8sprov.supply.inventory import image_inventory
    from k8sprov.supply.sbom import build_sbom

    inventory = image_inventory(project, [env.name], helm)
    data = inventory.as_dict()
    images_json = json.dumps(data, indent=2) + "\n"
    # one fully qualified reference a line: what `skopeo copy` / `crane copy` loops read
    images_txt = "".join(f"{i.name}\n" for i in inventory.images if i.ref is not None)
    sbom = build_sbom(project, env, data["images"])
    members = [Member(IMAGES_MEMBER, images_json.encode("utf-8")),
               Member(IMAGES_TEXT_MEMBER, images_txt.encode("utf-8")),
               Member(SBOM_MEMBER, sbom.encode("utf-8"))]
    info = {"included": True, "images": IMAGES_MEMBER, "image_list": IMAGES_TEXT_MEMBER, "sbom": SBOM_MEMBER,
            "image_count": len(inventory.images), "mutable": [i.name for i in inventory.mutable],
            "helm": helm.version}
    return members, info
