"""The one seam to Terraform: finding the binary, building command lines, running them.

Command lines are built with python-terraform's `generate_cmd_string`, but never run through its `cmd()`:
that captures output instead of streaming it, leaks `synchronous=False` into the command line, adds an
instance-level `var_file` to every command (Terraform refuses variables with a saved plan) and its
`destroy()` passes `-force`, which Terraform ≥ 1.0 removed. We run processes ourselves so output streams
live, SIGINT/SIGTERM are forwarded exactly once per signal, and terraform never outlives k8sprov.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from k8sprov.errors import (
    ExitCode,
    Interrupted,
    Terminated,
    TerraformError,
    TerraformNotFound,
)
from k8sprov.masking import mask
from k8sprov.private import UMASK  # terraform's plan files, state and data dir are its owner's alone

# `-detailed-exitcode`: 0 = no changes, 1 = error, 2 = changes present.
PLAN_NO_CHANGES, PLAN_CHANGES = 0, 2
# PostgreSQL's answers when two sessions create the same schema/table at once (pg_namespace, pg_type...).
_PG_CATALOG_RACE = re.compile(r'pq: (duplicate key value violates unique constraint "pg_'
                              r'|(type|relation|schema|sequence) "[^"]+" already exists)')
_PG_RACE_TRIES = 3
# Terraform wraps its detail text: the address and the setting may sit on two lines.
_PREVENT_DESTROY = re.compile(r"Resource\s+(\S+)\s+has\s+lifecycle\.prevent_destroy\s+set")
_WORKSPACE_LOCK_TIMEOUT = "60s"
_WORKSPACE_TRIES = 8
# `show` of a binary plan needs the plan's providers (for their schemas) installed where it runs: Terraform
# 1.0 says "Could not load plugin", later ones "Failed to load plugin schemas" or "no package ... cached".
_PLAN_PROVIDERS_MISSING = re.compile(r"Could not load plugin|Failed to load plugin schemas"
                                     r"|there is no package for \S+ \S+ cached in"
                                     r"|Inconsistent dependency lock")


@dataclass(frozen=True)
class TerraformBinary:
    path: str
    version: str
    flavor: str  # "terraform" or "opentofu"

    def describe(self) -> str:
        name = "OpenTofu" if self.flavor == "opentofu" else "Terraform"
        return f"{name} {self.version} ({self.path})"


def locate(request: str | None) -> str:
    """The binary to use: an explicit request (path or name on PATH), else terraform, else tofu on PATH."""
    if request:
        found = shutil.which(request) if os.sep not in request else request
        if not found or not os.access(found, os.X_OK) or Path(found).is_dir():
            raise TerraformNotFound(
                f"terraform binary {request!r} not found or not executable",
                hint="fix --terraform / K8SPROV_TERRAFORM, or install Terraform",
            )
        return found
    for name in ("terraform", "tofu"):
        found = shutil.which(name)
        if found:
            return found
    raise TerraformNotFound(
        "no terraform found: neither --terraform, K8SPROV_TERRAFORM, nor terraform or tofu on PATH",
        hint="install Terraform (or OpenTofu) or point --terraform at it",
    )


def probe_version(path: str) -> tuple[str, str]:
    """(version, flavor) from `<binary> version -json`, falling back to the text form of old releases."""
    try:
        proc = subprocess.run([path, "version", "-json"], capture_output=True, text=True, timeout=60,
                              env=_child_env({}), check=False, umask=UMASK)
    except OSError as err:
        raise TerraformNotFound(f"cannot run {path}: {err.strerror}", hint="check the binary") from None
    except subprocess.TimeoutExpired:
        raise TerraformNotFound(f"{path} version did not answer in 60 s", hint="check the binary") from None
    text = proc.stdout
    flavor = "opentofu" if "tofu" in Path(path).name.lower() or "OpenTofu" in text else "terraform"
    try:
        data = json.loads(text)
        version = str(data["terraform_version"])
    except (ValueError, KeyError, TypeError):
        first = text.strip().splitlines()[0] if text.strip() else ""
        version = first.split()[-1].lstrip("v") if first else ""
    if not version:
        raise TerraformNotFound(f"{path} did not report a version", hint="is it really terraform?")
    return version, flavor


def resolve_binary(request: str | None, required: str | None,
                   version_cache: Callable[[str, Callable[[str], tuple[str, str]]], tuple[str, str]]
                   | None = None) -> TerraformBinary:
    """Find the binary and check it against the root module's `required_version`."""
    from k8sprov.tfversion import satisfies

    path = locate(request)
    version, flavor = version_cache(path, probe_version) if version_cache else probe_version(path)
    binary = TerraformBinary(path=path, version=version, flavor=flavor)
    if required:
        try:
            ok = satisfies(version, required)
        except ValueError:
            ok = True  # a constraint we cannot read is Terraform's to judge, not ours
        if not ok:
            raise TerraformNotFound(
                f"{binary.describe()} is too old or too new: the root module needs {required}",
                hint="install a matching Terraform or point --terraform at one",
            )
    return binary


def _child_env(extra: Mapping[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    # Terraform must never stop to ask: k8sprov does the asking.
    env["TF_INPUT"] = "0"
    env["TF_IN_AUTOMATION"] = "1"
    # No version check-in with HashiCorp on every run (and no wait on it where the network is closed).
    env.setdefault("CHECKPOINT_DISABLE", "1")
    env.pop("TF_CLI_ARGS", None)
    env.update(extra)
    return env


def _die_with_parent() -> None:
    """Runs in the child before exec: on Linux, get SIGTERM (a graceful stop) if k8sprov dies."""
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            pr_set_pdeathsig = 1
            libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
        except (OSError, AttributeError):
            pass


@dataclass
class RunResult:
    returncode: int
    stdout: str
    stderr: str
    interrupted_by: int | None = None

    def last_error(self, working_dir: Path | None = None) -> str:
        """Terraform's first error as one line — summary, the detail's first sentence, file:line
        (k8sprov.diagnostics) —, else its last non-empty line."""
        from k8sprov.diagnostics import one_line

        line = one_line(self.stderr + "\n" + self.stdout, working_dir=working_dir)
        if line:
            return line
        lines = [ln.strip(" │╷╵\t") for ln in (self.stderr + "\n" + self.stdout).splitlines()]
        errors = [ln for ln in lines if ln.startswith("Error:")]
        if errors:
            return errors[-1]
        rest = [ln for ln in lines if ln]
        return rest[-1] if rest else f"exit status {self.returncode}"


def forward_signal(proc: subprocess.Popen[bytes], signum: int) -> None:
    """Deliver SIGINT/SIGTERM to terraform exactly once.

    Terraform 1.0 runs as a panicwrap parent (the pid we started) and a child doing the work, in the
    process group we gave it. The parent ignores SIGINT and relies on the child getting it from the group,
    as a terminal's Ctrl-C does: SIGINT goes to the group. The parent *forwards* SIGTERM to the child:
    sent to the group as well, the child would get it twice — "Two interrupts received. Exiting
    immediately" — and quit without saving state. SIGTERM goes to the pid only (without panicwrap, as in
    later releases, that pid is terraform itself)."""
    with suppress(ProcessLookupError, PermissionError):
        if signum == signal.SIGINT:
            os.killpg(proc.pid, signum)
        else:
            os.kill(proc.pid, signum)


@contextmanager
def handling_signals(handler: Callable[[int, Any], None]) -> Iterator[None]:
    """`handler` receives SIGINT and SIGTERM for the duration; the previous handlers come back after.
    Only the main thread can install handlers; elsewhere this does nothing (a parallel runner installs
    one in the main thread and forwards for its workers)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


@dataclass
class _SignalForwarder:
    """Forwards SIGINT/SIGTERM to the running child, once per signal received; remembers the first one."""

    proc: subprocess.Popen[bytes] | None = None
    received: list[int] = field(default_factory=list)

    def handler(self, signum: int, _frame: object) -> None:
        self.received.append(signum)
        if self.proc is not None and self.proc.returncode is None:
            forward_signal(self.proc, signum)

    def installed(self) -> AbstractContextManager[None]:
        return handling_signals(self.handler)


def _pump(src: IO[bytes], sink: IO[str] | None, keep: list[str],
          masker: Callable[[str], str] = mask) -> None:
    """Copy terraform's output as it comes, whole lines at a time: what one read returns (a plan of a
    thousand resources is tens of thousands of lines; a write and flush per line slowed terraform down)."""
    read = getattr(src, "read1", src.read)
    pending = b""
    while True:
        chunk = read(65536)
        if chunk:
            pending += chunk
            cut = pending.rfind(b"\n") + 1
            if not cut:
                continue
            raw, pending = pending[:cut], pending[cut:]
        elif pending:
            raw, pending = pending, b""
        else:
            break
        text = raw.decode("utf-8", errors="replace")
        keep.append(text)
        if sink is not None:
            # Backend credentials (a pg conn_str) never reach the terminal or a log file.
            try:
                sink.write(masker(text))
                sink.flush()
            except BrokenPipeError:
                # The reader went away (`| head`): terraform goes on (an apply must not stop half-way)
                # and its output is still kept; k8sprov ends quietly at its next write.
                sink = None
    src.close()


def _drain(proc: subprocess.Popen[bytes], pumps: list[threading.Thread], grace: float = 5.0) -> None:
    """Wait for the output pumps after terraform exited, without hanging on what it left behind.

    Terraform's children (a local-exec provisioner's shell) inherit its stdout. When terraform was killed
    (SIGKILL, OOM) they outlive it and keep the pipe open: end its process group, as a terminal would, and
    never wait more than the grace period for the pipes to close."""
    if proc.returncode is not None and proc.returncode < 0:
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGTERM)
    for pump in pumps:
        pump.join(timeout=grace)
    if any(pump.is_alive() for pump in pumps):
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        for pump in pumps:
            pump.join(timeout=grace)


class Terraform:
    """Runs terraform commands for one environment: its own data dir, its own workspace."""

    def __init__(self, binary: TerraformBinary, *, working_dir: Path, data_dir: Path, workspace: str,
                 stream: IO[str] | None = None, err_stream: IO[str] | None = None,
                 color: bool = False, extra_env: Mapping[str, str] | None = None,
                 secrets: Sequence[str] = ()) -> None:
        from python_terraform import Terraform as _PyTerraform

        self.binary = binary
        self.working_dir = working_dir
        self.data_dir = data_dir
        self.workspace = workspace
        self.stream = stream
        self.err_stream = err_stream
        self.color = color
        # Values Terraform prints in clear that are credentials all the same (k8sprov.credentials): a
        # credential-named `set` entry of release_overrides. Masked in everything echoed from terraform.
        self.secrets = tuple(secrets)
        # python-terraform only builds argv here: no instance var_file (it would be added to every command,
        # `apply PLANFILE` included), no state reading of its own.
        self._builder = _PyTerraform(working_dir=str(working_dir), terraform_bin_path=binary.path,
                                     is_env_vars_included=True)
        self.env = _child_env({"TF_DATA_DIR": str(data_dir), "TF_WORKSPACE": workspace,
                               **(extra_env or {})})
        self.on_start: Callable[[subprocess.Popen[bytes]], None] | None = None
        self._init_lock_timeout: bool | None = None

    # -- command lines ---------------------------------------------------------------------------------

    def argv(self, command: str, *args: str, **options: Any) -> list[str]:
        from python_terraform import IsFlagged

        if not self.color:
            options.setdefault("no_color", IsFlagged)
        for key in ("synchronous", "capture_output", "raise_on_error"):
            if key in options:
                raise ValueError(f"{key!r} is a python-terraform trap, not a terraform option")
        cmd: list[str] = self._builder.generate_cmd_string(command, *args, **options)
        return cmd

    def init_argv(self, backend_config: Path | None, *, reconfigure: bool,
                  lock_timeout: str | None = None) -> list[str]:
        from python_terraform import IsFlagged

        opts: dict[str, Any] = {"input": False}
        if backend_config is not None:
            opts["backend_config"] = [str(backend_config)]
        if reconfigure:
            opts["reconfigure"] = IsFlagged
        if lock_timeout:
            opts["lock_timeout"] = lock_timeout
        return self.argv("init", **opts)

    def plan_argv(self, var_file: Path, out: Path, *, destroy: bool = False, refresh_only: bool = False,
                  lock_timeout: str | None = None) -> list[str]:
        from python_terraform import IsFlagged

        opts: dict[str, Any] = {"input": False, "var_file": [str(var_file)], "out": str(out),
                                "detailed_exitcode": IsFlagged}
        if destroy:
            opts["destroy"] = IsFlagged
        if refresh_only:
            opts["refresh_only"] = IsFlagged
        if lock_timeout:
            opts["lock_timeout"] = lock_timeout
        return self.argv("plan", **opts)

    def apply_argv(self, plan_file: Path, *, lock_timeout: str | None = None) -> list[str]:
        # A saved plan carries its variables: no -var-file, no -auto-approve needed (Terraform does not ask).
        opts: dict[str, Any] = {"input": False}
        if lock_timeout:
            opts["lock_timeout"] = lock_timeout
        return self.argv("apply", str(plan_file), **opts)

    # -- running ---------------------------------------------------------------------------------------

    def run(self, argv: Sequence[str], *, stream: bool = True, ok: Sequence[int] = (0,),
            what: str | None = None, env: Mapping[str, str | None] | None = None) -> RunResult:
        """Run terraform, streaming stdout live; SIGINT/SIGTERM are forwarded, then become exit 130/143.

        `env` changes the child's environment for this run only (a None value removes the variable)."""
        forwarder = _SignalForwarder()
        out_lines: list[str] = []
        err_lines: list[str] = []
        child_env = dict(self.env)
        for key, value in (env or {}).items():
            if value is None:
                child_env.pop(key, None)
            else:
                child_env[key] = value
        with forwarder.installed():
            try:
                proc = subprocess.Popen(list(argv), cwd=self.working_dir, env=child_env,
                                        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, start_new_session=True,
                                        preexec_fn=_die_with_parent, umask=UMASK)
            except OSError as err:
                raise TerraformError(f"cannot start {argv[0]}: {err.strerror}") from None
            forwarder.proc = proc
            if self.on_start is not None:
                self.on_start(proc)
            assert proc.stdout is not None and proc.stderr is not None
            pumps = [
                threading.Thread(target=_pump, args=(proc.stdout, self.stream if stream else None, out_lines,
                                                     self.masker()), daemon=True),
                threading.Thread(target=_pump, args=(proc.stderr, self.err_stream if stream else None,
                                                     err_lines, self.masker()), daemon=True),
            ]
            for pump in pumps:
                pump.start()
            try:
                returncode = proc.wait()
            except BaseException:
                # Whatever happens to us, terraform must not be left running orphaned.
                if proc.poll() is None:
                    proc.send_signal(signal.SIGINT)
                    try:
                        proc.wait(timeout=60)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait()
                raise
            _drain(proc, pumps)
        result = RunResult(returncode, "".join(out_lines), "".join(err_lines),
                           forwarder.received[0] if forwarder.received else None)
        if result.interrupted_by == signal.SIGTERM:
            raise Terminated(f"terraform {what or argv[1]} terminated (SIGTERM); terraform stopped cleanly"
                             f" with status {returncode}", hint="state was saved; run plan again")
        if result.interrupted_by == signal.SIGINT:
            raise Interrupted(f"terraform {what or argv[1]} interrupted; terraform stopped cleanly"
                              f" with status {returncode}", hint="state was saved; run plan again")
        if returncode not in ok:
            self._raise_failure(result, what or argv[1])
        return result

    def masker(self) -> Callable[[str], str]:
        """A masker for one stream of terraform's text: backend credentials, values whose name says
        credential (k8sprov.credentials; it keeps state across chunks) and this environment's known
        secrets hidden."""
        from k8sprov.credentials import TextMasker, scrub

        by_name = TextMasker()
        secrets = self.secrets

        def masked(text: str) -> str:
            text = by_name(mask(text))
            return scrub(text, secrets) if secrets else text

        return masked

    def mask(self, text: str) -> str:
        """`text` (a whole message or output) safe to print."""
        return self.masker()(text)

    def _raise_failure(self, result: RunResult, what: str) -> None:
        from k8sprov.locks import StateLocked, describe, parse_lock_error

        mask = self.mask

        full = result.stderr + "\n" + result.stdout
        protected = _PREVENT_DESTROY.findall(full.replace("│", " "))
        if protected:
            raise TerraformError(
                mask(f"terraform {what} stopped: {', '.join(dict.fromkeys(protected))} "
                     "under lifecycle.prevent_destroy; nothing was destroyed"),
                hint="the CRD releases are protected on purpose: see docs/stack-testing.md, "
                     "\"Tearing an environment down\"", detail=mask(result.stderr or result.stdout))
        lock = parse_lock_error(full)
        if lock is not None:
            # The workspace is the environment's name (one workspace per environment).
            kind, _config = self.backend_settings()
            message, hint = describe(lock, self.workspace, backend=kind or "local",
                                     pg_schema=self.pg_schema())
            raise StateLocked(mask(f"terraform {what} failed: {message}"), lock=lock, hint=mask(hint),
                              detail=mask(result.stderr or result.stdout))
        raise TerraformError(mask(f"terraform {what} failed: {result.last_error(self.working_dir)}"),
                             hint="run with --debug for terraform's full output",
                             detail=mask(result.stderr or result.stdout))

    def backend_settings(self) -> tuple[str | None, dict[str, Any]]:
        """(type, config) of the backend the data dir was initialised with (local: (None, {})).

        The config may hold credentials: use it, never print it."""
        try:
            data = json.loads((self.data_dir / "terraform.tfstate").read_text())
            backend = data.get("backend") or {}
            config = backend.get("config") or {}
            return (str(backend["type"]) if backend.get("type") else None,
                    config if isinstance(config, dict) else {})
        except (OSError, ValueError, AttributeError):
            return None, {}

    def pg_schema(self) -> str:
        kind, config = self.backend_settings()
        schema = config.get("schema_name") if kind == "pg" else None
        return str(schema) if schema else "terraform_remote_state"

    def init(self, backend_config: Path | None = None, *, reconfigure: bool = False,
             lock_timeout: str | None = None) -> RunResult:
        """Init, then make sure the environment's workspace exists.

        Init runs in the `default` workspace: with TF_WORKSPACE naming a workspace a remote backend (pg)
        does not have yet, init would stop to ask which one to select. The workspace is then created
        (outside TF_WORKSPACE, which `workspace new` refuses to override) when it is missing."""
        # Terraform 1.0's init has no -lock-timeout (later ones do): pass it only where it is understood.
        lock_timeout_init = lock_timeout if lock_timeout and self.init_takes_lock_timeout() else None
        for attempt in range(1, _PG_RACE_TRIES + 1):
            try:
                result = self.run(self.init_argv(backend_config, reconfigure=reconfigure,
                                                 lock_timeout=lock_timeout_init),
                                  what="init", env={"TF_WORKSPACE": "default"})
                if self.workspace != "default" and self.workspace not in self.workspaces():
                    self.workspace_new(self.workspace, lock_timeout=lock_timeout)
                return result
            except TerraformError as err:
                # The pg backend creates its schema and table with CREATE ... IF NOT EXISTS on every run;
                # two first runs at the same moment race inside PostgreSQL's catalog and one fails. The
                # loser finds everything created when it tries again.
                if attempt == _PG_RACE_TRIES or not _PG_CATALOG_RACE.search(err.detail or err.message):
                    raise
                if self.stream is not None:
                    self.stream.write("k8sprov: the pg backend's schema was being created by another run;"
                                      " trying init again\n")
                time.sleep(0.5 * attempt)
        raise AssertionError("unreachable")

    def init_takes_lock_timeout(self) -> bool:
        """Whether this binary's `init` accepts -lock-timeout (asked once, from its own help text)."""
        if self._init_lock_timeout is None:
            result = self.run(self.argv("init", help=_flag()), stream=False, ok=(0, 1, 127),
                              what="init -help")
            self._init_lock_timeout = "-lock-timeout" in result.stdout + result.stderr
        return self._init_lock_timeout

    def workspaces(self) -> list[str]:
        result = self.run(self.argv("workspace list"), stream=False, what="workspace list",
                          env={"TF_WORKSPACE": None})
        names = (ln.strip(" *\t") for ln in result.stdout.splitlines())
        return [name for name in names if name and " " not in name]

    def workspace_new(self, name: str, *, lock_timeout: str | None = None) -> None:
        # The pg backend serialises workspace creation with one advisory lock (-1) for the whole schema:
        # environments initialised at the same moment wait their turn (it is held for a moment only).
        # The pg backend takes that lock without -lock-timeout's retries ("failed to lock state in
        # Postgres"), so k8sprov retries itself.
        opts: dict[str, Any] = {"lock_timeout": lock_timeout or _WORKSPACE_LOCK_TIMEOUT}
        for attempt in range(1, _WORKSPACE_TRIES + 1):
            try:
                self.run(self.argv("workspace new", name, **opts), stream=False, what="workspace new",
                         env={"TF_WORKSPACE": None})
                return
            except TerraformError as err:
                text = (err.detail or err.message).lower()
                if "already exists" in text or name in self.workspaces():  # another run made it: fine
                    return
                if attempt == _WORKSPACE_TRIES or "lock" not in text:
                    raise
                time.sleep(0.3 * attempt)

    def plan(self, var_file: Path, out: Path, *, destroy: bool = False,
             lock_timeout: str | None = None) -> bool:
        """Write a plan file; True when it has changes (from -detailed-exitcode)."""
        result = self.run(self.plan_argv(var_file, out, destroy=destroy, lock_timeout=lock_timeout),
                          ok=(PLAN_NO_CHANGES, PLAN_CHANGES), what="plan")
        return result.returncode == PLAN_CHANGES

    def plan_refresh_only(self, var_file: Path, out: Path, *, lock_timeout: str | None = None) -> RunResult:
        """`plan -refresh-only -out`: what changed outside Terraform, read from the real objects. Writes the
        plan file only, never the state (that would take `apply -refresh-only`)."""
        return self.run(self.plan_argv(var_file, out, refresh_only=True, lock_timeout=lock_timeout),
                        ok=(PLAN_NO_CHANGES, PLAN_CHANGES), what="plan -refresh-only")

    def apply(self, plan_file: Path, *, lock_timeout: str | None = None) -> RunResult:
        return self.run(self.apply_argv(plan_file, lock_timeout=lock_timeout), what="apply")

    def show_json(self, plan_file: Path) -> dict[str, Any]:
        try:
            result = self.run(self.argv("show", str(plan_file), json=_flag()), stream=False, what="show")
        except TerraformError as err:
            if not _PLAN_PROVIDERS_MISSING.search(err.detail or err.message):
                raise
            raise TerraformError(
                f"cannot read the binary plan {plan_file.name} here: terraform cannot load its providers",
                hint="read it from the folder it was planned in, or with --env E for k8sprov's saved plans",
                detail=err.detail) from None
        try:
            data: dict[str, Any] = json.loads(result.stdout)
        except ValueError:
            raise TerraformError(f"terraform show -json {plan_file.name} did not print JSON",
                                 detail=result.stdout[-2000:]) from None
        return data

    def state_pull(self) -> dict[str, Any] | None:
        result = self.run(self.argv("state pull"), stream=False, what="state pull")
        text = result.stdout.strip()
        return json.loads(text) if text else None

    def force_unlock(self, lock_id: str) -> RunResult:
        return self.run(self.argv("force-unlock", lock_id, force=_flag()), what="force-unlock")

    def providers_mirror(self, target: Path, platforms: Sequence[str]) -> RunResult:
        """`terraform providers mirror -platform=...`: always asks the providers' origin registries."""
        argv = [*self.argv("providers mirror"), *(f"-platform={p}" for p in platforms), str(target)]
        return self.run(argv, stream=False, what="providers mirror")


def _flag() -> Any:
    from python_terraform import IsFlagged

    return IsFlagged


__all__ = ["ExitCode", "RunResult", "Terraform", "TerraformBinary", "locate", "probe_version",
           "resolve_binary"]
