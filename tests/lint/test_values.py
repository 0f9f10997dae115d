"""Values files against chart facts: every real pattern of the pinned charts, findings asserted exactly."""

from __future__ import annotations

import json

import pytest

from k8sprov.lint.chartfacts import ChartFacts, ChartReadError, facts_from_archive
from k8sprov.lint.schema import check_schemas
from k8sprov.lint.values import YamlProblem, check_values, parse_values
from tests.lint import charts

Row = tuple[str, int | None, str, str | None]


@pytest.fixture(scope="module")
def facts() -> dict[str, ChartFacts]:
    return {name: facts_from_archive(build("1.0.0")) for name, build in charts.BUILDERS.items()}


def lint(facts: ChartFacts, text: str) -> list[Row]:
    doc = parse_values(text)
    data = doc.data if isinstance(doc.data, dict) else {}
    found = check_values(doc, facts, "v.yaml") + check_schemas(data, doc.lines, facts, "v.yaml")
    return [(str(f.severity), f.line, f.path, f.suggestion) for f in found]


def test_argo_cd_free_form_configs_keep_dotted_keys_whole(facts: dict[str, ChartFacts]) -> None:
    text = """\
configs:
  cm:
    oidc.config: |
      name: SSO
    url: https://argocd.example.com
    dex.config: "connectors: []"
    anything.at.all: x
  params:
    server.insecure: true
    made.up.param: "1"
  rbac:
    policy.csv: "g, admins, role:admin"
    policy.matchMode: glob
  secret:
    extra:
      webhook.github.secret: not-a-real-one
"""
    assert lint(facts["argo-cd"], text) == []


def test_argo_cd_typo_next_to_a_free_form_map_is_an_error(facts: dict[str, ChartFacts]) -> None:
    text = "configs:\n  secret:\n    extraa: {}\n  rbca: {}\n"
    assert lint(facts["argo-cd"], text) == [
        ("error", 3, "configs.secret.extraa", "extra"),
        ("error", 4, "configs.rbca", "rbac"),
    ]


def test_argo_cd_global_node_selector_is_free_form_with_a_default_key(facts: dict[str, ChartFacts]) -> None:
    text = 'global:\n  nodeSelector:\n    node-role.kubernetes.io/infra: ""\n  nodeSelecter: {}\n'
    # global is shared with every subchart: an unknown key there is only "unsure"
    assert lint(facts["argo-cd"], text) == [("warning", 4, "global.nodeSelecter", "nodeSelector")]


def test_argo_cd_empty_existing_volumes_has_fixed_subkeys(facts: dict[str, ChartFacts]) -> None:
    text = "repoServer:\n  existingVolumes:\n    tmp:\n      emptyDir: {}\n    plugins: {}\n    tnp: {}\n"
    assert lint(facts["argo-cd"], text) == [("error", 6, "repoServer.existingVolumes.tnp", "tmp")]


def test_argo_cd_string_literal_mentioning_values_is_not_a_reference(facts: dict[str, ChartFacts]) -> None:
    # required "A valid .Values.configs.repositoryCredentials list is required"
    #          .Values.configs.credentialTemplates
    text = "configs:\n  credentialTemplates: {}\n  repositoryCredentials: {}\n"
    assert lint(facts["argo-cd"], text) == [("error", 3, "configs.repositoryCredentials", None)]


def test_argo_cd_component_passed_to_a_helper_in_a_dict_stays_closed(facts: dict[str, ChartFacts]) -> None:
    text = "server:\n  replica: 2\n  affinity:\n    anything: {}\n"
    assert lint(facts["argo-cd"], text) == [("error", 2, "server.replica", "replicas")]


def test_argo_cd_subchart_values_under_its_name(facts: dict[str, ChartFacts]) -> None:
    text = "redis-ha:\n  enabled: true\n  haproxyy: {}\n  sentinel:\n    resources:\n      limits: {cpu: 1}\n"
    assert lint(facts["argo-cd"], text) == [("error", 3, "redis-ha.haproxyy", "haproxy")]


def test_types_against_the_defaults(facts: dict[str, ChartFacts]) -> None:
    text = """\
repoServer:
  replicas: "2"
server:
  pdb:
    enabled: "true"
    minAvailable: 1
redis-ha:
  haproxy:
    resources: []
controller: []
crds:
  keep: null
"""
    assert lint(facts["argo-cd"], text) == [
        ("error", 2, "repoServer.replicas", None),
        ("error", 5, "server.pdb.enabled", None),
        ("error", 9, "redis-ha.haproxy.resources", None),
        ("error", 10, "controller", None),
    ]


def test_type_messages_say_what_to_write() -> None:
    from k8sprov.lint.values import _type_problem

    assert _type_problem("true", "bool") == (
        "is a string, the chart's default is a bool; write true or false without quotes")
    assert _type_problem({"a": 1}, "list") == "is a mapping, the chart's default is a list"
    assert _type_problem(3, "str") is None  # Helm renders a number where a string was: not a mistake
    assert _type_problem(None, "map") is None  # null removes the default


def test_kyverno_top_level_typo(facts: dict[str, ChartFacts]) -> None:
    assert lint(facts["kyverno"], "admisionController:\n  replicas: 3\n") == [
        ("error", 1, "admisionController", "admissionController")]


def test_kyverno_extra_args_are_free_form(facts: dict[str, ChartFacts]) -> None:
    text = ("admissionController:\n  container:\n    extraArgs:\n      clientRateLimitQPS: 100\n"
            "      anyFlagAtAll: true\n    extraArg: {}\n")
    assert lint(facts["kyverno"], text) == [
        ("error", 6, "admissionController.container.extraArg", "extraArgs")]


def test_kyverno_features_override_is_checked_against_features(facts: dict[str, ChartFacts]) -> None:
    text = """\
admissionController:
  featuresOverride:
    admissionReports:
      enabled: false
    admisionReports: {}
    logging:
      formatt: json
backgroundController:
  featuresOverride:
    reports:
      chunkSize: "10"
"""
    assert lint(facts["kyverno"], text) == [
        ("error", 5, "admissionController.featuresOverride.admisionReports", "admissionReports"),
        ("error", 7, "admissionController.featuresOverride.logging.formatt", "format"),
        ("error", 11, "backgroundController.featuresOverride.reports.chunkSize", None),
    ]


def test_kyverno_subchart_schema_only_when_enabled(facts: dict[str, ChartFacts]) -> None:
    # disabled by default: Helm does not validate it, nor does lint
    assert lint(facts["kyverno"], "openreports:\n  replicas: 0\n") == []
    assert lint(facts["kyverno"], "openreports:\n  enabled: true\n  replicas: 0\n") == [
        ("error", 3, "openreports.replicas", None)]
    assert lint(facts["kyverno"], "openreports:\n  enabled: true\n  installCrds: null\n") == [
        ("error", 1, "openreports", None)]  # null deletes the default: the schema's `required` fails


def test_kyverno_policies_policy_exclude_keyed_by_policy_name(facts: dict[str, ChartFacts]) -> None:
    text = """\
policyExclude:
  disallow-capabilities:
    any:
      - resources:
          namespaces: [kube-system]
  disalow-capabilities: {}
validationFailureActon: Enforce
background: "false"
"""
    assert lint(facts["kyverno-policies"], text) == [
        ("error", 6, "policyExclude.disalow-capabilities", "disallow-capabilities"),
        ("error", 7, "validationFailureActon", "validationFailureAction"),
        ("error", 8, "background", None),
    ]


def test_prometheus_operator_crds_subchart_reads_crd_switches(facts: dict[str, ChartFacts]) -> None:
    text = """\
crds:
  annotations:
    helm.sh/resource-policy: keep
  podmonitor:
    enabled: false
  servicemonitors:
    enabled: false
"""
    assert lint(facts["prometheus-operator-crds"], text) == [("error", 4, "crds.podmonitor", "podmonitors")]


def test_unknown_key_under_an_unreadable_map_is_only_a_warning() -> None:
    archive = charts.package("c", "1.0.0", {
        "values.yaml": "handed: {}\nclosed:\n  a: 1\nempty: {}\n",
        "templates/x.yaml": '{{ include "lib.render" .Values.handed }}{{ .Values.closed.a }}',
    })
    facts = facts_from_archive(archive)
    text = "handed:\n  x: 1\nclosed:\n  b: 2\nempty:\n  c: 3\nnope: 1\n"
    assert lint(facts, text) == [
        ("warning", 2, "handed.x", None),  # handed to a named template the chart does not have
        ("error", 4, "closed.b", None),
        ("warning", 6, "empty.c", None),  # an empty default nobody reads: no evidence either way
        ("error", 7, "nope", None),
    ]


def test_subchart_as_a_nested_archive_and_under_an_alias() -> None:
    sub = charts.package("common", "2.0.0", {"values.yaml": "port: 80\n",
                                             "templates/t.yaml": "{{ .Values.port }}{{ .Values.host }}"})
    archive = charts.package("app", "1.0.0",
                             {"values.yaml": "web:\n  port: 8080\n", "charts/common-2.0.0.tgz": sub},
                             [{"name": "common", "alias": "web", "version": "2.0.0"}])
    facts = facts_from_archive(archive)
    assert lint(facts, "web:\n  host: a\n  prot: 1\ncommon: {}\n") == [
        ("error", 3, "web.prot", "port"),
        ("error", 4, "common", None),
    ]


def test_keys_given_twice_and_documents_that_are_not_mappings(facts: dict[str, ChartFacts]) -> None:
    assert lint(facts["kyverno"], "crds:\n  install: true\ncrds:\n  install: false\n") == [
        ("warning", 3, "crds", None)]
    assert lint(facts["kyverno"], "- a\n- b\n") == [("error", 1, "", None)]
    assert lint(facts["kyverno"], "# only comments\n") == []


def test_yaml_errors_carry_the_line() -> None:
    with pytest.raises(YamlProblem) as err:
        parse_values("a:\n  b: 1\n c: 2\n")
    assert err.value.line == 3
    assert err.value.message.startswith("not valid YAML")


@pytest.mark.parametrize(("uri", "name"), [
    (None, "Draft202012Validator"),
    ("http://json-schema.org/schema#", "Draft202012Validator"),
    ("https://json-schema.org/schema", "Draft202012Validator"),
    ("http://json-schema.org/draft-04/schema#", "Draft4Validator"),
    ("http://json-schema.org/draft-06/schema#", "Draft6Validator"),
    ("http://json-schema.org/draft-07/schema#", "Draft7Validator"),
    ("https://json-schema.org/draft/2019-09/schema", "Draft201909Validator"),
    ("https://json-schema.org/draft/2020-12/schema", "Draft202012Validator"),
])
def test_schema_dialect_follows_dollar_schema(uri: str | None, name: str) -> None:
    from k8sprov.lint.schema import validator_name

    assert validator_name({} if uri is None else {"$schema": uri}) == name


@pytest.mark.parametrize(("dialect", "findings"), [
    # draft-04: exclusiveMaximum is a bool next to maximum; 2020-12: a number. Same values, other verdicts.
    ("http://json-schema.org/draft-04/schema#", [("error", 1, "replicas", None)]),
    (None, []),
])
def test_schema_is_read_in_its_own_dialect(dialect: str | None, findings: list[Row]) -> None:
    schema: dict[str, object] = {"type": "object",
                                 "properties": {"replicas": {"maximum": 3, "exclusiveMaximum": True}}}
    if dialect:
        schema["$schema"] = dialect
    archive = charts.package("s", "1.0.0", {"values.yaml": "replicas: 1\n",
                                            "values.schema.json": json.dumps(schema),
                                            "templates/t.yaml": "{{ .Values.replicas }}"})
    facts = facts_from_archive(archive)
    if dialect is None:
        # 2020-12 wants a number for exclusiveMaximum: the schema itself is invalid there
        rows = lint(facts, "replicas: 3\n")
        assert rows == [("error", None, "", None)]
    else:
        assert lint(facts, "replicas: 3\n") == findings


def test_schema_messages_never_echo_the_value() -> None:
    schema = {"type": "object", "properties": {"password": {"type": "string", "pattern": "^[a-z]+$"}}}
    archive = charts.package("s", "1.0.0", {"values.yaml": "password: ''\n",
                                            "values.schema.json": json.dumps(schema)})
    facts = facts_from_archive(archive)
    doc = parse_values("password: S3CRET-value-1\n")
    found = check_schemas(doc.data, doc.lines, facts, "v.yaml")
    assert [(f.line, f.path) for f in found] == [(1, "password")]
    assert "S3CRET" not in found[0].message and "pattern" in found[0].message


def test_unreadable_archives_are_reported() -> None:
    with pytest.raises(ChartReadError):
        facts_from_archive(b"not a tarball")
    with pytest.raises(ChartReadError, match=r"Chart\.yaml"):
        facts_from_archive(charts.tgz([charts.Member("x/values.yaml", b"a: 1\n")]))
