"""Point Terraform at a project's own provider mirror, so init needs no network.

A project holding `providers/` at its root (an unpacked filesystem mirror, as `k8sprov bundle unpack`
leaves it) gets a generated CLI config, `.k8sprov/terraformrc`, whose only provider installation method
is that mirror: Terraform then never asks a registry. A user's own `TF_CLI_CONFIG_FILE` wins (with a
note), but only when the file exists: Terraform itself ignores a TF_CLI_CONFIG_FILE naming a missing
file, so such a setting is no configuration at all and the project's mirror is used.

Kept free of heavy imports: it runs on every command that starts terraform. It sits below both of its
users: `workflow` (every terraform run) and `bundle` (which makes and unpacks such mirrors).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

MIRROR_DIR = "providers"
CLI_CONFIG_NAME = "terraformrc"


def cli_config_text(mirror: Path) -> str:
    # json.dumps gives a valid HCL string literal (quotes and backslashes escaped).
    return (
        "# Written by k8sprov: this project carries its providers in providers/ (see docs/air-gapped.md).\n"
        "provider_installation {\n"
        f"  filesystem_mirror {{\n    path = {json.dumps(str(mirror))}\n  }}\n"
        "}\n"
    )


def mirror_env(root: Path, state_dir: Path, note: Callable[[str], object] | None = None) -> dict[str, str]:
    """Environment for terraform in the project at `root`: {} unless it holds a provider mirror."""
    mirror = root / MIRROR_DIR
    if not mirror.is_dir():
        return {}
    user_config = os.environ.get("TF_CLI_CONFIG_FILE")
    if user_config and Path(user_config).is_file():
        if note is not None:
            note(f"k8sprov: TF_CLI_CONFIG_FILE={user_config} is set: terraform installs providers as it"
                 f" says, not from this project's {MIRROR_DIR}/\n")
        return {}
    config = state_dir / CLI_CONFIG_NAME
    text = cli_config_text(mirror.resolve())
    try:
        current = config.read_text(encoding="utf-8")
    except OSError:
        current = None
    if current != text:
        import tempfile

        state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        # mkstemp: a name of its own per writer (parallel plans open environments from threads), mode 0600
        fd, tmp = tempfile.mkstemp(dir=state_dir, prefix=f".{CLI_CONFIG_NAME}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            Path(tmp).replace(config)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return {"TF_CLI_CONFIG_FILE": str(config)}
