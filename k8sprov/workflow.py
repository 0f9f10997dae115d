"""init, plan, apply and destroy for one environment: the steps in the order a careful engineer runs them.

Commands call these; these call the terraform adapter, the plan store and the chart check. Each
environment has its own data dir (`.k8sprov/envs/<env>/tfdata`) and its own workspace, so environments can
run side by side from one checkout without touching each other's state.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from k8sprov import planstore
from k8sprov.atrest import make_private
from k8sprov.context import AppContext
from k8sprov.errors import Interrupted, PlanError, Terminated, TerraformError
from k8sprov.fingerprint import init_inputs, plan_inputs
from k8sprov.planstore import PlanRecord
from k8sprov.private import private_dir, write_private_atomic
from k8sprov.project import Environment, Project
from k8sprov.terraform import Terraform, TerraformBinary, resolve_binary

_REQUIRED_VERSION = re.compile(r'^\s*required_version\s*=\s*"([^"]*)"', re.MULTILINE)


def required_version(project: Project) -> str | None:
    """The root module's `required_version` (a cheap read: only the root folder's .tf files)."""
    for path in sorted(project.terraform_dir.glob("*.tf")):
        match = _REQUIRED_VERSION.search(path.read_text(encoding="utf-8", errors="replace"))
        if match:
            return match.group(1)
    return None


_VERSION_CACHE_ENTRIES = 16


def _version_cache(project: Project) -> Any:
    """`terraform version` answers by binary (path, mtime, size): every binary seen, the newest few kept.

    Users switch between binaries (two checkouts' terraform, terraform and tofu): one entry would re-probe
    on every switch, and a probe costs a process start."""
    from k8sprov.jsoncache import JsonCache

    cache = JsonCache(project.state_dir / "cache" / "terraform-versions.json", limit=_VERSION_CACHE_ENTRIES)

    def lookup(path: str, probe: Any) -> tuple[str, str]:
        try:
            st = Path(path).stat()
            key = f"{Path(path).resolve()}:{st.st_mtime_ns}:{st.st_size}"
        except OSError:
            return probe(path)  # type: ignore[no-any-return]
        hit = cache.get(key)
        if isinstance(hit, list) and len(hit) == 2:
            return str(hit[0]), str(hit[1])
        version, flavor = probe(path)
        cache.put(key, [version, flavor])
        return version, flavor

    return lookup


@dataclass
class EnvRun:
    """Everything needed to run terraform for one environment."""

    project: Project
    env: Environment
    binary: TerraformBinary
    tf: Terraform

    @property
    def env_dir(self) -> Path:
        return self.project.env_state_dir(self.env.name)

    @property
    def init_marker(self) -> Path:
        return self.env_dir / "init.json"

    def inputs(self) -> dict[str, Any]:
        return plan_inputs(self.project, self.env)


def _known_secrets(env: Environment) -> tuple[str, ...]:
    """Credentials Terraform may print in clear for this environment (k8sprov.credentials)."""
    from k8sprov.credentials import known_secrets
    from k8sprov.errors import ProjectError
    from k8sprov.hcl import load_hcl

    try:
        data = load_hcl(env.var_file)
    except ProjectError:
        data = {}  # terraform reports a broken var file itself; the environment variables still count
    return known_secrets(data)


def open_env(ctx: AppContext, name: str, *, stream: IO[str] | None = None,
             err_stream: IO[str] | None = None) -> EnvRun:
    project = ctx.project
    env = project.environment(name)
    make_private(ctx, [env.name])  # files an older run left readable by others
    binary = resolve_binary(ctx.terraform_request(), required_version(project), _version_cache(project))
    env_dir = project.env_state_dir(env.name)
    private_dir(env_dir)
    out = stream if stream is not None else sys.stdout
    from k8sprov.connection import for_env
    from k8sprov.providermirror import mirror_env  # a project carrying providers/ installs only from it

    # The kubeconfig files and context kubectl would use reach the stack as TF_VAR_kube_config_paths and
    # TF_VAR_kube_context (a saved plan keeps them; apply does not read them again).
    extra_env = {**mirror_env(project.root, project.state_dir, (err_stream or sys.stderr).write),
                 **for_env(project, env).terraform_env()}
    tf = Terraform(binary, working_dir=project.terraform_dir, data_dir=env_dir / "tfdata", workspace=env.name,
                   stream=out, err_stream=err_stream or (sys.stderr if ctx.debug else None), color=False,
                   extra_env=extra_env, secrets=_known_secrets(env))
    return EnvRun(project=project, env=env, binary=binary, tf=tf)


def ensure_init(run: EnvRun, *, reinit: bool = False, lock_timeout: str | None = None) -> bool:
    """Run `terraform init` when needed (or forced); True when it ran."""
    def fingerprint_now() -> str:
        return init_inputs(run.project, run.env, f"{run.binary.flavor} {run.binary.version}",
                           run.project.state_dir / "cache" / "init-inputs.json")

    fingerprint = fingerprint_now()
    try:
        previous = json.loads(run.init_marker.read_text()).get("fingerprint")
    except (OSError, ValueError, AttributeError):
        previous = None
    data_dir_ok = run.tf.data_dir.is_dir()
    if not reinit and previous == fingerprint and data_dir_ok:
        return False
    # A failed init must not leave a marker that says it succeeded.
    run.init_marker.unlink(missing_ok=True)
    run.tf.init(run.env.backend_file, reconfigure=previous != fingerprint or reinit,
                lock_timeout=lock_timeout)
    # Init may write .terraform.lock.hcl, which is itself an input: record the tree as init left it.
    write_private_atomic(run.init_marker, json.dumps({"fingerprint": fingerprint_now()}))
    return True


def check_writable(run: EnvRun) -> None:
    """Before terraform starts: can the plan, its record and (local backend) the state be written?

    A read-only checkout otherwise fails late, and Terraform reports a state lock it cannot create as a
    lock held by someone else."""
    import os
    import tempfile

    from k8sprov.errors import os_error

    folders = [run.env_dir]
    if run.env.backend_file is None:  # the local backend keeps state beside the root module
        folders.append(run.project.terraform_dir)
    for folder in folders:
        try:
            fd, name = tempfile.mkstemp(dir=folder, prefix=".k8sprov-write-check-")
            os.close(fd)
            Path(name).unlink()
        except OSError as err:
            err.filename = str(folder)
            raise os_error(err, f"cannot write in {folder}", chosen=False) from None


def check_charts(run: EnvRun) -> None:
    from k8sprov.charts.verify import check_profile_charts

    check_profile_charts(run.project, run.env.profile)


@dataclass
class PlanOutcome:
    plan_file: Path
    record: PlanRecord
    plan_json: dict[str, Any]


def plan(run: EnvRun, *, destroy: bool = False, lock_timeout: str | None = None) -> PlanOutcome:
    """Init if needed, plan into the environment's plan file, record what it was built from."""
    check_writable(run)
    check_charts(run)
    ensure_init(run, lock_timeout=lock_timeout)
    plan_file, _ = planstore.plan_paths(run.env_dir, destroy=destroy)
    inputs = run.inputs()
    # Write to a temporary name first: an interrupted plan must not leave a half-written file behind
    # that looks like a valid saved plan.
    partial = plan_file.with_suffix(".partial")
    planstore.discard(plan_file)
    try:
        has_changes = run.tf.plan(run.env.var_file, partial, destroy=destroy, lock_timeout=lock_timeout)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(plan_file)
    serial, lineage = planstore.prior_state(plan_file)
    record = PlanRecord(environment=run.env.name, profile=run.env.profile,
                        terraform_version=run.binary.version, inputs=inputs, has_changes=has_changes,
                        destroy=destroy, state_serial=serial, state_lineage=lineage, workspace=run.env.name)
    planstore.save(plan_file, record)
    return PlanOutcome(plan_file=plan_file, record=record, plan_json=run.tf.show_json(plan_file))


def saved_plan(run: EnvRun, plan_file: Path | None = None, *, destroy: bool = False) -> PlanOutcome | None:
    """The environment's saved plan if one exists and is still valid; PlanError saying why if it is not."""
    path = plan_file or planstore.plan_paths(run.env_dir, destroy=destroy)[0]
    if plan_file is None and not path.is_file():
        return None
    check_writable(run)  # applying it writes state and retires the plan
    if plan_file is not None and not plan_file.is_file():
        raise PlanError(f"{plan_file}: no such plan file", hint=f"run k8sprov plan --env {run.env.name}")
    record = planstore.require_valid(path, environment=run.env.name, inputs=run.inputs(),
                                     terraform_version=run.binary.version, destroy=destroy)
    ensure_init(run)
    return PlanOutcome(plan_file=path, record=record, plan_json=run.tf.show_json(path))


def apply(run: EnvRun, outcome: PlanOutcome, *, lock_timeout: str | None = None) -> None:
    """Apply exactly the saved plan file, then retire it (Terraform would refuse it a second time).

    A plan whose apply started and stopped (interrupted, failed) is retired too: the state moved on
    under it. Only a plan that never got the state lock stays, for the next try."""
    from k8sprov.locks import StateLocked

    try:
        run.tf.apply(outcome.plan_file, lock_timeout=lock_timeout)
    except StateLocked:
        raise
    except TerraformError as err:
        planstore.discard(outcome.plan_file)
        if "stale" in err.message.lower() or "stale" in (err.detail or "").lower():
            raise PlanError(f"saved plan for {run.env.name} is stale: the state changed since it was made",
                            hint=f"run k8sprov plan --env {run.env.name}") from None
        raise
    except (Interrupted, Terminated):
        planstore.discard(outcome.plan_file)
        raise
    planstore.discard(outcome.plan_file)


def check_unlockable(run: EnvRun) -> None:
    """Refuse, before asking anything, to "unlock" a backend whose locks force-unlock cannot release.

    local: the lock is an fcntl lock of the running terraform (force-unlock fails, "LocalState not locked");
    pg: a session-level advisory lock (force-unlock reports success and releases nothing). Both end with
    the terraform holding them — a killed terraform leaves no lock behind."""
    from k8sprov.locks import pg_holder_query

    ensure_init(run)
    kind, _config = run.tf.backend_settings()
    name = run.env.name
    if kind == "pg":
        raise TerraformError(
            f"state of {name} uses the pg backend: its lock is a PostgreSQL advisory lock held by the"
            f" session of the terraform that took it, and force-unlock cannot release it (it would report"
            f" success and release nothing)",
            hint=f"the lock ends with that session: stop that run, or have an admin end its session with"
                 f" pg_terminate_backend(pid); find it with:"
                 f" {pg_holder_query(name, run.tf.pg_schema())}")
    if kind is None or kind == "local":
        raise TerraformError(
            f"state of {name} uses the local backend: its lock is a file lock held by the running terraform"
            f" and ends with that process (even a killed one); force-unlock cannot release it",
            hint="wait for that terraform to finish or stop it; the lock goes with it")


def unlock(run: EnvRun, lock_id: str) -> None:
    """terraform force-unlock LOCK_ID for the environment's state (Terraform checks that the ID matches)."""
    ensure_init(run)
    run.tf.force_unlock(lock_id)


def plan_status(project: Project, env: Environment, terraform_version: str | None) -> str:
    """"valid", "none", or "stale: why" for the environment's saved plan, without running terraform."""
    plan_file, _ = planstore.plan_paths(project.env_state_dir(env.name))
    record = planstore.load(plan_file)
    if record is None:
        return "none"
    why = planstore.problems(record, environment=env.name, inputs=plan_inputs(project, env),
                             terraform_version=terraform_version or record.terraform_version)
    return "valid" if not why else "stale: " + "; ".join(why)
