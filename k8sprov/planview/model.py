"""The plan summary model: plain dataclasses (treat them as read-only) that hold no secret.

Everything here is already masked: a value marked sensitive in the plan is replaced by `Mark.SENSITIVE`
while the summary is built, so no renderer (rich, JSON, Markdown, a debugger's repr) can leak it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from k8sprov.planview.objects import ReleaseObjects

# Counted actions, in display order. "replace" is ["delete","create"] or ["create","delete"];
# "import" counts `change.importing` (on top of the object's own action, like terraform's summary line).
ACTIONS: tuple[str, ...] = ("create", "update", "replace", "delete", "read", "no-op", "forget", "import")
# Extra counters kept in the same mapping.
EXTRA_COUNTS: tuple[str, ...] = ("drift", "moves")


class Mark(enum.Enum):
    """A value that is not shown: masked, unknown until apply, or not there at all."""

    SENSITIVE = "(sensitive value)"
    UNKNOWN = "(known after apply)"
    ABSENT = "(absent)"

    def __repr__(self) -> str:  # short and safe in tracebacks
        return f"<{self.value}>"


@dataclass(slots=True)
class AttrChange:
    """One changed leaf (or opaque subtree) of a resource, a label map or a values document.

    `before`/`after` are JSON values or a `Mark`; `Mark.ABSENT` means the side does not exist.
    Containers may hold `Mark.SENSITIVE` inside when only a part of them is sensitive.
    """

    path: str
    before: Any
    after: Any

    @property
    def kind(self) -> str:
        if self.before is Mark.ABSENT:
            return "add"
        if self.after is Mark.ABSENT:
            return "remove"
        return "change"


@dataclass(frozen=True, slots=True)
class ValuesDoc:
    """The diff of one helm `values` document (YAML against YAML, by key path)."""

    index: int
    status: str  # "changed" | "added" | "removed" | "sensitive" | "unknown" | "text" (invalid YAML)
    changes: tuple[AttrChange, ...] = ()
    text_diff: tuple[str, ...] = ()  # unified diff lines when a side is not valid YAML
    note: str | None = None


@dataclass(frozen=True, slots=True)
class HelmRelease:
    """What matters in a helm_release change: which chart, which version, where, and what values changed."""

    name: Any
    namespace: Any
    chart: Any
    repository: Any
    version_before: Any
    version_after: Any
    values_changed: bool
    values_docs: tuple[ValuesDoc, ...] = ()
    # The chart version of the archive the release points at, from charts.lock, when the plan itself
    # only knows it after apply (a create from a local archive).
    version_locked: str | None = None
    # The Kubernetes objects inside the release (helm provider manifest experiment); None when off.
    objects: ReleaseObjects | None = None

    @property
    def version_changed(self) -> bool:
        return bool(self.version_before != self.version_after)

    @property
    def values_masked(self) -> bool:
        return any(doc.status == "sensitive" for doc in self.values_docs)


@dataclass(frozen=True, slots=True)
class NamespaceChange:
    """Label changes of a kubernetes_namespace(_v1): `changes` paths are label keys."""

    name: Any
    labels: tuple[AttrChange, ...]


@dataclass(slots=True)
class ResourceChange:
    address: str
    module: str | None  # None for the root module
    mode: str  # "managed" | "data"
    type: str
    name: str
    index: Any
    provider: str | None
    action: str  # one of ACTIONS (except "import"), or "+".join(actions) for an unknown combination
    actions: tuple[str, ...]
    reason: str | None  # terraform's action_reason code
    replace_paths: tuple[str, ...]
    previous_address: str | None
    importing: bool
    import_id: str | None
    deposed: str | None
    _attributes: tuple[AttrChange, ...] | None = field(default=None, repr=False, compare=False)
    helm: HelmRelease | None = None
    namespace: NamespaceChange | None = None
    # (before, after, before_sensitive, after_sensitive, after_unknown, secrets): the attribute diff is
    # computed on first use, because a view shows the attributes of a few changes out of thousands.
    _diff_inputs: tuple[Any, Any, Any, Any, Any, Any] | None = field(default=None, repr=False, compare=False)

    @property
    def attributes(self) -> tuple[AttrChange, ...]:
        """Attribute-level changes, masked; computed once, when first asked for."""
        if self._attributes is None:
            if self._diff_inputs is None:
                self._attributes = ()
            else:
                from k8sprov.planview.diff import walk

                found: list[AttrChange] = []
                walk(*self._diff_inputs, "", found)
                self._attributes, self._diff_inputs = tuple(found), None
        return self._attributes

    @property
    def moved(self) -> bool:
        return self.previous_address is not None and self.previous_address != self.address

    @property
    def is_change(self) -> bool:
        """Shown in the change lists: anything but a plain no-op."""
        return self.action != "no-op" or self.moved or self.importing

    @property
    def destructive(self) -> bool:
        """Destroys an object: delete, or a replacement that deletes (create-then-forget does not)."""
        return self.action == "delete" or (self.action == "replace" and "delete" in self.actions)


@dataclass(frozen=True, slots=True)
class OutputChange:
    name: str
    action: str
    before: Any
    after: Any
    sensitive: bool


@dataclass(frozen=True, slots=True)
class Diagnostic:
    severity: str
    summary: str
    detail: str | None = None
    address: str | None = None


@dataclass(frozen=True, slots=True)
class ReleaseVersion:
    """A helm_release the plan leaves as it is: its chart and version, for views of many environments
    (which chart runs where at which version), masked like every other value."""

    address: str
    name: str | None
    namespace: str | None
    chart: str | None
    version: str | None


@dataclass(frozen=True)
class PlanSummary:
    """A whole plan, summarised and masked. Build it with `summarize(plan_json)`."""

    format_version: str | None
    terraform_version: str | None
    changes: tuple[ResourceChange, ...]
    counts: Mapping[str, int]
    drift: tuple[ResourceChange, ...] = ()
    outputs: tuple[OutputChange, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    errored: bool = False
    applyable: bool | None = None
    complete: bool | None = None
    timestamp: str | None = None
    notes: tuple[str, ...] = ()
    unchanged_releases: tuple[ReleaseVersion, ...] = ()
    _listed: tuple[ResourceChange, ...] = field(default=(), repr=False, compare=False)

    @property
    def has_changes(self) -> bool:
        """terraform plan -detailed-exitcode semantics: any resource change (moves and imports included)
        or any root output change."""
        return bool(self._listed) or any(o.action != "no-op" for o in self.outputs)

    @property
    def listed(self) -> tuple[ResourceChange, ...]:
        """The changes worth listing: every resource change except plain no-ops."""
        return self._listed

    @property
    def destructive(self) -> tuple[ResourceChange, ...]:
        return tuple(c for c in self._listed if c.destructive)

    @property
    def helm_releases(self) -> tuple[ResourceChange, ...]:
        return tuple(c for c in self._listed if c.helm is not None)

    @property
    def namespaces(self) -> tuple[ResourceChange, ...]:
        return tuple(c for c in self._listed if c.namespace is not None and c.namespace.labels)

    @property
    def moves(self) -> tuple[ResourceChange, ...]:
        return tuple(c for c in self.changes if c.moved)

    @property
    def output_changes(self) -> tuple[OutputChange, ...]:
        return tuple(o for o in self.outputs if o.action != "no-op")


@dataclass
class PlanHeader:
    """Where a plan comes from; every field is optional (a plan JSON made elsewhere knows little)."""

    environment: str | None = None
    profile: str | None = None
    workspace: str | None = None
    terraform_version: str | None = None
    plan_file: str | None = None
    created_at: datetime | None = None
