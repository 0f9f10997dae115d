"""Chart catalog, per-profile versions, values files and environment files agree with each other."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from k8sprov.hcl import load_hcl
from k8sprov.project import Project
from tests.stack.conftest import MODULE_DIRS, PROFILES, PROJECT
from tests.stack.hclcheck import Module

VERSIONS_TF = MODULE_DIRS["provision_k8s"] / "versions.tf"
CHARTS = ("prometheus-operator-crds", "kyverno", "kyverno-policies", "argo-cd")
SEMVER = re.compile(r"^\d+\.\d+\.\d+$")


@pytest.fixture(scope="module")
def catalog_locals() -> dict[str, Any]:
    """versions.tf read the way k8sprov's chart downloader reads it (k8sprov.hcl.load_hcl)."""
    data = load_hcl(VERSIONS_TF)
    merged: dict[str, Any] = {}
    for block in data.get("locals", []):
        merged.update(block)
    return merged


def _values(chart: str, profile: str) -> dict[str, Any]:
    data = yaml.safe_load((PROJECT / "infra" / "values" / chart / f"{profile}.yaml").read_text())
    assert isinstance(data, dict)
    return data


def _walk(value: Any, path: str = "") -> list[tuple[str, Any]]:
    out = [(path, value)]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _walk(v, f"{path}.{k}" if path else str(k))
    return out


# ---- the versions.tf contract ------------------------------------------------------------------

def test_versions_tf_holds_exactly_the_two_literal_locals(catalog_locals: dict[str, Any]) -> None:
    assert set(catalog_locals) == {"chart_catalog", "chart_versions"}
    text = repr(catalog_locals)
    assert "${" not in text, "chart_catalog/chart_versions must be literals (no functions or references)"


def test_catalog_entries(catalog_locals: dict[str, Any]) -> None:
    catalog = catalog_locals["chart_catalog"]
    assert tuple(sorted(catalog, key=lambda c: catalog[c]["order"])) == CHARTS
    assert sorted(entry["order"] for entry in catalog.values()) == [1, 2, 3, 4]
    for name, entry in catalog.items():
        assert set(entry) <= {"repository", "oci", "chart", "namespace", "order", "release_group",
                              "signed_by"}, name
        # a pinned signing key is a full fingerprint (docs/supply-chain.md), never a short key id
        assert re.fullmatch(r"[0-9A-F]{40}", entry.get("signed_by", "0" * 40)), name
        assert entry["repository"].startswith(("https://", "oci://")), name
        assert entry["oci"].startswith("oci://") and entry["oci"].endswith("/" + entry["chart"]), name
        assert entry["chart"] == name
        assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", entry["namespace"]), name
        assert isinstance(entry["order"], int)


def test_every_profile_pins_every_chart(catalog_locals: dict[str, Any]) -> None:
    versions = catalog_locals["chart_versions"]
    assert set(versions) == set(PROFILES)
    for profile, pins in versions.items():
        assert set(pins) == set(catalog_locals["chart_catalog"]), profile
        for chart, version in pins.items():
            assert SEMVER.match(version), f"{profile}/{chart}: {version!r} is not an exact version"
        assert pins["kyverno"] == pins["kyverno-policies"], f"{profile}: kyverno charts move in lockstep"


def test_production_lags_at_most_one_release(catalog_locals: dict[str, Any]) -> None:
    """DESIGN.md: basic/staging on current stable, production may lag one release behind."""
    known = {  # newest first, from DESIGN.md's chart table
        "prometheus-operator-crds": ["31.0.1", "30.0.1", "29.0.0"],
        "kyverno": ["3.9.0", "3.8.2", "3.7.2"],
        "kyverno-policies": ["3.9.0", "3.8.2"],
        "argo-cd": ["10.1.1", "9.7.1", "9.5.22"],
    }
    versions = catalog_locals["chart_versions"]
    for chart, releases in known.items():
        assert versions["basic"][chart] == releases[0]
        assert versions["staging"][chart] == releases[0]
        assert versions["production"][chart] in releases[:2]


# ---- values files ------------------------------------------------------------------------------

def test_every_pinned_chart_has_a_values_file_per_profile(catalog_locals: dict[str, Any]) -> None:
    values_dir = PROJECT / "infra" / "values"
    for chart in catalog_locals["chart_catalog"]:
        for profile in PROFILES:
            path = values_dir / chart / f"{profile}.yaml"
            assert path.is_file(), f"missing {path.relative_to(PROJECT)}"
            assert isinstance(yaml.safe_load(path.read_text()), dict), f"{path} is not a YAML mapping"
    present = {p.parent.name for p in values_dir.glob("*/*.yaml")}
    assert present == set(catalog_locals["chart_catalog"]), "values for a chart not in the catalog"
    assert {p.stem for p in values_dir.glob("*/*.yaml")} == set(PROFILES)


def test_basic_profile_runs_single_replicas_and_audits() -> None:
    kyverno = _values("kyverno", "basic")
    controllers = ("admissionController", "backgroundController", "cleanupController", "reportsController")
    for controller in controllers:
        assert kyverno[controller]["replicas"] == 1
    argo = _values("argo-cd", "basic")
    assert argo["redis-ha"]["enabled"] is False
    for component in ("controller", "server", "repoServer", "applicationSet"):
        assert argo[component]["replicas"] == 1
    assert _values("kyverno-policies", "basic")["validationFailureAction"] == "Audit"


def test_staging_is_production_shaped_but_audits() -> None:
    assert _values("kyverno", "staging")["admissionController"]["replicas"] == 3
    assert _values("argo-cd", "staging")["server"]["replicas"] >= 2
    policies = _values("kyverno-policies", "staging")
    assert policies["validationFailureAction"] == "Audit"
    assert policies["failurePolicy"] == _values("kyverno-policies", "production")["failurePolicy"]


def test_production_is_highly_available_and_enforces() -> None:
    argo = _values("argo-cd", "production")
    assert argo["redis-ha"]["enabled"] is True
    assert argo["server"]["replicas"] >= 2 and argo["repoServer"]["replicas"] >= 2
    assert _values("kyverno", "production")["admissionController"]["replicas"] == 3
    assert _values("kyverno-policies", "production")["validationFailureAction"] == "Enforce"


@pytest.mark.parametrize("chart", ["kyverno", "argo-cd"])
def test_production_sets_requests_and_limits_everywhere(chart: str) -> None:
    resources = [(path, v) for path, v in _walk(_values(chart, "production")) if path.endswith("resources")]
    assert len(resources) >= 4
    for path, spec in resources:
        for kind in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(spec.get(kind, {})), f"{chart}: {path}.{kind}: cpu and memory"


def test_policies_pin_the_policy_type() -> None:
    """kyverno-policies 3.9 defaults to ValidatingPolicy, 3.8 to ClusterPolicy: never rely on the default."""
    for profile in PROFILES:
        values = _values("kyverno-policies", profile)
        assert values["policyType"] == "ValidatingPolicy"
        assert "kube-system" in values["vpolExclude"]["excludeNamespaces"]


def test_crd_annotations_keep_crds() -> None:
    for profile in PROFILES:
        for chart in ("prometheus-operator-crds", "kyverno"):
            assert _values(chart, profile)["crds"]["annotations"]["helm.sh/resource-policy"] == "keep"
        assert _values("argo-cd", profile)["crds"]["keep"] is True


# ---- environment files -------------------------------------------------------------------------

def test_every_environment_names_a_valid_profile() -> None:
    project = Project(PROJECT)
    envs = project.environments()  # the CLI's own reader
    assert {env.name for env in envs} >= set(PROFILES)
    for env in envs:
        assert env.profile in PROFILES
        assert env.backend_file is None, "no active backend file is shipped; see infra/backends/*.example"


def test_environment_files_set_only_root_variables(modules: dict[str, Module]) -> None:
    declared = modules["root"].variables()
    for path in sorted((PROJECT / "infra" / "envs").glob("*.tfvars")):
        values = load_hcl(path)
        assert set(values) <= set(declared), f"{path.name}: {set(values) - set(declared)} not declared"
        assert values.get("environment_name", path.stem) == path.stem
        has_kubeconfig, has_talos = "kubeconfig" in values, "talos" in values
        assert has_kubeconfig != has_talos, f"{path.name}: set exactly one of kubeconfig or talos"


def test_backend_example_is_not_an_active_backend_file() -> None:
    backends = PROJECT / "infra" / "backends"
    assert not list(backends.glob("*.hcl"))
    example = backends / "production.hcl.example"
    text = example.read_text()
    assert 'backend "pg"' in text and "schema_name" in text and "conn_str" in text
    assert "password" not in re.sub(r"#.*", "", text).lower(), "no password in the example's settings"


def test_install_order_matches_catalog_order(catalog_locals: dict[str, Any],
                                             modules: dict[str, Module]) -> None:
    """provision.tf's depends_on chain installs charts in catalog order; argo-cd needs only the CRDs."""
    catalog = catalog_locals["chart_catalog"]
    calls = modules["provision_k8s"].modules()
    chart_of = {name: body["name"] for name, body in calls.items()}
    assert set(chart_of.values()) == set(catalog)
    deps: dict[str, set[str]] = {}
    for name, body in calls.items():
        refs = re.findall(r"module\.(\w+)", " ".join(body.get("depends_on", [])))
        deps[chart_of[name]] = {chart_of[r] for r in refs}

    def closure(chart: str) -> set[str]:
        out: set[str] = set()
        for dep in deps[chart]:
            out |= {dep} | closure(dep)
        return out

    for chart, direct in deps.items():
        assert all(catalog[d]["order"] < catalog[chart]["order"] for d in direct), chart
    assert closure("kyverno") == {"prometheus-operator-crds"}
    assert closure("kyverno-policies") == {"prometheus-operator-crds", "kyverno"}
    assert closure("argo-cd") == {"prometheus-operator-crds"}
    assert closure("prometheus-operator-crds") == set()


def test_namespaces_carry_labels_and_pod_security(modules: dict[str, Module]) -> None:
    provision = modules["provision_k8s"]
    (ns,) = [body for _, t, _, body in provision.resources() if t == "kubernetes_namespace_v1"]
    labels = ns["metadata"][0]["labels"]
    for needle in ("pod-security.kubernetes.io/enforce", "pod-security.kubernetes.io/warn",
                   "pod-security.kubernetes.io/audit", "local.standard_labels", "var.namespace_labels"):
        assert needle in labels
    standard = provision.locals()["standard_labels"]
    assert {"app.kubernetes.io/managed-by", "k8sprov.io/environment", "k8sprov.io/profile"} <= set(standard)
    psa = provision.locals()["pod_security_enforce"]
    assert set(psa) == {"monitoring", "kyverno", "argocd"}
    assert set(psa.values()) <= {"privileged", "baseline", "restricted"}


def test_values_file_paths_used_by_the_module_exist() -> None:
    """Values files are <values_dir>/<chart>/<profile>.yaml; the default values_dir is ../infra/values."""
    root_main = (PROJECT / "terraform" / "main.tf").read_text()
    assert '"${path.root}/../infra/values"' in root_main and '"${path.root}/../charts"' in root_main
    assert (Path(PROJECT / "terraform") / ".." / "infra" / "values").resolve().is_dir()


def _object_attributes(type_expr: str) -> set[str]:
    """Attribute names of a flat `object({a = ..., b = ...})` type expression."""
    return set(re.findall(r"[{,]\s*([a-z_][a-z0-9_]*)\s*=", type_expr))


def test_environment_files_match_variable_shapes(catalog_locals: dict[str, Any],
                                                 modules: dict[str, Module]) -> None:
    declared = modules["root"].variables()
    kubeconfig_keys = _object_attributes(declared["kubeconfig"]["type"])
    talos_keys = _object_attributes(declared["talos"]["type"])
    assert kubeconfig_keys == {"path", "context"}
    assert {"talosconfig_path", "context", "node", "endpoint"} <= talos_keys
    label_key = re.compile(r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?"
                           r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
    label_value = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")
    for path in sorted((PROJECT / "infra" / "envs").glob("*.tfvars")):
        values = load_hcl(path)
        assert set(values.get("kubeconfig", {})) <= kubeconfig_keys, path.name
        assert set(values.get("talos", {})) <= talos_keys, path.name
        for key, value in values.get("namespace_labels", {}).items():
            assert label_key.match(key) and label_value.match(str(value)), f"{path.name}: label {key}={value}"
        for release, override in values.get("release_overrides", {}).items():
            assert release in catalog_locals["chart_catalog"], f"{path.name}: unknown release {release!r}"
            assert set(override) <= {"timeout", "max_history", "set"}, f"{path.name}: {release}"
