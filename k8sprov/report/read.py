"""Finding and reading plan summaries, one file at a time, keeping only what the report shows.

A file is a summary when it is what `k8sprov plan --json` writes (format 1.x: `environment`, `counts`,
`changes`, or the record of a failed plan with `status: "failed"`), a drift summary (the same format with
`"kind": "drift"`), or the document of `k8sprov plan --all --json` (`environments`: one entry each, counts
and status only). Folders are searched recursively for `*.json`: other JSON there is skipped with a note;
a file named on the command line must be a summary.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from k8sprov.errors import UsageError
from k8sprov.masking import mask
from k8sprov.report.model import CHANGES, FAILED, LIST_CAP, NO_CHANGES, EnvEntry, FleetReport, Skipped

# plan --all's statuses that mean the plan did not finish
_FLEET_FAILED = frozenset({"failed", "interrupted", "cancelled"})
_NAMESPACE_TYPES = ("kubernetes_namespace", "kubernetes_namespace_v1")
_HINT = "pass the files k8sprov plan --env E --json FILE writes"


class NotASummary(Exception):
    """This JSON is not a k8sprov plan summary; the message says what it looks like instead."""


def find_files(paths: Sequence[Path]) -> Iterator[tuple[Path, bool]]:
    """(file, named explicitly) for every PATH: a file as given, a folder's *.json files in sorted order."""
    seen: set[Path] = set()  # `report dir dir/a.json` reads a.json once
    for path in paths:
        if path.is_dir():
            found = [(p, False) for p in sorted(path.rglob("*.json")) if p.is_file()]
        elif path.is_file():
            found = [(path, True)]
        else:
            raise UsageError(f"no such file or folder: {path}", hint=_HINT)
        for file, explicit in found:
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                yield file, explicit


def read_summaries(paths: Sequence[Path]) -> FleetReport:
    """Every summary under `paths` digested into one EnvEntry per environment, sorted by name."""
    entries: dict[tuple[str, str], EnvEntry] = {}
    skipped: list[Skipped] = []
    for path, explicit in find_files(paths):
        try:
            for entry in _entries(path):
                key = (entry.name, entry.kind)
                if key in entries:
                    raise UsageError(f"two summaries for {entry.title}: {entries[key].source} and {path}",
                                     hint="pass one summary per environment")
                entries[key] = entry
        except NotASummary as why:
            if explicit:
                raise UsageError(f"{path} is not a k8sprov plan summary ({why})", hint=_HINT) from None
            skipped.append(Skipped(str(path), str(why)))
    if not entries:
        where = ", ".join(str(p) for p in paths)
        raise UsageError(f"no k8sprov plan summaries in {where}", hint=_HINT)
    return FleetReport(entries=[entries[k] for k in sorted(entries)], skipped=skipped)


def _entries(path: Path) -> list[EnvEntry]:
    try:
        with path.open("rb") as f:
            doc = json.load(f)
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise NotASummary(f"not JSON: {type(err).__name__}") from None
    if not isinstance(doc, dict):
        raise NotASummary("JSON, but not an object")
    if isinstance(doc.get("environments"), list) and "exit_code" in doc:
        return [_fleet_entry(item, path) for item in doc["environments"] if isinstance(item, dict)]
    version = doc.get("format_version")
    if "resource_changes" in doc or "planned_values" in doc or "prior_state" in doc:
        raise NotASummary("a Terraform plan JSON: k8sprov show --plan FILE --json OUT summarises it")
    if not isinstance(version, str) or "counts" not in doc or "environment" not in doc:
        raise NotASummary("no format_version, environment and counts")
    if not version.startswith("1."):
        raise NotASummary(f"summary format {version}; this k8sprov reads 1.x — upgrade k8sprov")
    return [_summary_entry(doc, path)]


def _name(doc: dict[str, Any], path: Path) -> str:
    name = doc.get("environment") or doc.get("name")
    return str(name) if name else path.stem


def _counts(raw: Any) -> dict[str, int]:
    if not isinstance(raw, dict):
        return {}
    return {str(k): v for k, v in raw.items() if isinstance(v, int) and not isinstance(v, bool)}


def _text(value: Any) -> str | None:
    return None if value is None else mask(str(value))


def _fleet_entry(item: dict[str, Any], path: Path) -> EnvEntry:
    status = str(item.get("status") or "")
    failed = status in _FLEET_FAILED
    return EnvEntry(name=_name(item, path), source=str(path), detailed=False,
                    status=FAILED if failed else (CHANGES if status == CHANGES else NO_CHANGES),
                    error=_text(item.get("error") or (status if failed else None)),
                    counts=_counts(item.get("counts")))


def _summary_entry(doc: dict[str, Any], path: Path) -> EnvEntry:
    plan = doc.get("plan")
    plan = plan if isinstance(plan, dict) else {}
    failed = doc.get("status") == FAILED or bool(plan.get("errored"))
    error = _text(doc.get("error"))
    if failed and error is None:
        errors = [d for d in doc.get("diagnostics") or []
                  if isinstance(d, dict) and d.get("severity") == "error"]
        error = _text(errors[0].get("summary")) if errors else "the plan errored"
    entry = EnvEntry(
        name=_name(doc, path), source=str(path), kind=str(doc.get("kind") or "plan"),
        status=FAILED if failed else (CHANGES if doc.get("has_changes") else NO_CHANGES),
        profile=_text(doc.get("profile")), error=error,
        terraform_version=_text(doc.get("terraform_version")), created_at=_text(doc.get("created_at")),
        counts=_counts(doc.get("counts")),
    )
    for change in doc.get("changes") or []:
        if isinstance(change, dict):
            _add_change(entry, change)
    for release in doc.get("unchanged_releases") or []:  # format 1.2: the releases the plan leaves alone
        if isinstance(release, dict):
            version = _text(release.get("version"))
            _keep(entry, "releases", {
                "name": _text(release.get("name")), "namespace": _text(release.get("namespace")),
                "chart": chart_name(release.get("chart")), "action": "no-op", "version_before": version,
                "version_after": version, "version_changed": False, "values_changed": False,
            })
    for change in doc.get("drift") or []:
        if isinstance(change, dict):
            entry.drift_total += 1
            _keep(entry, "drift", {"address": _text(change.get("address")),
                                   "action": _text(change.get("action"))})
    return entry


def _keep(entry: EnvEntry, name: str, item: dict[str, Any]) -> None:
    items: list[dict[str, Any]] = getattr(entry, name)
    if len(items) < LIST_CAP:
        items.append(item)
    else:
        entry.omitted[name] = entry.omitted.get(name, 0) + 1


def _add_change(entry: EnvEntry, change: dict[str, Any]) -> None:
    action = str(change.get("action") or "")
    actions = change.get("actions") or []
    module = str(change.get("module") or "(root)")
    by_action = entry.modules.get(module)
    if by_action is None:
        if len(entry.modules) >= LIST_CAP:
            entry.omitted["modules"] = entry.omitted.get("modules", 0) + 1
        else:
            by_action = entry.modules[module] = {}
    if by_action is not None:
        by_action[action] = by_action.get(action, 0) + 1
    # destroys an object: delete, or a replacement that deletes (create-then-forget does not)
    if action == "delete" or (action == "replace" and "delete" in actions):
        entry.destructive_total += 1
        _keep(entry, "destructive", {"address": _text(change.get("address")), "action": action,
                                     "reason": _text(change.get("reason"))})
    helm = change.get("helm")
    if isinstance(helm, dict):
        _keep(entry, "releases", {
            "name": _text(helm.get("name")), "namespace": _text(helm.get("namespace")),
            "chart": chart_name(helm.get("chart")), "action": action,
            "version_before": _text(helm.get("version_before")),
            "version_after": _text(helm.get("version_after")),
            "version_changed": bool(helm.get("version_changed")),
            "values_changed": bool(helm.get("values_changed")),
        })
    namespace = change.get("namespace")
    if isinstance(namespace, dict) or change.get("type") in _NAMESPACE_TYPES:
        ns = namespace if isinstance(namespace, dict) else {}
        name = ns.get("name") or change.get("index") or change.get("name")
        _keep(entry, "namespaces", {"name": _text(name), "action": action,
                                    "label_changes": len(ns.get("labels") or [])})


def chart_name(chart: Any) -> str | None:
    """`./../charts/argo-cd-9.7.1.tgz` -> `argo-cd`; `oci://…/kyverno` -> `kyverno`; a name as it is."""
    if chart is None:
        return None
    text = str(chart).rstrip("/").rsplit("/", 1)[-1]
    if text.endswith(".tgz"):
        stem = text[: -len(".tgz")]
        head, sep, tail = stem.rpartition("-")
        # the version is everything after the last "-" that starts a digit run (1.2.3, 1.2.3-rc.1 aside)
        while sep and not tail[:1].isdigit():
            head, sep, tail = head.rpartition("-")
        text = head if sep else stem
    return mask(text)
