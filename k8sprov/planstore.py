"""Saved plans under `.k8sprov/envs/<env>/`: the plan file and a record of what it was built from.

The record lets `apply` refuse, before terraform runs, a plan that belongs to another environment, whose
inputs changed since, or that another Terraform version made.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from k8sprov import __version__
from k8sprov.errors import PlanError
from k8sprov.fingerprint import changed_inputs

RECORD_VERSION = 1


@dataclass
class PlanRecord:
    environment: str
    profile: str
    terraform_version: str
    inputs: dict[str, Any]
    has_changes: bool
    destroy: bool = False
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    state_serial: int | None = None
    state_lineage: str | None = None
    workspace: str | None = None
    k8sprov_version: str = __version__
    record_version: int = RECORD_VERSION

    @property
    def created(self) -> datetime:
        return datetime.fromisoformat(self.created_at)


def plan_paths(env_dir: Path, *, destroy: bool = False) -> tuple[Path, Path]:
    stem = "destroy" if destroy else "plan"
    return env_dir / f"{stem}.tfplan", env_dir / f"{stem}.json"


def record_path_for(plan_file: Path) -> Path:
    return plan_file.with_suffix(".json")


def prior_state(plan_file: Path) -> tuple[int | None, str | None]:
    """(serial, lineage) of the state the plan was made against; Terraform stores it inside the plan."""
    try:
        with zipfile.ZipFile(plan_file) as archive:
            state = json.loads(archive.read("tfstate"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None, None
    serial = state.get("serial")
    return (serial if isinstance(serial, int) else None), state.get("lineage")


def save(plan_file: Path, record: PlanRecord) -> Path:
    """Write the record atomically beside its plan file."""
    from k8sprov.private import write_private_atomic

    path = record_path_for(plan_file)
    write_private_atomic(path, json.dumps(asdict(record), indent=2, sort_keys=True) + "\n")
    return path


def load(plan_file: Path) -> PlanRecord | None:
    path = record_path_for(plan_file)
    if not plan_file.is_file() or not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
        known = {k: v for k, v in data.items() if k in PlanRecord.__dataclass_fields__}
        return PlanRecord(**known)
    except (OSError, ValueError, TypeError):
        return None


def discard(plan_file: Path) -> None:
    for path in (plan_file, record_path_for(plan_file)):
        path.unlink(missing_ok=True)


def problems(record: PlanRecord, *, environment: str, inputs: dict[str, Any], terraform_version: str,
             destroy: bool = False) -> list[str]:
    """Why a saved plan cannot be applied for `environment` now (empty when it can). Pure."""
    found: list[str] = []
    if record.environment != environment:
        found.append(f"it was made for environment {record.environment!r}, not {environment!r}")
    if record.destroy != destroy:
        found.append("it is a destroy plan" if record.destroy else "it is not a destroy plan")
    if record.terraform_version != terraform_version:
        found.append(f"Terraform {record.terraform_version} made it, this is {terraform_version}")
    old_conn, new_conn = record.inputs.get("connection"), inputs.get("connection")
    if isinstance(old_conn, dict) and isinstance(new_conn, dict) and old_conn != new_conn:
        moved = [f"{key} {old_conn.get(key) or '(none)'!r} → {new_conn.get(key) or '(none)'!r}"
                 for key in sorted(set(old_conn) | set(new_conn)) if old_conn.get(key) != new_conn.get(key)]
        found.append("it was made for another cluster: " + ", ".join(moved))
    both = isinstance(old_conn, dict) and isinstance(new_conn, dict)
    changed = changed_inputs({k: v for k, v in record.inputs.items() if k != "connection" or not both},
                             {k: v for k, v in inputs.items() if k != "connection" or not both})
    if changed:
        shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
        found.append(f"inputs changed since: {shown}")
    return found


def require_valid(plan_file: Path, *, environment: str, inputs: dict[str, Any], terraform_version: str,
                  destroy: bool = False) -> PlanRecord:
    record = load(plan_file)
    if record is None:
        raise PlanError(f"{plan_file}: no k8sprov plan record beside it",
                        hint=f"run k8sprov plan --env {environment}")
    why = problems(record, environment=environment, inputs=inputs, terraform_version=terraform_version,
                   destroy=destroy)
    if why:
        raise PlanError(f"saved plan {plan_file.name} for {environment} cannot be applied: {'; '.join(why)}",
                        hint=f"run k8sprov plan --env {environment}")
    return record
