"""Drive the installed `k8sprov` script as a subprocess, and read what a state holds."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

SCRIPT = Path(sys.executable).with_name("k8sprov")


def start(project: Path, *args: str) -> subprocess.Popen[str]:
    assert SCRIPT.is_file(), f"{SCRIPT} missing: run make install"
    return subprocess.Popen([str(SCRIPT), "-C", str(project), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)


def run(project: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRIPT), "-C", str(project), *args], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=timeout, check=False)


def wait_for_lines(proc: subprocess.Popen[str], *needles: str, timeout: float = 60) -> str:
    """Read stdout until every needle has shown up, in any order (terraform creates in parallel);
    everything read so far. Proves output streams while terraform still runs."""
    assert proc.stdout is not None
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        if all(any(n in ln for ln in seen) for n in needles):
            return "".join(seen)
    proc.kill()
    err = proc.stderr.read() if proc.stderr else ""
    raise AssertionError(f"{needles!r} never all appeared; got:\n{''.join(seen)}\n{err}")


def wait_for_line(proc: subprocess.Popen[str], needle: str, timeout: float = 60) -> str:
    return wait_for_lines(proc, needle, timeout=timeout)


def addresses(state: dict[str, Any] | None, *, tainted: bool = False) -> list[str]:
    """Managed resource instance addresses in a state (tainted ones only with tainted=True)."""
    found = []
    for res in (state or {}).get("resources", []):
        if res.get("mode") != "managed":
            continue
        prefix = (res["module"] + ".") if res.get("module") else ""
        for inst in res["instances"]:
            if (inst.get("status") == "tainted") != tainted:
                continue
            key = inst.get("index_key")
            suffix = "" if key is None else (f'["{key}"]' if isinstance(key, str) else f"[{key}]")
            found.append(f"{prefix}{res['type']}.{res['name']}{suffix}")
    return sorted(found)
