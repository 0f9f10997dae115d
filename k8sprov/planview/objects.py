"""The Kubernetes objects inside a helm_release change: added, removed and changed, field by field.

The helm provider's manifest experiment (`provider "helm" { experiments = { manifest = true } }`) puts the
release's objects in the plan, in one of two shapes:

- `manifest`: a JSON string, an object keyed `[<namespace>/]<lowercase kind[.group]>/<apiVersion>/<name>`
  whose values are the rendered objects (the namespace prefix only when the object sets one);
- `resources` (provider 3.1+): a map keyed `<kind[.group]>/<version>/<namespace>/<name>` whose values are
  JSON strings of the objects as the API server would store them (server-side dry run).

Objects are matched by kind, group, namespace and name, never by key: an apiVersion bump of the same
object is a change, not a remove and an add. Field changes come from the same walker as attribute diffs
(`diff.walk`), so known secrets are masked the same way. Pure: no I/O, no rich.

Noise is split off at the source, so every renderer groups it the same way: chart labels
(`helm.sh/chart`, `app.kubernetes.io/version`) and `checksum/*` annotations change with every chart bump
and are kept apart from an object's own changes (`chart_metadata`). A Secret's `data` and `stringData`
values never leave this module: only which keys were added, removed or changed (as `Mark.SENSITIVE`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from k8sprov.planview.diff import ABSENT, join_path, walk
from k8sprov.planview.mask import Secrets, sub_mark
from k8sprov.planview.model import (
    CHART_LABEL_PATHS,
    CHECKSUM_PATHS,
    POD_TEMPLATES,
    AttrChange,
    Mark,
    ObjectChange,
    ReleaseObjects,
)

# Secret fields whose values are never shown (the provider hashes `data`, but leaves `stringData` clear).
_SECRET_FIELDS = ("data", "stringData", "binaryData")
# kubectl's copy of the last applied object: for a Secret it holds the data in clear.
_LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
# Lists that Kubernetes merges by a key (x-kubernetes-list-type: map), the same set the helm provider keys
# in newer releases: diffing them by key keeps an inserted env var from shifting every later entry.
_POD_LIST_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "volumes": "name",
    "imagePullSecrets": "name",
    "hostAliases": "ip",
}
_CONTAINER_LIST_KEYS = {
    "env": "name",
    "ports": "name",
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
}
_ORDER = {"delete": 0, "create": 1, "update": 2}


class _Invalid:
    def __init__(self, why: str) -> None:
        self.why = why


_Identity = tuple[str, str, str, str]  # group, kind, namespace, name


def _split_api_version(api_version: Any) -> tuple[str, str]:
    if not isinstance(api_version, str):
        return "", ""
    group, _, version = api_version.rpartition("/")
    return group, version


def _from_key(key: str, source: str) -> tuple[str, str, str, str, str]:
    """(kind, group, version, namespace, name) from a key alone, for an object that lacks them."""
    parts = key.split("/")
    if source == "resources" and len(parts) >= 4:
        kind_group, version, namespace, name = parts[0], parts[1], parts[2], "/".join(parts[3:])
    else:
        name = parts[-1]
        namespace = parts[0] if len(parts) >= 4 and "." not in parts[0] else ""
        kind_group = parts[1] if namespace else parts[0]
        version = parts[-2] if len(parts) >= 3 else ""
    kind, _, group = kind_group.partition(".")
    return kind, group, version, namespace, name


class _Entry:
    __slots__ = ("group", "key", "kind", "name", "namespace", "obj", "raw", "version")

    def __init__(self, key: str, raw: Any, obj: Any, source: str) -> None:
        self.key = key
        self.raw = raw  # the JSON text (resources) or the parsed object (manifest): compared first
        self.obj = obj
        meta = obj.get("metadata") if isinstance(obj, dict) else None
        meta = meta if isinstance(meta, dict) else {}
        kind = obj.get("kind") if isinstance(obj, dict) else None
        group, version = _split_api_version(obj.get("apiVersion") if isinstance(obj, dict) else None)
        name, namespace = meta.get("name"), meta.get("namespace")
        # The key says the same as the object (the provider builds it from it): a fallback only. For
        # `resources` it also carries the namespace the object really lives in.
        k_kind, k_group, k_version, k_ns, k_name = _from_key(key, source)
        kind = kind if isinstance(kind, str) and kind else k_kind
        name = name if isinstance(name, str) and name else k_name
        if not version:
            group, version = k_group, k_version
        if not isinstance(namespace, str) or not namespace:
            namespace = k_ns
        self.kind, self.group, self.version = kind, group, version
        self.namespace, self.name = namespace, name

    @property
    def identity(self) -> _Identity:
        return (self.group, self.kind, self.namespace, self.name)

    def change(self, action: str, **extra: Any) -> ObjectChange:
        return ObjectChange(
            kind=self.kind,
            group=self.group,
            version=self.version,
            namespace=self.namespace or None,
            name=self.name,
            action=action,
            **extra,
        )


def _parse_side(value: Any, source: str) -> dict[_Identity, _Entry] | _Invalid | None:
    """Objects by identity; None when the side holds nothing."""
    if source == "manifest":
        if not isinstance(value, str) or not value.strip():
            return None
        try:
            doc = json.loads(value)
        except ValueError:
            return _Invalid("the manifest is not valid JSON")
        if not isinstance(doc, dict):
            return _Invalid("the manifest is not a JSON object")
        items: list[tuple[str, Any, Any]] = [(str(k), v, v) for k, v in doc.items()]
    else:
        if not isinstance(value, Mapping) or not value:
            return None
        items = []
        for key, text in value.items():
            if not isinstance(text, str):
                continue
            try:
                items.append((str(key), text, json.loads(text)))
            except ValueError:
                return _Invalid(f"resources[{key!r}] is not valid JSON")
    out: dict[_Identity, _Entry] = {}
    for key, raw, obj in items:
        if not isinstance(obj, dict):
            continue
        entry = _Entry(key, raw, obj, source)
        out[entry.identity] = entry
    return out


def _by_key(items: Any, key: str) -> Any:
    """A list of objects with unique non-empty `key` values as a dict keyed by them; anything else as is."""
    if type(items) is not list or not items:
        return items
    keyed: dict[str, Any] = {}
    for item in items:
        if type(item) is not dict:
            return items
        ident = item.get(key)
        if type(ident) is not str or not ident or ident in keyed:
            return items
        keyed[ident] = item
    return keyed


def _key_pod_spec(spec: Any) -> None:
    if type(spec) is not dict:
        return
    for field, key in _POD_LIST_KEYS.items():
        if field in spec:
            spec[field] = _by_key(spec[field], key)
    for field in ("containers", "initContainers", "ephemeralContainers"):
        containers: Any = spec.get(field)
        if type(containers) is dict:
            containers = list(containers.values())
        if type(containers) is not list:
            continue
        for container in containers:
            if type(container) is dict:
                for cfield, key in _CONTAINER_LIST_KEYS.items():
                    if cfield in container:
                        container[cfield] = _by_key(container[cfield], key)


def _dig(obj: Any, *keys: str) -> Any:
    for key in keys:
        if type(obj) is not dict:
            return None
        obj = obj.get(key)
    return obj


def _normalize(obj: dict[str, Any], kind: str) -> None:
    """Key list-maps by name in place (our own parsed copy), so entries are compared by identity."""
    spec = obj.get("spec")
    if type(spec) is not dict:
        return
    if kind == "Pod":
        _key_pod_spec(spec)
    _key_pod_spec(_dig(spec, "template", "spec"))
    _key_pod_spec(_dig(spec, "jobTemplate", "spec", "template", "spec"))
    if kind == "Service" and "ports" in spec:
        spec["ports"] = _by_key(spec["ports"], "name")
    if kind == "CustomResourceDefinition" and "versions" in spec:
        spec["versions"] = _by_key(spec["versions"], "name")


def _secret_changes(before: dict[str, Any], after: dict[str, Any]) -> list[AttrChange]:
    """Which keys of a Secret's data/stringData (and kubectl's last-applied copy) changed; never a value.

    Removes those fields from both (parsed, private) objects so the walker never sees them."""
    out: list[AttrChange] = []
    for field in _SECRET_FIELDS:
        b, a = before.pop(field, None), after.pop(field, None)
        b = b if isinstance(b, dict) else {}
        a = a if isinstance(a, dict) else {}
        for key in sorted(b.keys() | a.keys()):
            if key not in a:
                out.append(AttrChange(join_path(field, key), Mark.SENSITIVE, ABSENT))
            elif key not in b:
                out.append(AttrChange(join_path(field, key), ABSENT, Mark.SENSITIVE))
            elif b[key] != a[key]:
                out.append(AttrChange(join_path(field, key), Mark.SENSITIVE, Mark.SENSITIVE))
    b_ann, a_ann = _dig(before, "metadata", "annotations"), _dig(after, "metadata", "annotations")
    b_last = b_ann.pop(_LAST_APPLIED, None) if type(b_ann) is dict else None
    a_last = a_ann.pop(_LAST_APPLIED, None) if type(a_ann) is dict else None
    if b_last != a_last:
        out.append(
            AttrChange(
                f'metadata.annotations["{_LAST_APPLIED}"]',
                ABSENT if b_last is None else Mark.SENSITIVE,
                ABSENT if a_last is None else Mark.SENSITIVE,
            )
        )
    return out


def _mask_all(changes: list[AttrChange]) -> list[AttrChange]:
    """A side marked sensitive as a whole: keep the paths, hide every value."""
    return [
        AttrChange(
            c.path,
            c.before if c.before is ABSENT else Mark.SENSITIVE,
            c.after if c.after in (ABSENT, Mark.UNKNOWN) else Mark.SENSITIVE,
        )
        for c in changes
    ]


def _is_schema_path(path: str) -> bool:
    return path.startswith(("spec.versions", "spec.validation")) and (
        ".schema." in path or path.endswith(".schema") or path.startswith("spec.validation")
    )


def _diff_object(b: _Entry, a: _Entry, secrets: Secrets, masked_whole: bool) -> ObjectChange | None:
    before, after = b.obj, a.obj
    if not isinstance(before, dict) or not isinstance(after, dict):
        return None
    # Rewritten in place: both sides were parsed by this summary, each object is diffed once.
    found: list[AttrChange] = []
    if a.kind == "Secret" and a.group == "":
        found.extend(_secret_changes(before, after))
    _normalize(before, b.kind)
    _normalize(after, a.kind)
    walk(before, after, None, None, None, secrets, "", found)
    if masked_whole:
        found = _mask_all(found)
    if not found:
        return None
    own: list[AttrChange] = []
    chart: list[AttrChange] = []
    rolls = False
    schema = 0
    for c in found:
        path = c.path
        if path in CHART_LABEL_PATHS or path.startswith(CHECKSUM_PATHS):
            chart.append(c)
        else:
            own.append(c)
        if path.startswith(POD_TEMPLATES):
            rolls = True
        if _is_schema_path(path):
            schema += 1
    return a.change(
        "update",
        changes=tuple(own),
        chart_metadata=tuple(chart),
        version_before=b.version if b.version != a.version else None,
        rolls=rolls,
        schema_paths=schema if a.kind == "CustomResourceDefinition" else 0,
    )


def _sort_key(o: ObjectChange) -> tuple[Any, ...]:
    return (_ORDER.get(o.action, 3), o.kind, o.group, o.namespace or "", o.name)


def _masked(mark: Any, entry: _Entry, source: str) -> bool:
    """Whether an object's side is marked sensitive: the whole attribute, or (resources) its own key."""
    if mark is True:
        return True
    return source == "resources" and sub_mark(mark, entry.key) is True


def release_objects(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    bs: Any,
    as_: Any,
    unk: Any,
    action: str,
    secrets: Secrets,
    *,
    expect_objects: bool = False,
) -> ReleaseObjects | None:
    """The objects of one helm_release change, or None when the plan carries none (experiment off).

    `before`/`after` are the release's attribute maps; `bs`/`as_`/`unk` its sensitive and unknown marks.
    `expect_objects`: the experiment is known to be on (the stack's variable says so), so a manifest that
    is unknown on a create means "known after apply" rather than "experiment off"."""
    source = "manifest" if (before.get("manifest") or after.get("manifest")) else None
    if source is None and (before.get("resources") or after.get("resources")):
        source = "resources"
    unknown = action != "delete" and (
        sub_mark(unk, source or "manifest") is True
        or (source is None and sub_mark(unk, "resources") is True)
    )
    if unknown:
        # With the experiment off the provider may still mark the computed `manifest` unknown: only a
        # state that held objects, or the stack's own switch, makes "known after apply" true.
        if before.get(source or "manifest") or expect_objects:
            return ReleaseObjects("unknown", source or "manifest", note="objects known after apply")
        return None
    if source is None:
        return None
    b_mark, a_mark = sub_mark(bs, source), sub_mark(as_, source)
    if action not in ("create", "delete") and before.get(source) == after.get(source):
        return ReleaseObjects("diff", source, total=None)  # same objects: no need to read them
    b_side = _parse_side(before.get(source), source) if action != "create" else None
    a_side = _parse_side(after.get(source), source) if action != "delete" else None
    for side, label in ((b_side, "before"), (a_side, "after")):
        if isinstance(side, _Invalid):
            return ReleaseObjects("invalid", source, note=f"{label}: {side.why}; objects not compared")
    assert not isinstance(b_side, _Invalid) and not isinstance(a_side, _Invalid)
    if a_side is not None and b_side is None:
        if action == "create" or not before:
            objs = tuple(sorted((e.change("create") for e in a_side.values()), key=_sort_key))
            return ReleaseObjects("create", source, objs, total=len(objs))
        return ReleaseObjects(
            "no-prior",
            source,
            total=len(a_side),
            note=f"the state holds no objects yet ({len(a_side):,} after this apply); "
            "compared from the next plan on",
        )
    if b_side is not None and a_side is None:
        if action == "delete":
            objs = tuple(sorted((e.change("delete") for e in b_side.values()), key=_sort_key))
            return ReleaseObjects("delete", source, objs, total=len(objs))
        return None
    if a_side is None or b_side is None:
        return None
    changed: list[ObjectChange] = []
    for ident, a in a_side.items():
        b = b_side.get(ident)
        if b is None:
            changed.append(a.change("create"))
        elif b.raw != a.raw:
            masked = _masked(b_mark, b, source) or _masked(a_mark, a, source)
            diff = _diff_object(b, a, secrets, masked)
            if diff is not None:
                changed.append(diff)
    for ident, b in b_side.items():
        if ident not in a_side:
            changed.append(b.change("delete"))
    changed.sort(key=_sort_key)
    return ReleaseObjects("diff", source, tuple(changed), total=len(a_side))
