"""Objects before and after from the real Helm: inputs read from a plan's helm_release sides, the archive
found by its digest (charts/ or the store), and values generated at install kept out of the changes."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from k8sprov.charts.store import find, keep
from k8sprov.helm import resolve
from k8sprov.planview import PlanHeader, summarize, to_json, to_markdown
from k8sprov.rendering.plan_objects import render_plan_objects, settle_generated
from tests.charts import builders

SECRET = (b"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}-key\n"
          b"data:\n  key: {{ randAlphaNum 24 | b64enc | quote }}\n"
          b"  token: {{ .Values.token | b64enc | quote }}\n")
CONFIG = (b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-settings\n"
          b"  labels:\n    helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}\n"
          b"  annotations:\n    rendered-at: {{ now | date \"2006-01-02T15:04:05.000000000\" | quote }}\n"
          b"data:\n  level: {{ .Values.level | quote }}\n")


def _chart(folder: Path, version: str) -> tuple[Path, str]:
    members = [*builders.chart_members("demo", version, 100),
               builders.Member("demo/templates/secret.yaml", SECRET),
               builders.Member("demo/templates/settings.yaml", CONFIG)]
    data = builders.tgz(members)
    path = folder / "charts" / f"demo-{version}.tgz"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path, hashlib.sha256(data).hexdigest()


def _side(version: str, sha: str, level: str, token: str) -> dict[str, Any]:
    return {"name": "demo", "namespace": "apps", "chart": f"../charts/demo-{version}.tgz",
            "description": f"demo {version} sha256:{sha}", "version": version,
            "values": [f"level: {level}\n", f"token: {token}\n"], "set": [], "set_sensitive": None}


def _plan(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {"format_version": "1.2", "terraform_version": "1.11.4", "variables": {},
            "resource_changes": [{
                "address": "helm_release.demo", "mode": "managed", "type": "helm_release", "name": "demo",
                "change": {"actions": ["update"], "before": before, "after": after,
                           "before_sensitive": {"values": [False, True]},
                           "after_sensitive": {"values": [False, True]}, "after_unknown": {}}}]}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "terraform").mkdir()
    return tmp_path


def test_a_values_change_shows_and_generated_values_do_not(project: Path, helm_binary: Path) -> None:
    _, sha = _chart(project, "1.0.0")
    plan = _plan(_side("1.0.0", sha, "info", "t0ken-one"), _side("1.0.0", sha, "debug", "t0ken-one"))
    rendered = render_plan_objects(plan, terraform_dir=project / "terraform", state_dir=project / ".k8sprov",
                                   helm=resolve(str(helm_binary)), kube_version="1.31")
    sides = rendered["helm_release.demo"]
    # randAlphaNum (the Secret's key) and `now` (an annotation): two renders of one input differ there
    assert sides.generated == 2
    summary = summarize(plan, rendered=rendered)
    (change,) = summary.changes
    objects = change.helm.objects if change.helm else None
    assert objects is not None and objects.source == "render" and objects.status == "diff"
    assert "2 values generated at install" in (objects.note or "")
    (only,) = objects.objects
    assert only.title == "ConfigMap demo-settings"
    assert [(a.path, a.before, a.after) for a in only.changes] == [("data.level", "info", "debug")]
    header = PlanHeader(environment="e", profile="p", workspace="e", terraform_version="1.11.4")
    shown = json.dumps(to_json(summary, header)) + to_markdown(summary, header, detail=True)
    assert "t0ken-one" not in shown and "demo-settings" in shown


def test_the_archive_before_comes_from_the_store(project: Path, helm_binary: Path) -> None:
    old, old_sha = _chart(project, "1.0.0")
    keep(project / ".k8sprov", old, old_sha)
    old.unlink()  # pruned from charts/ after the pin moved on
    _, new_sha = _chart(project, "1.1.0")
    plan = _plan(_side("1.0.0", old_sha, "info", "x"), _side("1.1.0", new_sha, "info", "x"))
    rendered = render_plan_objects(plan, terraform_dir=project / "terraform", state_dir=project / ".k8sprov",
                                   helm=resolve(str(helm_binary)), kube_version="1.31")
    assert find(project / ".k8sprov", old_sha) is not None
    summary = summarize(plan, rendered=rendered)
    objects = summary.changes[0].helm.objects if summary.changes[0].helm else None
    assert objects is not None and objects.status == "diff", objects
    assert objects.chart_label_objects == 1  # helm.sh/chart demo-1.0.0 -> demo-1.1.0


def test_an_archive_kept_nowhere_is_a_note_not_an_error(project: Path, helm_binary: Path) -> None:
    _, new_sha = _chart(project, "1.1.0")
    plan = _plan(_side("1.0.0", "ab" * 32, "info", "x"), _side("1.1.0", new_sha, "info", "x"))
    rendered = render_plan_objects(plan, terraform_dir=project / "terraform", state_dir=project / ".k8sprov",
                                   helm=resolve(str(helm_binary)), kube_version="1.31")
    note = rendered["helm_release.demo"].note or ""
    assert "sha256:abababababab" in note and "update-charts" in note


def test_settle_generated_copies_only_what_differs_between_renders() -> None:
    first = {"s": {"data": {"key": "A", "fixed": "F"}, "list": [1, 2]}}
    again = {"s": {"data": {"key": "B", "fixed": "F"}, "list": [1, 3]}}
    before = {"s": {"data": {"key": "OLD", "fixed": "G"}, "list": [1, 9]}}
    assert settle_generated(first, again, before) == 2
    assert before == {"s": {"data": {"key": "A", "fixed": "G"}, "list": [1, 2]}}


def test_the_side_being_installed_comes_from_the_render_cache(project: Path, helm_binary: Path) -> None:
    """plan's render check has just rendered what the plan installs: the objects view reuses it, and
    renders again only what it must (here: nothing, for a create)."""
    from k8sprov.helm import HelmBinary
    from k8sprov.rendering.pipeline import RenderCache, Rendered, release_key
    from k8sprov.rendering.plan_objects import side_inputs
    from k8sprov.rendering.release import render_manifest

    _, sha = _chart(project, "1.0.0")
    after = _side("1.0.0", sha, "info", "x")
    plan = {**_plan(after, after), "resource_changes": [{
        **_plan(after, after)["resource_changes"][0],
        "change": {"actions": ["create"], "before": None, "after": after, "after_unknown": {}}}]}
    log = project / "helm.log"
    wrapper = project / "helm"
    wrapper.write_text(f'#!/bin/sh\necho "$1" >> {log}\nexec {helm_binary} "$@"\n')
    wrapper.chmod(0o755)
    helm = HelmBinary(path=str(wrapper), version="3.17.3")
    cache = RenderCache(project / ".k8sprov" / "cache" / "render")
    inputs = side_inputs(after, terraform_dir=project / "terraform", kube_version="1.31", api_versions=(),
                         archive_for=lambda path, _sha: path)
    assert not isinstance(inputs, str) and inputs.chart == "demo" and inputs.version == "1.0.0"
    manifest, render = render_manifest(helm, inputs)
    cache.store(Rendered(render, manifest, release_key(inputs, helm.version), (), cached=False))
    log.unlink()

    rendered = render_plan_objects(plan, terraform_dir=project / "terraform", state_dir=project / ".k8sprov",
                                   helm=helm, kube_version="1.31", cache=cache)
    assert rendered["helm_release.demo"].after is not None
    assert not log.exists()  # no helm run: the cached render served
