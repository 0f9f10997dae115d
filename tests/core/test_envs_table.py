"""`k8sprov envs` on an 80-column terminal: nothing is cut with "…"; the var file column, which only
repeats each environment's name, gives way to the connection."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

LONG = "production-eu-west-1"


@pytest.fixture
def long_names(project: Path) -> Path:
    (project / "infra" / "envs" / f"{LONG}.tfvars").write_text(
        'environment = "production"\nitems = {\n  p = "1"\n}\n'
        'kubeconfig = {\n  context = "arn-aws-eks-eu-west-1-123456789012-cluster-platform"\n}\n')
    return project


def test_envs_fits_80_columns_without_cutting_a_var_file(long_names: Path, cli,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    table = cli("-C", str(long_names), "envs")
    assert table.exit_code == 0, table.output
    out = table.stdout
    assert "…" not in out
    assert max(len(line.rstrip()) for line in out.splitlines()) <= 80
    assert re.search(rf"^ {LONG}\s+production\s+arn-aws", out, re.MULTILINE), out
    assert re.search(r"^ environment\s+profile\s+connection\s+backend\s+saved", out, re.MULTILINE), out
    assert out.rstrip().splitlines()[-1].strip() == "var files: infra/envs/<environment>.tfvars"
    lines = out.splitlines()
    start, end = lines[0].index("connection"), lines[0].index("backend")
    row = next(i for i, line in enumerate(lines) if line.startswith(f" {LONG}"))
    column = "".join(line[start:end].replace(" ", "") for line in lines[row:-1])  # the cell folds, whole
    assert column == "arn-aws-eks-eu-west-1-123456789012-cluster-platform(notinthekubeconfig)"

    monkeypatch.setenv("COLUMNS", "200")
    wide = cli("-C", str(long_names), "envs").stdout
    assert f"infra/envs/{LONG}.tfvars" in wide and "var files:" not in wide
