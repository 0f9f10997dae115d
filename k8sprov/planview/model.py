"""The plan summary model: plain dataclasses (treat them as read-only) that hold no secret.

Everything here is already masked: a value marked sensitive in the plan is replaced by `Mark.SENSITIVE`
while the summary is built, so no renderer (rich, JSON, Markdown, a debugger's repr) can leak it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

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
    # The chart's name (`argo-cd`), read from a path like ./../charts/argo-cd-10.1.1.tgz or an OCI URL.
    chart_name: str | None = None
    # Why an update runs when neither version nor values change (the manifest experiment switched on or
    # off): the table alone would show an update with nothing changing.
    update_reason: str | None = None

    @property
    def downgrade(self) -> bool:
        """The chart version moves back (10.1.1 → 10.0.1): worth a mark, rarely what anyone wants."""
        from k8sprov.charts.versions import is_downgrade

        before, after = self.version_before, self.version_after
        return isinstance(before, str) and isinstance(after, str) and is_downgrade(before, after)

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
    # The attribute diff is computed on first use (by the summary's `planview.diff`), because a view
    # shows the attributes of a few changes out of thousands.
    _diff: Callable[[], tuple[AttrChange, ...]] | None = field(default=None, repr=False, compare=False)

    @property
    def attributes(self) -> tuple[AttrChange, ...]:
        """Attribute-level changes, masked; computed once, when first asked for."""
        if self._attributes is None:
            self._attributes = self._diff() if self._diff is not None else ()
            self._diff = None
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
    # The changed leaves of an updated object or list output (`releases["argo-cd"].revision: 1 → 2`),
    # masked like resource attributes; empty when the output is one value or wholly sensitive.
    changes: tuple[AttrChange, ...] = ()


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


# -- the Kubernetes objects inside a helm_release change (computed by planview.objects) -------------

CHART_LABELS = ("helm.sh/chart", "app.kubernetes.io/version")
CHECKSUM_PREFIX = "checksum/"
CRD_GROUP = "apiextensions.k8s.io"
# Where an object's own metadata and its pod templates' metadata sit (workloads, CronJobs).
META_PREFIXES = ("metadata", "spec.template.metadata", "spec.jobTemplate.spec.template.metadata")
POD_TEMPLATES = ("spec.template.", "spec.jobTemplate.spec.template.")
CHART_LABEL_PATHS = frozenset(f'{p}.labels["{label}"]' for p in META_PREFIXES for label in CHART_LABELS)
CHECKSUM_PATHS = tuple(f'{p}.annotations["{CHECKSUM_PREFIX}' for p in META_PREFIXES)


@dataclass(frozen=True, slots=True)
class ObjectChange:
    """One Kubernetes object of a release that is added, removed or changed."""

    kind: str
    group: str  # "" for the core group
    version: str  # the apiVersion's version after the change (before it, for a removal)
    namespace: str | None  # None: cluster-scoped, or not set in the rendered object
    name: str
    action: str  # "create" | "delete" | "update"
    changes: tuple[AttrChange, ...] = ()  # the object's own changes (chart metadata left out)
    chart_metadata: tuple[AttrChange, ...] = ()  # chart labels and checksum/* annotations that changed
    version_before: str | None = None  # set when the apiVersion changes
    rolls: bool = False  # a pod template changes: its pods will be replaced
    schema_paths: int = 0  # CustomResourceDefinition: changed paths under an OpenAPI schema

    @property
    def is_crd(self) -> bool:
        return self.kind == "CustomResourceDefinition" and self.group == CRD_GROUP

    @property
    def title(self) -> str:
        """`Deployment argocd/argocd-server`, `ClusterRole kyverno:admission-controller`."""
        return f"{self.kind} {self.namespace}/{self.name}" if self.namespace else f"{self.kind} {self.name}"

    @property
    def roll_reasons(self) -> tuple[str, ...]:
        """Chart metadata changed in the pod template: `checksum/config`, `chart labels`."""
        reasons: list[str] = []
        for attr in self.chart_metadata:
            if not attr.path.startswith(POD_TEMPLATES):
                continue
            if attr.path in CHART_LABEL_PATHS:
                reason = "chart labels"
            else:
                reason = attr.path[attr.path.index(CHECKSUM_PREFIX) :].rstrip('"]')
            if reason not in reasons:
                reasons.append(reason)
        return tuple(reasons)

    @property
    def rolls_for_chart_metadata_only(self) -> bool:
        return self.rolls and not any(a.path.startswith(POD_TEMPLATES) for a in self.changes)


@dataclass(frozen=True, slots=True)
class ReleaseObjects:
    """The objects of one helm_release change.

    status: "diff" (both sides known: `objects` holds what is added, removed or changed), "create" /
    "delete" (the whole release: every object, without fields), "unknown" (known only after apply),
    "no-prior" (the state holds no objects yet: the experiment was just turned on), "invalid" (a side
    could not be read; `note` says which).
    """

    status: str
    source: str  # "manifest" | "resources" (the provider's) | "render" (Helm's renders of both sides)
    objects: tuple[ObjectChange, ...] = ()
    total: int | None = 0  # objects after the change (before it, for a delete); None: not counted
    note: str | None = None

    def count(self, action: str) -> int:
        return sum(1 for o in self.objects if o.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {a: self.count(a) for a in ("create", "update", "delete")}

    @property
    def listed(self) -> tuple[ObjectChange, ...]:
        """Shown one by one: added, removed, and changed for more than chart metadata."""
        return tuple(o for o in self.objects if o.action != "update" or o.changes)

    @property
    def chart_bumped(self) -> tuple[ObjectChange, ...]:
        """Changed objects whose chart labels or checksum annotations changed (grouped into one line)."""
        return tuple(o for o in self.objects if o.action == "update" and o.chart_metadata)

    @property
    def chart_label_objects(self) -> int:
        return sum(1 for o in self.chart_bumped if any(_is_chart_label(a) for a in o.chart_metadata))

    @property
    def rolling_for_chart_metadata(self) -> tuple[ObjectChange, ...]:
        return tuple(o for o in self.objects if o.action == "update" and o.rolls_for_chart_metadata_only)

    def by_kind(self) -> list[tuple[str, int]]:
        """`[("ConfigMap", 9), ("Deployment", 7)]`: most first, then by kind."""
        tally: dict[str, int] = {}
        for o in self.objects:
            tally[o.kind] = tally.get(o.kind, 0) + 1
        return sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))

    def counts_text(self) -> str:
        """`+2 ~5 -1` (zeros left out; `±0` when nothing changes)."""
        if self.status == "unknown":
            return "known after apply"
        if self.status in ("no-prior", "invalid"):
            return "not compared"
        numbers = (("+", self.count("create")), ("~", self.count("update")), ("-", self.count("delete")))
        parts = [f"{symbol}{n:,}" for symbol, n in numbers if n]
        return " ".join(parts) or "unchanged"

    def chart_line(self) -> str | None:
        """`chart labels bumped on 23 objects; 4 workloads will roll: checksum/config changed`."""
        parts: list[str] = []
        labelled = self.chart_label_objects
        if labelled:
            parts.append(f"chart labels bumped on {labelled:,} object{'s' if labelled != 1 else ''}")
        rolling = self.rolling_for_chart_metadata
        if rolling:
            reasons: list[str] = []
            for o in rolling:
                reasons.extend(r for r in o.roll_reasons if r not in reasons)
            checksums = sorted(r for r in reasons if r != "chart labels")
            shown = checksums + (["chart labels"] if "chart labels" in reasons else [])
            n = len(rolling)
            parts.append(
                f"{n:,} workload{'s' if n != 1 else ''} will roll: {', '.join(shown)} changed"
            )
        else:
            annotated = sum(
                1 for o in self.chart_bumped if not all(_is_chart_label(a) for a in o.chart_metadata)
            )
            if annotated:
                plural = "s" if annotated != 1 else ""
                parts.append(f"checksum annotations changed on {annotated:,} object{plural}")
        return "; ".join(parts) or None


def _is_chart_label(attr: AttrChange) -> bool:
    return attr.path in CHART_LABEL_PATHS
