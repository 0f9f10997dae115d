"""`k8sprov sbom`: a CycloneDX 1.6 JSON bill of materials of what one environment deploys.

Components: the vendored charts (name, version, repository, sha256 from charts.lock, signer), the container
images their renders pull, the Terraform providers (source, version and `h1:` hashes from the dependency
lock file, when there is one). Metadata: the environment, Terraform's required version, k8sprov's version.
The same inputs give the same bytes: no timestamp, every bom-ref derived from the component, and the serial
number a UUID derived from the rest of the document. Each document is checked against the CycloneDX 1.6
JSON schema (bundled with cyclonedx-python-lib, offline) before it is written.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from k8sprov.errors import K8sprovError
from k8sprov.helm import HelmBinary
from k8sprov.project import Environment, Project

_SERIAL_NAMESPACE = uuid.UUID("6b8f0f3e-8d7e-5a8c-9d0a-6b38a1f3c2d1")


@dataclass(frozen=True)
class Provider:
    name: str  # local name, "helm"
    source: str  # "registry.terraform.io/hashicorp/helm"
    constraint: str | None
    version: str | None  # locked version; None without a lock file
    hashes: tuple[str, ...]


def _full_source(source: str) -> str:
    return source if source.count("/") >= 2 else f"registry.terraform.io/{source}"


def terraform_providers(project: Project, env: Environment) -> tuple[list[Provider], str | None]:
    """The root module's required providers with what the dependency lock file pins (the project's, else
    the one in the environment's state folder), and where that lock file is (None: none found)."""
    from k8sprov.hcl import load_hcl
    from k8sprov.tflock import LOCK_FILE, parse_lock

    required: dict[str, tuple[str, str | None]] = {}
    for path in sorted(project.terraform_dir.glob("*.tf")):
        for block in load_hcl(path).get("terraform", []):
            for providers in block.get("required_providers", []) if isinstance(block, dict) else []:
                for name, spec in providers.items():
                    if isinstance(spec, dict) and spec.get("source"):
                        version = spec.get("version")
                        required[name] = (_full_source(str(spec["source"])),
                                          str(version) if version else None)
    lock_path = None
    locked = {}
    for candidate in (project.terraform_dir / LOCK_FILE, project.env_state_dir(env.name) / LOCK_FILE,
                      project.env_state_dir(env.name) / "tfdata" / LOCK_FILE):
        if candidate.is_file():
            lock_path = str(candidate.relative_to(project.root))
            locked = parse_lock(candidate.read_text(encoding="utf-8"))
            break
    providers = []
    for name, (source, constraint) in sorted(required.items()):
        entry = locked.get(source)
        providers.append(Provider(name, source, constraint, entry.version if entry else None,
                                  tuple(sorted(entry.hashes)) if entry else ()))
    return providers, lock_path


def environment_sbom(project: Project, env: Environment, helm: HelmBinary) -> str:
    """The bill of materials as JSON text, validated."""
    from k8sprov.supply.inventory import image_inventory

    inventory = image_inventory(project, [env.name], helm)
    return build_sbom(project, env, [i.as_dict() for i in inventory.images])


def build_sbom(project: Project, env: Environment, images: list[dict[str, Any]]) -> str:
    from cyclonedx.model import HashAlgorithm, HashType, Property
    from cyclonedx.model.bom import Bom, BomMetaData
    from cyclonedx.model.component import Component, ComponentType
    from cyclonedx.model.tool import ToolRepository
    from cyclonedx.output.json import JsonV1Dot6
    from packageurl import PackageURL

    from k8sprov import __version__
    from k8sprov.charts.catalog import load_catalog
    from k8sprov.charts.lock import read_lock
    from k8sprov.workflow import required_version

    catalog = load_catalog(project)
    lock = read_lock(project.charts_dir)
    components: list[Component] = []
    for pin in catalog.pins([env.profile]):
        entry = lock.get((pin.name, pin.version))
        props = [Property(name="k8sprov:release", value=pin.spec.key),
                 Property(name="k8sprov:namespace", value=pin.spec.namespace),
                 Property(name="k8sprov:repository", value=pin.spec.repository)]
        if entry is not None and entry.signer:
            props.append(Property(name="k8sprov:signer", value=entry.signer))
        elif pin.spec.signed_by:
            props.append(Property(name="k8sprov:signed_by", value=pin.spec.signed_by))
        else:
            props.append(Property(name="k8sprov:signature", value="unsigned"))
        components.append(Component(
            name=pin.name, version=pin.version, type=ComponentType.APPLICATION,
            bom_ref=f"chart:{pin.name}@{pin.version}",
            purl=PackageURL("helm", None, pin.name, pin.version,
                            {"repository_url": pin.spec.repository.rstrip("/")}),
            hashes=[HashType(alg=HashAlgorithm.SHA_256, content=entry.sha256)] if entry else None,
            properties=props,
        ))
    for image in images:
        if image["registry"] is None:
            continue  # not a valid reference: `k8sprov images` names it; it cannot be described here
        namespace, _, name = str(image["repository"]).rpartition("/")
        version = image["digest"] or image["tag"] or "latest"
        qualifiers = {"repository_url": f"{image['registry']}/{image['repository']}"}
        if image["tag"]:
            qualifiers["tag"] = image["tag"]
        props = [Property(name="k8sprov:release", value=r) for r in image["releases"]]
        props.append(Property(name="k8sprov:pinned_by_digest", value=str(image["pinned_by_digest"]).lower()))
        if image["mutable"]:
            props.append(Property(name="k8sprov:mutable_tag", value="true"))
        components.append(Component(
            name=name, group=namespace or None, version=version, type=ComponentType.CONTAINER,
            bom_ref=f"image:{image['image']}",
            purl=PackageURL("oci", None, name, image["digest"], qualifiers),  # oci: version = digest
            hashes=[HashType(alg=HashAlgorithm.SHA_256, content=image["digest"].split(":", 1)[1])]
            if image["digest"] and image["digest"].startswith("sha256:") else None,
            properties=props,
        ))
    providers, lock_path = terraform_providers(project, env)
    for provider in providers:
        props = [Property(name="terraform:source", value=provider.source)]
        if provider.constraint:
            props.append(Property(name="terraform:constraint", value=provider.constraint))
        props += [Property(name="terraform:hash", value=h) for h in provider.hashes]
        if provider.version is None:
            props.append(Property(name="terraform:locked", value="false"))
        host, ns, ptype = provider.source.split("/", 2)
        components.append(Component(
            name=ptype, group=ns, version=provider.version or provider.constraint,
            type=ComponentType.LIBRARY, bom_ref=f"provider:{provider.source}",
            purl=PackageURL("terraform", ns, ptype, provider.version, {"repository_url": host})
            if provider.version else None,
            properties=props,
        ))
    tools = ToolRepository(components=[Component(name="k8sprov", version=__version__,
                                                 type=ComponentType.APPLICATION, bom_ref="tool:k8sprov")])
    meta_props = [Property(name="k8sprov:environment", value=env.name),
                  Property(name="k8sprov:profile", value=env.profile),
                  Property(name="terraform:required_version", value=required_version(project) or "unset"),
                  Property(name="terraform:lock_file", value=lock_path or "none")]
    root = Component(name=f"k8sprov-{env.name}", type=ComponentType.PLATFORM,
                     bom_ref=f"environment:{env.name}", version=env.profile)
    bom = Bom(components=components, metadata=BomMetaData(tools=tools, properties=meta_props, component=root))
    bom.register_dependency(root, components)
    text = _deterministic(JsonV1Dot6(bom).output_as_string())
    _validate(text)
    return text


def _deterministic(text: str) -> str:
    """No timestamp; the serial number a UUID of the remaining content."""
    data = json.loads(text)
    data.get("metadata", {}).pop("timestamp", None)
    data.pop("serialNumber", None)
    body = json.dumps(data, indent=2, sort_keys=True)
    content = hashlib.sha256(body.encode()).hexdigest()
    data["serialNumber"] = f"urn:uuid:{uuid.uuid5(_SERIAL_NAMESPACE, content)}"
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def _validate(text: str) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    if error is not None:
        raise K8sprovError(f"the bill of materials is not valid CycloneDX 1.6: {str(error).strip()[:200]}",
                           hint="this is a k8sprov bug; report it with the command line")


def bom_file_name(env: str) -> str:
    return f"sbom-{env}.cdx.json"


def write_sbom(path: Path, text: str) -> None:
    from k8sprov.charts.lock import write_atomically

    write_atomically(path, text.encode("utf-8"))
