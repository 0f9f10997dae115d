"""Connection like kubectl: KUBECONFIG's files merged; the context reaching Terraform and the plan record."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from k8sprov import planstore
from k8sprov.connection import Settings, resolve
from k8sprov.errors import ExitCode
from k8sprov.kubeconfig import kubeconfig_paths, merge
from tests.doctor.conftest import kubeconfig
from tests.kit.fetch_terraform import TerraformKit

FIXTURES = Path(__file__).parents[1] / "fixtures"


def _two_files(tmp_path: Path) -> tuple[Path, Path]:
    """The first file has a context but no current-context; only the second has the context `two`."""
    first = kubeconfig(tmp_path / "first.yaml", clusters={"one": {"server": "https://one.example:6443"}},
                       users={"u1": {"token": "t1"}}, contexts={"one": ("one", "u1")})
    second = kubeconfig(tmp_path / "second.yaml",
                        clusters={"two": {"server": "https://two.example:6443"},
                                  "one": {"server": "https://shadowed.example"}},
                        users={"u2": {"token": "t2"}}, contexts={"two": ("two", "u2")}, current="two")
    return first, second


def test_paths_like_kubectl(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "KUBECONFIG": "/a:/b::/a"}
    assert kubeconfig_paths(None, env) == [Path("/a"), Path("/b")]
    assert kubeconfig_paths(None, {"HOME": str(tmp_path)}) == [tmp_path / ".kube" / "config"]
    assert kubeconfig_paths("~/k", env) == [tmp_path / "k"]  # the env file's path wins over KUBECONFIG


def test_merge_first_definition_wins_and_first_current_context(tmp_path: Path) -> None:
    first, second = _two_files(tmp_path)
    merged = merge([first, tmp_path / "absent", second])
    assert merged.current_context == "two"
    assert sorted(merged.contexts) == ["one", "two"]
    assert merged.clusters["one"]["server"] == "https://one.example:6443"
    assert merged.missing == [tmp_path / "absent"]
    conn = resolve(Settings(), {"HOME": str(tmp_path), "KUBECONFIG": f"{first}:{second}"})
    assert (conn.context, conn.server) == ("two", "https://two.example:6443")
    assert conn.describe() == "two @ https://two.example:6443"
    assert "t2" not in json.dumps(conn.record()) + conn.describe()


def test_plan_record_refuses_a_plan_for_another_cluster() -> None:
    record = planstore.PlanRecord(environment="a", profile="basic", terraform_version="1.0.3",
                                  inputs={"connection": {"kubeconfig context": "two"}}, has_changes=True)
    why = planstore.problems(record, environment="a", inputs={"connection": {"kubeconfig context": "one"}},
                             terraform_version="1.0.3")
    assert why == ["it was made for another cluster: kubeconfig context 'two' → 'one'"]


@pytest.fixture
def kube_stack(tmp_path: Path, tf_env: TerraformKit) -> Path:
    """The null-resource stack, declaring the two variables k8sprov sets (as the real root module does)."""
    dest = tmp_path / "proj"
    shutil.copytree(FIXTURES / "nullstack", dest)
    with (dest / "terraform" / "variables.tf").open("a") as fh:
        fh.write('\nvariable "kube_config_paths" {\n  type        = list(string)\n  description = "k8sprov"\n'
                 '  default     = []\n}\n\nvariable "kube_context" {\n  type        = string\n'
                 '  description = "k8sprov"\n  default     = null\n}\n')
    return dest


def test_kubeconfig_list_reaches_terraform_and_the_plan_record(kube_stack: Path, tmp_path: Path, cli,
                                                               tf_env: TerraformKit,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = _two_files(tmp_path)
    monkeypatch.setenv("KUBECONFIG", f"{first}:{second}")
    result = cli("-C", str(kube_stack), "plan", "--env", "a", "--json", "-")
    assert result.exit_code == 0, result.output
    record = json.loads((kube_stack / ".k8sprov/envs/a/plan.json").read_text())
    assert record["inputs"]["connection"] == {"kubeconfig": f"{first}:{second}", "kubeconfig context": "two",
                                              "kubeconfig server": "https://two.example:6443"}
    # What Terraform received: the variables stored in the saved plan.
    from k8sprov.terraform import Terraform, TerraformBinary

    binary = TerraformBinary(path=str(tf_env.terraform), version="1.0.3", flavor="terraform")
    tf = Terraform(binary, working_dir=kube_stack / "terraform",
                   data_dir=kube_stack / ".k8sprov/envs/a/tfdata", workspace="a")
    variables = tf.show_json(kube_stack / ".k8sprov/envs/a/plan.tfplan")["variables"]
    assert variables["kube_config_paths"]["value"] == [str(first), str(second)]
    assert variables["kube_context"]["value"] == "two"
    listed = json.loads(cli("-C", str(kube_stack), "envs", "--json").stdout)["environments"]
    assert {r["name"]: r["connection"] for r in listed}["a"] == "two @ https://two.example:6443"

    # kubectl now points elsewhere: the saved plan is refused before terraform runs.
    monkeypatch.setenv("KUBECONFIG", str(first))
    refused = cli("-C", str(kube_stack), "apply", "--env", "a", "--auto-approve")
    assert refused.exit_code == ExitCode.ERROR
    assert "it was made for another cluster: kubeconfig " in refused.stderr
    assert "kubeconfig context 'two' → '(none)'" in refused.stderr



def test_relative_paths_resolve_where_terraform_and_kubectl_read_them(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    env = {"HOME": "/home/x", "KUBECONFIG": "kc.yaml"}
    assert kubeconfig_paths(None, env) == [tmp_path / "kc.yaml"]  # kubectl: from the current folder
    base = tmp_path / "terraform"
    assert resolve(Settings(kubeconfig_path="../k.yaml"), env, base=base).paths == [base / "../k.yaml"]
    talos = resolve(Settings(talos={"talosconfig_path": "~/t"}), env, base=base)
    assert talos.kind == "talos" and talos.paths == [Path("/home/x/t")]
