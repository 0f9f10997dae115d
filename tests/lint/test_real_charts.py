"""Lint on the real chart archives (tests/fixtures/real-charts): free-form maps the templates pass on whole
(labels, annotations, node selectors, tolerations, env lists) are settled by one real Helm render with
sentinel values and raise nothing; typos still do."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REAL_CHARTS
from tests.kit.values import deep_merge

REPO = Path(__file__).resolve().parents[2]

FREE_FORM = {
    "argo-cd": ("server:\n  podLabels:\n    team: platform\n"
                "  podAnnotations:\n    example.com/owner: platform\n"
                "controller:\n  nodeSelector:\n    kubernetes.io/os: linux\n  tolerations:\n"
                "    - {key: dedicated, operator: Equal, value: platform, effect: NoSchedule}\n"
                "  env:\n    - {name: ARGOCD_LOG_LEVEL, value: debug}\n"),
    "kyverno": ("admissionController:\n  podLabels:\n    team: platform\n  podAnnotations:\n"
                "    example.com/owner: platform\n  nodeSelector:\n    kubernetes.io/os: linux\n"),
}
TYPOS = {"argo-cd": "repoServer:\n  replicsa: 2\n  podLabelz:\n    team: platform\n"}


def _add(values: Path, extra: str) -> None:
    """Merge `extra` into a values file (appending would give a top-level key twice)."""
    data = yaml.safe_load(values.read_text()) or {}
    deep_merge(data, yaml.safe_load(extra))
    values.write_text(yaml.safe_dump(data, sort_keys=False))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(REPO / "terraform", root / "terraform",
                    ignore=shutil.ignore_patterns(".terraform", "*.tfstate*", "terraform.tfstate.d"))
    shutil.copytree(REPO / "infra", root / "infra")
    (root / "charts").mkdir()
    for archive in REAL_CHARTS.glob("*/*.tgz"):
        shutil.copyfile(archive, root / "charts" / archive.name)
    for chart, extra in FREE_FORM.items():
        _add(root / "infra" / "values" / chart / "basic.yaml", extra)
    return root


def _lint(cli: Any, project: Path, *helm: str) -> tuple[int, list[dict[str, Any]]]:
    result = cli(*helm, "-C", str(project), "lint", "--env", "basic", "--json")
    return result.exit_code, json.loads(result.stdout)["findings"]


def test_free_form_maps_of_the_real_charts_raise_nothing(cli: Any, project: Path, helm_binary: Path) -> None:
    code, findings = _lint(cli, project, "--helm", str(helm_binary))
    assert (code, findings) == (0, [])


def test_without_helm_they_stay_unsure(cli: Any, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    code, findings = _lint(cli, project)
    assert code == 0
    unsure = {f["path"] for f in findings}
    assert unsure == {"server.podLabels.team", 'server.podAnnotations."example.com/owner"'}


def test_typos_still_raise_findings(cli: Any, project: Path, helm_binary: Path) -> None:
    values = project / "infra" / "values" / "argo-cd" / "basic.yaml"
    _add(values, TYPOS["argo-cd"])
    code, findings = _lint(cli, project, "--helm", str(helm_binary))
    by_path = {f["path"]: f for f in findings}
    assert code == 1
    assert by_path["repoServer.replicsa"]["severity"] == "error"
    assert by_path["repoServer.replicsa"]["suggestion"] == "replicas"
    # A map the chart does not have: nothing reaches the output, so the warning stays.
    assert by_path["repoServer.podLabelz"]["suggestion"] == "podLabels"
    assert set(by_path) == {"repoServer.replicsa", "repoServer.podLabelz"}


def test_settle_keeps_a_warning_whose_sentinel_reaches_nothing() -> None:
    from k8sprov.lint.model import Finding, Severity
    from k8sprov.lint.sentinel import settle

    used = Finding(Severity.WARNING, "v.yaml", 3, "a.labels.team", "?", unsure_key=("a", "labels", "team"))
    typo = Finding(Severity.WARNING, "v.yaml", 5, "a.lables.team", "?", unsure_key=("a", "lables", "team"))
    numbers = Finding(Severity.WARNING, "v.yaml", 7, "a.n", "unsure", unsure_key=("a", "n"))
    data = {"a": {"labels": {"team": "x"}, "lables": {"team": "y"}, "n": 3}}
    seen: list[str] = []

    def render(values: str) -> str:
        seen.append(values)
        marked = yaml.safe_load(values)
        return f"labels: {marked['a']['labels']['team']}\n"  # the chart reads `labels` only

    assert settle([used, typo, numbers], data, render) == [typo, numbers]
    assert data["a"]["labels"]["team"] == "x"  # the caller's values are untouched
    assert settle([used], data, lambda _: None) == [used]  # a failed render settles nothing
