"""Render one release through the Helm seam: inputs in, objects (or Helm's own failure) out."""

from __future__ import annotations

from pathlib import Path

from k8sprov.helm import HelmBinary, HelmTemplateError, template
from k8sprov.rendering.manifest import parse_manifest
from k8sprov.rendering.model import Finding, ReleaseInputs, ReleaseRender, Severity


def render_release(helm: HelmBinary, inputs: ReleaseInputs) -> ReleaseRender:
    """`helm template` with exactly these inputs; a template failure becomes one `template` finding."""
    return render_manifest(helm, inputs)[1]


def render_manifest(helm: HelmBinary, inputs: ReleaseInputs) -> tuple[str, ReleaseRender]:
    """Helm's manifest text ("" on a failure) and the render read from it."""
    text, failed = run_template(helm, inputs)
    if failed is not None:
        return "", failed
    return text, read_render(inputs, text)


def read_render(inputs: ReleaseInputs, text: str) -> ReleaseRender:
    return ReleaseRender(inputs=inputs, objects=parse_manifest(text, release=inputs.name,
                                                               namespace=inputs.namespace))


def run_template(helm: HelmBinary, inputs: ReleaseInputs) -> tuple[str, ReleaseRender | None]:
    """Helm's manifest text, or a render holding Helm's failure as a `template` finding."""
    try:
        text = template(helm, release=inputs.name, namespace=inputs.namespace, chart=Path(inputs.archive),
                        values=[doc.text for doc in inputs.values], sets=inputs.sets,
                        kube_version=inputs.kube_version, api_versions=inputs.api_versions,
                        include_crds=inputs.include_crds)
    except HelmTemplateError as err:
        where = f"{err.template}:{err.line}" if err.template and err.line else err.template
        failure = Finding(Severity.ERROR, "template", inputs.name, err.message.split(": ", 1)[-1],
                          object=None, path=None, source=where)
        return "", ReleaseRender(inputs=inputs, failure=failure)
    return text, None
