"""A real-stack project for tests: this repository's `terraform/` and `infra/` in a temporary folder, charts
vendored by `k8sprov update-charts` from a loopback repository, and k8sprov run against stand-in providers.

    stack = RealStack.create(tmp_path_factory.mktemp("stack"), kit)   # kit = standin.ensure_standins()
    result = stack.k8sprov("plan", "--env", "basic", "--detailed-exitcode")
    stack.state("basic")                                            # the local state, as JSON
    stack.cluster.edit("kubernetes_namespace_v1/monitoring", ...)   # drift: the stand-ins' own cluster

The charts are the real chart archives of every version `versions.tf` pins (tests/fixtures/real-charts;
a small test chart from `tests/charts/builders.py` for a version not there), served as three classic
repositories on 127.0.0.1 and reached with
`--mirror`, exactly as an air-gapped user would. `stack.serve(name, version, data)` swaps an archive's
bytes (and its index digest) for scenarios with re-published charts. The pytest fixtures are in
tests/realstack/conftest.py (`standins`, `real_stack`).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.charts import builders
from tests.charts.server import ChartServer
from tests.kit.standin import StandIns
from tests.kit.standin_cluster import ENV_VAR as CLUSTER_ENV
from tests.kit.standin_cluster import StandinCluster
from tests.kit.values import deep_merge

REPO = Path(__file__).resolve().parents[2]
REAL_CHARTS = REPO / "tests" / "fixtures" / "real-charts"
PAYLOAD = 3_000  # bytes of templates per test chart (for versions the real charts folder lacks)


def share_render_cache(root: Path) -> None:
    """The project's render cache is the test kit's: renders are kept by a hash of every input, so the
    real-stack projects of a run (and of the next runs) render each set of real charts once. The render
    tests (tests/render) keep caches of their own, cold and warm paths included."""
    from tests.kit.fetch_terraform import cache_dir

    shared = cache_dir() / "render-cache"
    shared.mkdir(mode=0o700, parents=True, exist_ok=True)
    cache = root / ".k8sprov" / "cache"
    cache.mkdir(mode=0o700, parents=True)
    (cache / "render").symlink_to(shared, target_is_directory=True)


def real_archive(chart: str, version: str) -> bytes | None:
    """The real chart's archive (tests/fixtures/real-charts), when that version is there."""
    found = sorted(REAL_CHARTS.glob(f"*/{chart}-{version}.tgz"))
    return found[0].read_bytes() if found else None


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def error_lines(self) -> list[str]:
        return [ln for ln in self.stderr.splitlines() if ln.startswith("error:")]


def pinned_charts(terraform_dir: Path) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, str]]]:
    """(chart -> {chart, repository, namespace}, profile -> chart -> version) from
    modules/provision_k8s/versions.tf, read the way `k8sprov update-charts` reads it."""
    from k8sprov.charts.catalog import parse_catalog
    from k8sprov.hcl import load_hcl

    path = terraform_dir / "modules" / "provision_k8s" / "versions.tf"
    catalog = parse_catalog(load_hcl(path), str(path))
    charts = {key: {"chart": spec.chart, "repository": spec.repository, "namespace": spec.namespace}
              for key, spec in catalog.charts.items()}
    return charts, catalog.versions


@dataclass
class RealStack:
    root: Path
    kit: StandIns
    server: ChartServer
    archives: dict[tuple[str, str], bytes] = field(default_factory=dict)
    upstream: dict[str, str] = field(default_factory=dict)  # repository URL -> loopback path prefix

    # -- set-up -----------------------------------------------------------------------------------------

    @classmethod
    def create(cls, root: Path, kit: StandIns, *, vendor: bool = True) -> RealStack:
        ignore = shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", "terraform.tfstate*", "*.tfplan")
        shutil.copytree(REPO / "terraform", root / "terraform", ignore=ignore)
        shutil.copytree(REPO / "infra", root / "infra", ignore=ignore)
        (root / "home").mkdir()
        share_render_cache(root)
        stack = cls(root=root, kit=kit, server=ChartServer("127.0.0.1").start())
        stack.publish()
        if vendor:
            result = stack.update_charts()
            assert result.exit_code == 0, result.output
        return stack

    def close(self) -> None:
        self.server.stop()

    def publish(self) -> None:
        """Serve every pinned chart version as a classic repository per upstream URL."""
        catalog, versions = pinned_charts(self.root / "terraform")
        repos: dict[str, dict[str, list[dict[str, object]]]] = {}
        for name, entry in catalog.items():
            url = entry["repository"]
            key = self.upstream.setdefault(url, f"repo{len(self.upstream)}")
            for version in sorted({pins[name] for pins in versions.values() if name in pins}):
                if (name, version) not in self.archives:
                    self.archives[(name, version)] = real_archive(entry["chart"], version) \
                        or self.build_chart(entry["chart"], version)
                data = self.archives[(name, version)]
                path = f"/{key}/{entry['chart']}-{version}.tgz"
                self.server.add(path, data)
                repos.setdefault(key, {}).setdefault(entry["chart"], []).append(builders.index_entry(
                    entry["chart"], version, self.server.url + path, builders.sha256(data)))
        for key, entries in repos.items():
            self.server.add(f"/{key}/index.yaml", builders.index_yaml(entries),
                            content_type="application/x-yaml")

    def chart_defaults(self, chart: str) -> dict[str, Any]:
        """Every key the project's values files set for `chart`, merged: the test chart's values.yaml,
        so that a values linter finds a default for each of them, as it would in the real chart."""
        import yaml

        defaults: dict[str, Any] = {}
        for path in sorted((self.root / "infra" / "values" / chart).glob("*.yaml")):
            deep_merge(defaults, yaml.safe_load(path.read_text()) or {})
        return defaults

    def build_chart(self, chart: str, version: str, seed: int = 0) -> bytes:
        """A small chart archive with the real name and version; values.yaml from `chart_defaults`."""
        import yaml

        members = builders.chart_members(chart, version, PAYLOAD, seed=seed)
        values = yaml.safe_dump(self.chart_defaults(chart), sort_keys=False).encode()
        for member in members:
            if member.name == f"{chart}/values.yaml":
                member.data = values
        return builders.tgz(members)

    def republish(self, chart: str, version: str) -> bytes:
        """The chart archive of `version` with one file more: other bytes under the same version, the chart
        itself unchanged (what a repository that re-packages a release publishes)."""
        import tarfile

        original = self.archives.get((chart, version)) or real_archive(chart, version)
        assert original is not None, f"no archive of {chart} {version} to re-publish"
        out = io.BytesIO()
        with tarfile.open(fileobj=io.BytesIO(original), mode="r:gz") as src, \
                tarfile.open(fileobj=out, mode="w:gz") as dst:
            for member in src.getmembers():
                dst.addfile(member, src.extractfile(member) if member.isfile() else None)
            note = b"re-packaged\n"
            info = tarfile.TarInfo(f"{chart}/REPACKAGED")
            info.size = len(note)
            dst.addfile(info, io.BytesIO(note))
        return out.getvalue()

    def serve(self, name: str, version: str, data: bytes) -> None:
        """Publish other bytes under the same chart version (a re-published chart)."""
        self.archives[(name, version)] = data
        self.publish()

    # -- running ----------------------------------------------------------------------------------------

    def env(self) -> dict[str, str]:
        return {**self.kit.env(), "HOME": str(self.root / "home"), "NO_COLOR": "1", "COLUMNS": "100",
                "TERM": "dumb", "K8SPROV_HTTP_TIMEOUT": "5", CLUSTER_ENV: str(self.cluster.folder)}

    @property
    def cluster(self) -> StandinCluster:
        """The stand-ins' own cluster (tests/kit/standin_cluster.py): edit it to make drift."""
        return StandinCluster(self.root / "cluster")

    def k8sprov(self, *args: str, input: str | None = None, tty: bool = False,
                cwd: Path | None = None) -> Result:
        """`k8sprov -C <root> ARGS` in-process, through the real entry point (exit codes included)."""
        import pytest

        from k8sprov.cli import main

        class _Terminal(io.StringIO):
            def isatty(self) -> bool:
                return True

        out, err = io.StringIO(), io.StringIO()
        with pytest.MonkeyPatch.context() as m:
            for key, value in self.env().items():
                m.setenv(key, value)
            for key in ("TF_DATA_DIR", "TF_WORKSPACE", "TF_CLI_ARGS", "TF_LOG", "KUBECONFIG",
                        "K8SPROV_CHART_MIRRORS"):
                m.delenv(key, raising=False)
            m.setattr(sys, "stdin", (_Terminal if tty else io.StringIO)(input or ""))
            if cwd is not None:
                m.chdir(cwd)
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    main(["-C", str(self.root), *args])
                    code = 0
                except SystemExit as exc:
                    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        return Result(code, out.getvalue(), err.getvalue())

    def update_charts(self, *args: str) -> Result:
        mirrors = [f"--mirror={url}={self.server.url}/{key}" for url, key in self.upstream.items()]
        return self.k8sprov("update-charts", *mirrors, *args)

    def terraform(self, *args: str, data_dir: Path | None = None,
                  workspace: str | None = None) -> subprocess.CompletedProcess[str]:
        """Terraform itself in the project's terraform/ (for what k8sprov has no command for)."""
        assert self.kit.terraform is not None
        env = {**os.environ, **self.env(), "TF_IN_AUTOMATION": "1"}
        if data_dir is not None:
            env["TF_DATA_DIR"] = str(data_dir)
        if workspace is not None:
            env["TF_WORKSPACE"] = workspace
        return subprocess.run([str(self.kit.terraform), *args, "-no-color"], cwd=self.root / "terraform",
                              env=env, capture_output=True, text=True, timeout=300, check=False)

    # -- reading ----------------------------------------------------------------------------------------

    def state(self, env: str) -> dict[str, Any] | None:
        path = self.root / "terraform" / "terraform.tfstate.d" / env / "terraform.tfstate"
        return json.loads(path.read_text()) if path.is_file() else None

    def write_env(self, name: str, text: str) -> Path:
        path = self.root / "infra" / "envs" / f"{name}.tfvars"
        path.write_text(text)
        return path
