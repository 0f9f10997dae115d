"""State locks: reading terraform's "Error acquiring the state lock" report and saying what to do about it.

What the lock info means depends on the backend, and the difference matters:
- local, S3/DynamoDB, GCS, Kubernetes, azurerm, http: the lock is a record, and terraform's "Lock Info"
  is the *holder's* (ID, Who, Operation, Created). `terraform force-unlock ID` removes the record, so
  `k8sprov unlock --env E ID` is the way out of a lock left by a run that died.
- pg: the lock is a PostgreSQL advisory lock owned by the database session of the terraform holding it.
  PostgreSQL records no owner, so the "Lock Info" terraform prints is the *requesting* run's own (its
  ID is useless), and `terraform force-unlock` reports success without releasing anything. The lock ends
  with that session: when the holding terraform exits or dies, or when an admin ends its session.
Pure functions; no terraform runs here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from k8sprov.errors import TerraformError

LOCK_ERROR = "Error acquiring the state lock"
_PG_MESSAGES = ("Workspace is already locked", "Already locked for workspace creation")
_FIELD = re.compile(r"^\s*(ID|Path|Operation|Who|Version|Created|Info):\s*(.*?)\s*$")
_BOX = " │╷╵\t"


@dataclass(frozen=True)
class LockInfo:
    id: str = ""
    path: str = ""
    operation: str = ""
    who: str = ""
    version: str = ""
    created: str = ""
    message: str = ""  # terraform's "Error message:" line

    @property
    def advisory(self) -> bool:
        """True for the pg backend's advisory locks (the info is the requester's, not the holder's)."""
        return any(text in self.message for text in _PG_MESSAGES)

    @property
    def operation_name(self) -> str:
        """"OperationTypeApply" → "apply"."""
        op = self.operation.removeprefix("OperationType")
        return op.lower() if op else "unknown operation"

    @property
    def created_short(self) -> str:
        """"2026-11-27 15:06:22.413566206 +0000 UTC" → "2026-11-27 15:06:22 UTC"."""
        match = re.match(r"(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)", self.created)
        return f"{match.group(1)} {match.group(2)} UTC" if match else self.created


def parse_lock_error(output: str) -> LockInfo | None:
    """The lock info from terraform's output when it failed to acquire the state lock, else None."""
    if LOCK_ERROR not in output:
        return None
    fields: dict[str, str] = {}
    message = ""
    in_info = False
    for raw in output.splitlines():
        line = raw.strip(_BOX)
        if line.startswith("Error message:"):
            message = line.removeprefix("Error message:").strip()
            continue
        if line.strip() == "Lock Info:":
            in_info = True
            continue
        if in_info:
            match = _FIELD.match(line)
            if match:
                fields.setdefault(match.group(1).lower(), match.group(2))
            elif line.strip() and not line.startswith(" "):
                in_info = False
    return LockInfo(**{key: fields.get(key, "") for key in ("id", "path", "operation", "who", "version",
                                                             "created")}, message=message)


def unlock_command(env: str, lock_id: str) -> str:
    return f"k8sprov unlock --env {env} {lock_id}"


def pg_holder_query(env: str, schema: str = "terraform_remote_state") -> str:
    """SQL that shows the session holding the pg backend's lock on `env`'s state."""
    return (f"SELECT l.pid, a.usename, a.client_addr, a.backend_start FROM pg_locks l JOIN pg_stat_activity a"
            f" USING (pid) WHERE l.locktype = 'advisory' AND l.objid = (SELECT id FROM {schema}.states"
            f" WHERE name = '{env}')")


# Backends whose lock belongs to the running terraform itself and dies with it: force-unlock cannot
# release it (local: an fcntl lock on the state file — force-unlock fails with "LocalState not locked";
# pg: a session-level advisory lock — force-unlock reports success and releases nothing).
PROCESS_BOUND = ("local", "pg")


def describe(info: LockInfo, env: str, *, backend: str = "local",
             pg_schema: str = "terraform_remote_state") -> tuple[str, str]:
    """(message, hint) for a failed lock: who holds it and the exact way to release it."""
    if info.advisory or backend == "pg":
        return (f"state of {env} is locked by another terraform session (pg backend: a PostgreSQL advisory"
                f" lock, which records no owner; it is released when that session ends)",
                f"wait for the other run, or retry with --lock-timeout; a holder that is gone releases it"
                f" by itself; to see the holder: {pg_holder_query(env, pg_schema)}")
    who = info.who or "someone"
    since = f", since {info.created_short}" if info.created else ""
    lock_id = info.id or "LOCK_ID"
    message = f"state of {env} is locked by {who} ({info.operation_name}{since}; lock ID {lock_id})"
    if backend == "local":
        return (message, "that terraform is still running (the local backend's lock is a file lock that ends"
                         " with its process, even a killed one): wait for it, or retry with --lock-timeout")
    return message, f"if that run is gone, release the lock with: {unlock_command(env, lock_id)}"


class StateLocked(TerraformError):
    """Terraform could not acquire the state lock; `lock` is what it reported."""

    def __init__(self, message: str, *, lock: LockInfo, hint: str | None = None,
                 detail: str | None = None) -> None:
        super().__init__(message, hint=hint, detail=detail)
        self.lock = lock
