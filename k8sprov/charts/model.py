"""Plain values shared by the chart modules: catalog entries, pins, lock entries and outcomes."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True)
class ChartSpec:
    """One entry of `local.chart_catalog`: where a chart comes from and how it is installed."""

    key: str
    chart: str
    repository: str
    namespace: str = ""
    order: int = 0
    oci: str | None = None
    # Charts sharing a release group are released in lockstep upstream: promoted together, never split.
    release_group: str | None = None
    # Fingerprint of the only key its publisher signs with (40 upper-case hex); None: not checked.
    signed_by: str | None = None


@dataclass(frozen=True)
class Pin:
    """One (chart, version) pinned by one or more profiles."""

    spec: ChartSpec
    version: str
    profiles: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.spec.chart

    @property
    def archive_name(self) -> str:
        return archive_name(self.spec.chart, self.version)


def archive_name(chart: str, version: str) -> str:
    return f"{chart}-{version}.tgz"


@dataclass(frozen=True)
class LockEntry:
    """One verified archive: what Terraform and `k8sprov plan` check against."""

    name: str
    version: str
    source: str
    sha256: str
    size: int
    signer: str | None = None  # fingerprint that signed its provenance, when a key is pinned

    @property
    def key(self) -> tuple[str, str]:
        return (self.name, self.version)

    @property
    def archive_name(self) -> str:
        return archive_name(self.name, self.version)


class Outcome(StrEnum):
    DOWNLOADED = "downloaded"  # fetched, verified, renamed into place
    VERIFIED = "verified"  # already present, not in the lock, matched the repository digest
    SKIPPED = "skipped"  # already present and matching the lock: no request made
    FAILED = "failed"


@dataclass
class ChartResult:
    pin: Pin
    outcome: Outcome
    entry: LockEntry | None = None
    error: str | None = None
    seconds: float = 0.0
    attempts: int = 0
    extra: dict[str, str] = field(default_factory=dict)
