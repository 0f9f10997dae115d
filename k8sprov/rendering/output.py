"""`render -o DIR`: each release's manifest exactly as Helm printed it, one private file per release."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from k8sprov.errors import UsageError
from k8sprov.rendering.report import RenderReport


def write_manifests(report: RenderReport, folder: Path) -> list[Path]:
    """DIR/<release>.yaml for every release shown that rendered, 0600 (manifests hold Secrets); a new
    folder is made 0700. Each file is replaced atomically: a reader never sees half a manifest."""
    shown = {r.name for r in report.releases}
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as err:
        raise UsageError(f"{folder}: cannot create the output folder ({err.strerror})",
                         hint="pick a folder you can write") from None
    if not folder.is_dir():
        raise UsageError(f"{folder}: not a folder", hint="pass a folder to -o")
    written = []
    for rendered in report.renders or []:
        name = rendered.render.inputs.name
        if name not in shown or rendered.render.failure is not None:
            continue
        path = folder / f"{name}.yaml"
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")  # 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(rendered.manifest)
            Path(tmp).replace(path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        written.append(path)
    return written
