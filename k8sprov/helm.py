"""The one seam to Helm: finding the binary, checking it is Helm 3, running `helm template`.

k8sprov renders every release the way the helm provider hands it to Helm (the archive, the values
documents in order, the `set` entries), offline: `helm template` never contacts a cluster (`lookup`
returns nothing, `.Capabilities.APIVersions` sees only `--api-versions`). Nothing else in k8sprov starts
helm. Values reach helm through 0600 files in a private temporary folder (they may hold credentials),
never through the command line, which other users of the machine can read.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from k8sprov.errors import K8sprovError
from k8sprov.private import UMASK

# The generation the helm provider 3.x is built on; Helm 2 (tiller) and 4 render differently.
SUPPORTED_MAJOR = 3
_TIMEOUT_S = 300
# `Error: execution error at (argo-cd/templates/x.yaml:12:3): msg` — `required` and `fail`;
# `Error: template: argo-cd/templates/x.yaml:3:4: executing "..." at <...>: msg` — a template bug;
# `Error: YAML parse error on argo-cd/templates/x.yaml: error converting YAML to JSON: yaml: line 7: ...`
_TEMPLATE_AT = re.compile(r"\((?P<file>[^():\s]+):(?P<line>\d+):\d+\)"
                          r"|template: (?P<file2>[^:\s]+):(?P<line2>\d+)")
_YAML_AT = re.compile(r"YAML parse error on (?P<file>\S+?):.*?line (?P<line>\d+)")


class HelmNotFound(K8sprovError):
    """No usable helm binary (missing, not executable, or not Helm 3)."""


class HelmTemplateError(K8sprovError):
    """`helm template` failed: the chart's own message, and the template file and line Helm names."""

    def __init__(self, message: str, *, template: str | None = None, line: int | None = None,
                 hint: str | None = None, detail: str | None = None) -> None:
        super().__init__(message, hint=hint, detail=detail)
        self.template = template
        self.line = line


@dataclass(frozen=True)
class HelmBinary:
    path: str
    version: str  # "3.17.3", without the leading v

    def describe(self) -> str:
        return f"Helm {self.version} ({self.path})"


@dataclass(frozen=True)
class SetEntry:
    """One `set` entry as the helm provider takes it: `type` "string" → `--set-string`, else `--set`."""

    name: str
    value: str
    type: str | None = None
    # A credential (`set_sensitive`): handed to Helm through a 0600 file (`--set-file`, read as a string),
    # never on the command line that every user of the machine can read.
    sensitive: bool = False


def locate(request: str | None) -> str:
    """An explicit request (`--helm` / `K8SPROV_HELM`: a path or a name on PATH), else `helm` on PATH."""
    if request:
        found = shutil.which(request) if os.sep not in request else request
        if not found or not os.access(found, os.X_OK) or Path(found).is_dir():
            raise HelmNotFound(f"helm binary {request!r} not found or not executable",
                               hint="fix --helm / K8SPROV_HELM, or install Helm 3")
        return found
    found = shutil.which("helm")
    if not found:
        raise HelmNotFound("no helm found: neither --helm, K8SPROV_HELM, nor helm on PATH",
                           hint="install Helm 3 (https://helm.sh/docs/intro/install/) or point --helm at it")
    return found


def probe_version(path: str) -> str:
    """Helm's version without the `v` ("3.17.3"); Helm 3 only."""
    try:
        proc = subprocess.run([path, "version", "--template", "{{.Version}}"], capture_output=True,
                              text=True, timeout=60, env=_child_env(), check=False)
    except OSError as err:
        raise HelmNotFound(f"cannot run {path}: {err.strerror}", hint="check the binary") from None
    except subprocess.TimeoutExpired:
        raise HelmNotFound(f"{path} version did not answer in 60 s", hint="check the binary") from None
    version = proc.stdout.strip().lstrip("v")
    if proc.returncode != 0 or not re.fullmatch(r"\d+\.\d+\.\d+\S*", version):
        raise HelmNotFound(f"{path} did not report a Helm version", hint="is it really helm?")
    if int(version.split(".")[0]) != SUPPORTED_MAJOR:
        raise HelmNotFound(f"{path} is Helm {version}; k8sprov renders with Helm 3, like the helm provider",
                           hint="install Helm 3 (e.g. 3.17) or point --helm / K8SPROV_HELM at one")
    return version


def resolve(request: str | None) -> HelmBinary:
    path = locate(request)
    return HelmBinary(path=path, version=probe_version(path))


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    # `helm template` of a local archive reads no cluster: a user's context or namespace setting must not
    # reach the render (the namespace is always given).
    env.pop("HELM_KUBECONTEXT", None)
    env.pop("HELM_NAMESPACE", None)
    return env


def template_argv(binary: HelmBinary, *, release: str, namespace: str, chart: Path,
                  values_files: Sequence[Path], sets: Sequence[SetEntry], kube_version: str | None,
                  api_versions: Sequence[str], include_crds: bool = True) -> list[str]:
    argv = [binary.path, "template", release, str(chart), "--namespace", namespace]
    if include_crds:
        argv.append("--include-crds")
    if kube_version:
        argv += ["--kube-version", kube_version]
    for api_version in api_versions:
        argv += ["--api-versions", api_version]
    for path in values_files:
        argv += ["--values", str(path)]
    for entry in sets:
        if entry.sensitive:
            continue  # added by template() as --set-file, from a private file
        argv += ["--set-string" if entry.type == "string" else "--set", f"{entry.name}={entry.value}"]
    return argv


def template(binary: HelmBinary, *, release: str, namespace: str, chart: Path,
             values: Sequence[str], sets: Sequence[SetEntry], kube_version: str | None,
             api_versions: Sequence[str], include_crds: bool = True) -> str:
    """The rendered manifest of one release, as `helm template` prints it.

    `values` are YAML documents (the contents of the values files, in order), handed over as 0600 files."""
    with tempfile.TemporaryDirectory(prefix="k8sprov-helm-") as tmp:
        folder = Path(tmp)
        folder.chmod(0o700)
        files = []
        for index, text in enumerate(values):
            path = folder / f"values-{index}.yaml"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            files.append(path)
        file_sets = []
        for index, entry in enumerate(sets):
            if entry.sensitive:
                path = folder / f"set-{index}"
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(entry.value)
                file_sets.append(f"{entry.name}={path}")
        # Helm runs in the private folder: a relative chart path (`../charts/x.tgz`) is the caller's.
        argv = template_argv(binary, release=release, namespace=namespace, chart=chart.absolute(),
                             values_files=files,
                             sets=sets, kube_version=kube_version, api_versions=api_versions,
                             include_crds=include_crds)
        for spec in file_sets:
            argv += ["--set-file", spec]
        try:
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=_TIMEOUT_S, env=_child_env(),
                                  check=False, cwd=folder, umask=UMASK)
        except OSError as err:
            raise HelmNotFound(f"cannot run {binary.path}: {err.strerror}", hint="check the binary") from None
        except subprocess.TimeoutExpired:
            raise HelmTemplateError(f"helm template {release} did not finish in {_TIMEOUT_S} s",
                                    hint="check the chart for a runaway template") from None
    if proc.returncode != 0:
        raise template_failure(release, proc.stderr)
    return proc.stdout


def template_failure(release: str, stderr: str) -> HelmTemplateError:
    """Helm's own message in one line, with the template file and line it names."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("Error:")]
    message = (errors[-1] if errors else (lines[-1] if lines else "helm template failed"))
    message = message.removeprefix("Error:").strip()
    template_file: str | None = None
    line_no: int | None = None
    match = _TEMPLATE_AT.search(message) or _YAML_AT.search(message)
    if match:
        groups = match.groupdict()
        template_file = groups.get("file") or groups.get("file2")
        raw_line = groups.get("line") or groups.get("line2")
        line_no = int(raw_line) if raw_line else None
    return HelmTemplateError(f"release {release}: helm template failed: {message}", template=template_file,
                             line=line_no, hint="fix the values (or the chart) Helm names",
                             detail=stderr)
