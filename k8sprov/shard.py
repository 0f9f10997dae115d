"""`plan --shard I/N`: a stable split of environments over N CI jobs, for CI systems without a matrix.

An environment's shard comes from its name alone (sha256 of the name, modulo N), not from its place in a
sorted list: adding or removing an environment never moves another one to a different shard, so each job
keeps its environments (and their caches, logs and locks) from run to run. The price is balance: with few
environments per shard the counts can differ by more than one (N jobs over N environments may leave one
job empty, which then plans nothing and succeeds).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from k8sprov.errors import UsageError

_SHARD = re.compile(r"^(\d+)/(\d+)$")


def parse_shard(text: str) -> tuple[int, int]:
    """"I/N" -> (I, N) with 1 <= I <= N; anything else is a one-line usage error."""
    match = _SHARD.match(text.strip())
    if match is None or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise UsageError(f"--shard {text!r}: expected I/N with 1 ≤ I ≤ N",
                         hint="e.g. --shard 1/3, --shard 2/3 and --shard 3/3 in three jobs")
    return int(match.group(1)), int(match.group(2))


def shard_of(name: str, count: int) -> int:
    """The shard (1..count) environment `name` belongs to."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def select(names: Iterable[str], index: int, count: int) -> list[str]:
    """The names of shard `index` of `count`, in the given order."""
    return [name for name in names if shard_of(name, count) == index]
