"""Pure pieces of the team features: masking, lock-report parsing and wording, the combined exit code."""

from __future__ import annotations

from pathlib import Path

import pytest

from k8sprov.errors import ExitCode
from k8sprov.fleet import CANCELLED, CHANGES, FAILED, INTERRUPTED, NO_CHANGES, EnvResult, combined_exit_code
from k8sprov.locks import describe, parse_lock_error
from k8sprov.masking import mask

# Terraform 1.0.3's real reports (captured from runs against the local and pg backends).
LOCAL_LOCKED = "\n".join([
    "╷",
    "│ Error: Error acquiring the state lock",
    "│ ",
    "│ Error message: resource temporarily unavailable",
    "│ Lock Info:",
    "│   ID:        7e76930d-f5bd-08da-7755-690a94581e95",
    "│   Path:      terraform.tfstate.d/a/terraform.tfstate",
    "│   Operation: OperationTypeApply",
    "│   Who:       ci@runner-7",
    "│   Version:   1.0.3",
    "│   Created:   2026-11-27 15:11:37.450946047 +0000 UTC",
    "│   Info:      ",
    "│ ",
    "│ ",
    "│ Terraform acquires a state lock to protect the state from being written",
    "│ by multiple users at the same time. Please resolve the issue above and try",
    '│ again. For most commands, you can disable locking with the "-lock=false"',
    "│ flag, but this is not recommended.",
    "╵",
])
PG_LOCKED = (LOCAL_LOCKED.replace("resource temporarily unavailable", "Workspace is already locked: a")
             .replace("terraform.tfstate.d/a/terraform.tfstate", ""))


@pytest.mark.parametrize(("text", "expected"), [
    ('conn_str = "postgres://k8s:hunter2@db.example:5432/tf?sslmode=require"',
     'conn_str = "postgres://k8s:***@db.example:5432/tf?sslmode=require"'),
    ('parse "postgres://u:p4ss@127.0.0.1:x5432/db": invalid port',
     'parse "postgres://u:***@127.0.0.1:x5432/db": invalid port'),
    ("host=db user=tf password=hunter2 dbname=tf", "host=db user=tf password=*** dbname=tf"),
    ("postgres://db/tf?user=u&password=hunter2&sslmode=disable",
     "postgres://db/tf?user=u&password=***&sslmode=disable"),
    ('secret_key = "AKIAxyz/abc"', 'secret_key = "***"'),
    ("postgres://u@db/tf", "postgres://u@db/tf"),  # no password: nothing to hide
    ("postgres://127.0.0.1:5432/tf", "postgres://127.0.0.1:5432/tf"),
    ("Who: root@vm, 3 to add", "Who: root@vm, 3 to add"),
    # Terraform's placeholders are no credentials, also for an output or attribute named password...
    ("  + password = (sensitive value)", "  + password = (sensitive value)"),
    ("  ~ password = (sensitive value) -> (sensitive value)",
     "  ~ password = (sensitive value) -> (sensitive value)"),
    ("  + password = (known after apply)", "  + password = (known after apply)"),
    ("password = <sensitive>", "password = <sensitive>"),
    ("password=(sensitive)", "password=(sensitive)"),
    ('  + "password" = (sensitive value)', '  + "password" = (sensitive value)'),
    ('token = "(sensitive value)"', 'token = "(sensitive value)"'),
    ('"password": "<sensitive>",', '"password": "<sensitive>",'),
    # ...while real values that only start like one are still hidden
    ("password=(sensitive)hunter2 dbname=tf", "password=*** dbname=tf"),
    ("password=(known dbname=tf", "password=*** dbname=tf"),
    ('token = "(sensitive value)x"', 'token = "***"'),
    ("host=db password='(sensitive value)' dbname=tf", "host=db password=*** dbname=tf"),
])
def test_mask_hides_passwords_and_nothing_else(text: str, expected: str) -> None:
    assert mask(text) == expected


def test_lock_report_of_a_record_lock_names_holder_and_unlock_command() -> None:
    info = parse_lock_error(LOCAL_LOCKED)
    assert info is not None
    assert info.id == "7e76930d-f5bd-08da-7755-690a94581e95"
    assert (info.who, info.operation_name) == ("ci@runner-7", "apply")
    assert info.created_short == "2026-11-27 15:11:37 UTC" and not info.advisory
    message, hint = describe(info, "prod", backend="s3")
    assert message == ("state of prod is locked by ci@runner-7 (apply, since 2026-11-27 15:11:37 UTC;"
                       " lock ID 7e76930d-f5bd-08da-7755-690a94581e95)")
    assert hint.endswith("k8sprov unlock --env prod 7e76930d-f5bd-08da-7755-690a94581e95")


def test_lock_report_of_the_local_backend_says_the_lock_ends_with_its_process() -> None:
    info = parse_lock_error(LOCAL_LOCKED)
    assert info is not None
    message, hint = describe(info, "a", backend="local")
    assert "locked by ci@runner-7 (apply" in message
    assert "k8sprov unlock" not in hint and "ends with its process" in hint


def test_pg_lock_report_does_not_pretend_to_know_the_holder() -> None:
    info = parse_lock_error(PG_LOCKED)
    assert info is not None and info.advisory
    message, hint = describe(info, "a", backend="pg", pg_schema="tfstate")
    assert "ci@runner-7" not in message  # pg's Lock Info is the requester's own, not the holder's
    assert "advisory lock" in message and "k8sprov unlock" not in hint
    assert "FROM tfstate.states WHERE name = 'a'" in hint


def test_no_lock_error_no_lock_info() -> None:
    assert parse_lock_error("Error: Invalid reference\n") is None


def _r(env: str, status: str) -> EnvResult:
    return EnvResult(env=env, status=status, seconds=1.0, log=Path(f"/p/.k8sprov/logs/{env}.log"))


@pytest.mark.parametrize(("statuses", "detailed", "code"), [
    ((NO_CHANGES, NO_CHANGES), True, ExitCode.OK),
    ((NO_CHANGES, CHANGES), True, ExitCode.CHANGES),
    ((NO_CHANGES, CHANGES), False, ExitCode.OK),
    ((CHANGES, FAILED), True, ExitCode.ERROR),  # failure wins over changes
    ((FAILED, NO_CHANGES), False, ExitCode.ERROR),
    ((CHANGES, INTERRUPTED), True, ExitCode.ERROR),
    ((CANCELLED,), True, ExitCode.ERROR),
])
def test_combined_exit_code(statuses: tuple[str, ...], detailed: bool, code: ExitCode) -> None:
    results = [_r(f"e{i}", s) for i, s in enumerate(statuses)]
    assert combined_exit_code(results, detailed=detailed) is code


def test_finish_line_names_counts_time_and_log() -> None:
    result = _r("a", CHANGES)
    result.counts = {"create": 2, "update": 1, "replace": 0, "delete": 3}
    assert result.line(Path("/p")) == ("a: changes: 2 to create, 1 to update, 0 to replace, 3 to delete"
                                       " (1.0s) · log .k8sprov/logs/a.log")
    failed = _r("b", FAILED)
    failed.error = "terraform plan failed: Error: boom"
    assert failed.line(Path("/p")) == ("b: failed: terraform plan failed: Error: boom (1.0s)"
                                       " · log .k8sprov/logs/b.log")
