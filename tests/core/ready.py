"""One project on which every command has something to do: the null stack with a chart catalog, vendored
charts and values (tests/bundle/stack.py), environment `a` initialised with a saved plan, and a bundle of it.

Built once per test module through the installed CLI; tests that change it work on a copy."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.bundle.stack import make_project
from tests.kit.fetch_terraform import TerraformKit
from tests.kit.script import SCRIPT


@dataclass(frozen=True)
class Ready:
    project: Path
    bundle: Path  # a bundle of environment a
    plan_json: Path  # environment a's saved plan as plan JSON (for show --plan FILE)
    home: Path
    kit: TerraformKit

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a child k8sprov: the test kit's terraform, an empty HOME, plain output."""
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("TF_", "K8SPROV_")) and k not in ("NO_COLOR", "FORCE_COLOR", "CI")}
        env.update({"HOME": str(self.home), "NO_COLOR": "1", "COLUMNS": "100", "TERM": "dumb",
                    **self.kit.env()})
        env.update(extra)
        return {k: v for k, v in env.items() if v != ""}  # "" in `extra` unsets

    def run(self, *args: str, prefix: tuple[str, ...] = (), timeout: float = 120,
            **extra: str) -> subprocess.CompletedProcess[str]:
        """The installed script (`.venv/bin/k8sprov`), as a user runs it, on this project."""
        return subprocess.run([*prefix, str(SCRIPT), "-C", str(self.project), *args], capture_output=True,
                              text=True, env=self.env(**extra), stdin=subprocess.DEVNULL, timeout=timeout,
                              cwd=self.project, check=False)


def prepare(root: Path, kit: TerraformKit) -> Ready:
    home = root / "home"
    home.mkdir()
    project = make_project(root / "proj")
    ready = Ready(project=project, bundle=root / "a.tar.gz", plan_json=root / "a-plan.json", home=home,
                  kit=kit)
    for args in (("plan", "--env", "a"), ("bundle", "--env", "a", "-o", str(ready.bundle))):
        done = ready.run(*args)
        assert done.returncode == 0, done.stderr
    # What `show --plan FILE` reads: Terraform's own JSON of the saved plan (k8sprov's summary is refused).
    env_dir = project / ".k8sprov" / "envs" / "a"
    shown = subprocess.run([str(kit.terraform), "show", "-json", str(env_dir / "plan.tfplan")],
                           capture_output=True, text=True, cwd=project / "terraform", check=False,
                           env={**ready.env(), "TF_DATA_DIR": str(env_dir / "tfdata"), "TF_WORKSPACE": "a"})
    assert shown.returncode == 0, shown.stderr
    ready.plan_json.write_text(shown.stdout)
    return ready
