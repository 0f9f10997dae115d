"""Many environments at once: `k8sprov plan --all` / repeated `--env`, `--jobs N` at a time.

Each environment runs exactly as `plan --env E` would (its own data dir, workspace, saved plan), in a
worker thread. Terraform's output goes to `.k8sprov/logs/<env>.log` (masked) instead of interleaving on
the terminal; the caller gets one result per environment as it finishes, then all of them.

Signals: handlers live in the main thread only, so this runner installs its own there. SIGINT/SIGTERM
are forwarded to every running terraform's process group (each `Terraform` reports its child through
`on_start`), environments not started yet are cancelled, and the caller exits 130/143 once all have
stopped — terraform is never left running, and each one releases its lock.

`init` is serialised across the workers: concurrent first inits race on shared things (the pg backend's
`CREATE SCHEMA/TABLE IF NOT EXISTS`, `.terraform.lock.hcl`, k8sprov's init cache); plans run in parallel.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from k8sprov.atrest import make_private
from k8sprov.context import AppContext
from k8sprov.errors import ExitCode, K8sprovError
from k8sprov.masking import mask
from k8sprov.private import open_private, private_dir

if TYPE_CHECKING:
    from k8sprov import workflow

COUNT_KEYS = ("create", "update", "replace", "delete")
# status of one environment's run
CHANGES, NO_CHANGES, FAILED = "changes", "no changes", "failed"
INTERRUPTED, CANCELLED = "interrupted", "cancelled"
DRIFT, NO_DRIFT = "drift", "no drift"  # k8sprov drift --all
DRIFT_KEYS = ("changed", "deleted")


@dataclass
class EnvResult:
    env: str
    status: str
    seconds: float
    log: Path
    counts: dict[str, int] = field(default_factory=dict)
    error: str | None = None

    @property
    def failed(self) -> bool:
        return self.status in (FAILED, INTERRUPTED, CANCELLED)

    def as_dict(self) -> dict[str, Any]:
        """One environment's row of a fleet's `--json` (plan --all, drift --all)."""
        return {"name": self.env, "status": self.status, "counts": self.counts, "error": self.error,
                "seconds": round(self.seconds, 3), "log": str(self.log)}

    def line(self, root: Path) -> str:
        """The one line printed when this environment finishes."""
        where = self.log.relative_to(root) if self.log.is_relative_to(root) else self.log
        if self.status in (CHANGES, NO_CHANGES):
            numbers = ", ".join(f"{self.counts.get(k, 0)} to {k}" for k in COUNT_KEYS)
            what = f"{self.status}: {numbers}" if self.status == CHANGES else self.status
        elif self.status == DRIFT:
            what = f"drift: {', '.join(f'{self.counts.get(k, 0)} {k}' for k in DRIFT_KEYS)}"
        elif self.status == NO_DRIFT:
            what = self.status
        else:
            what = f"{self.status}: {self.error}" if self.error else self.status
        return f"{self.env}: {what} ({self.seconds:.1f}s) · log {where}"


def combined_exit_code(results: Sequence[EnvResult], *, detailed: bool) -> ExitCode:
    """1 if any failed (failure wins), else 2 with --detailed-exitcode if any has changes, else 0."""
    if any(r.failed for r in results):
        return ExitCode.ERROR
    if detailed and any(r.status in (CHANGES, DRIFT) for r in results):
        return ExitCode.CHANGES
    return ExitCode.OK


@dataclass
class FleetSignals:
    """Forwards SIGINT/SIGTERM, received in the main thread, to every running terraform process group."""

    received: list[int] = field(default_factory=list)
    _procs: set[subprocess.Popen[bytes]] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def started(self, proc: subprocess.Popen[bytes]) -> None:
        """`Terraform.on_start`: track the child; a child started after a signal gets it at once."""
        with self._lock:
            self._procs = {p for p in self._procs if p.poll() is None}
            self._procs.add(proc)
            late = self.received[-1] if self.received else None
        if late is not None:
            _forward(proc, late)

    def handler(self, signum: int, _frame: object) -> None:
        self.received.append(signum)
        with self._lock:
            running = [p for p in self._procs if p.poll() is None]
        for proc in running:
            _forward(proc, signum)

    @property
    def stopping(self) -> bool:
        return bool(self.received)

    def installed(self) -> AbstractContextManager[None]:
        from k8sprov.terraform import handling_signals

        return handling_signals(self.handler)


def _forward(proc: subprocess.Popen[bytes], signum: int) -> None:
    from k8sprov.terraform import forward_signal

    forward_signal(proc, signum)  # SIGINT to terraform's process group, SIGTERM to terraform only


@dataclass
class FleetOutcome:
    results: list[EnvResult]
    interrupted_by: int | None


# One environment's work once it is initialised: (status, counts). Default: plan it (and save the plan).
Step = Callable[["workflow.EnvRun"], tuple[str, dict[str, int]]]


def plan_many(app: AppContext, names: Sequence[str], *, jobs: int, destroy: bool = False,
              lock_timeout: str | None = None,
              on_done: Callable[[EnvResult], None] | None = None,
              step: Step | None = None, command: str = "plan") -> FleetOutcome:
    """Plan every named environment (or run `step`, e.g. a drift check), `jobs` at a time; one result per
    environment, in `names` order."""
    from k8sprov import workflow

    def plan_step(run: workflow.EnvRun) -> tuple[str, dict[str, int]]:
        outcome = workflow.plan(run, destroy=destroy, lock_timeout=lock_timeout)
        from k8sprov.planview import summarize

        counts = dict(summarize(outcome.plan_json).counts)
        return (CHANGES if outcome.record.has_changes else NO_CHANGES,
                {k: counts.get(k, 0) for k in COUNT_KEYS})

    project = app.project
    for name in names:  # every name is checked before anything starts
        project.environment(name)
    make_private(app, names)  # one notice for all of them, before each run would give its own
    logs_dir = project.state_dir / "logs"
    private_dir(logs_dir)
    signals = FleetSignals()
    init_lock = threading.Lock()
    done_lock = threading.Lock()
    logs: dict[str, IO[str]] = {}
    runs: dict[str, workflow.EnvRun] = {}
    try:
        for name in names:
            log: IO[str] = open_private(logs_dir / f"{name}.log", "w", encoding="utf-8", buffering=1)
            logs[name] = log
            log.write(f"# k8sprov {command} --env {name}{' --destroy' if destroy else ''}"
                      f" · {time.strftime('%Y-%m-%d %H:%M:%S %Z')}\n")
            run = workflow.open_env(app, name, stream=log, err_stream=log)
            run.tf.on_start = signals.started
            runs[name] = run

        def work(name: str) -> EnvResult:
            run, log = runs[name], logs[name]
            path = logs_dir / f"{name}.log"
            start = time.monotonic()
            result = EnvResult(env=name, status=CANCELLED, seconds=0.0, log=path,
                               error="not started: interrupted")
            try:
                if not signals.stopping:
                    with init_lock:
                        if not signals.stopping:
                            workflow.ensure_init(run, lock_timeout=lock_timeout)
                if not signals.stopping:
                    status, counts = (step or plan_step)(run)
                    result = EnvResult(env=name, status=status, seconds=0.0, log=path, counts=counts)
            except K8sprovError as err:
                status = INTERRUPTED if signals.stopping else FAILED
                result = EnvResult(env=name, status=status, seconds=0.0, log=path, error=mask(err.one_line()))
            except Exception as err:  # a bug in one environment's run must not hide the others' results
                result = EnvResult(env=name, status=FAILED, seconds=0.0, log=path,
                                   error=mask(f"{type(err).__name__}: {err}"))
            result.seconds = time.monotonic() - start
            log.write(f"# {result.line(project.root)}\n")
            if on_done is not None:
                with done_lock:
                    on_done(result)
            return result

        with signals.installed(), ThreadPoolExecutor(max_workers=max(1, jobs),
                                                     thread_name_prefix="k8sprov-env") as pool:
            futures: list[Future[EnvResult]] = [pool.submit(work, name) for name in names]
            pending = set(futures)
            while pending:  # short waits, so the main thread keeps handling signals
                _done, pending = wait(pending, timeout=0.2)
            results = [f.result() for f in futures]
    finally:
        for opened in logs.values():
            opened.close()
    return FleetOutcome(results=results, interrupted_by=signals.received[0] if signals.received else None)
