"""The template reader: which `.Values` paths templates read, consume whole, or shape after another."""

from __future__ import annotations

from k8sprov.lint.gotemplate import actions, analyze


def facts(text: str, prefix: tuple[str, ...] = ()) -> tuple[set[str], set[str], set[str], dict[str, str]]:
    f = analyze([(text, prefix)])
    def j(paths: set[tuple[str, ...]]) -> set[str]:
        return {"/".join(p) for p in paths}
    return j(f.read), j(f.free), j(f.opaque), {"/".join(k): "/".join(v) for k, v in f.alias.items()}


def test_plain_dollar_and_index_references() -> None:
    read, free, _, _ = facts('{{ .Values.a.b }}{{ $.Values.c.d }}{{ index .Values "e" "f.g" }}'
                             '{{ get .Values.h "i" }}{{ hasKey .Values.j "k" }}'
                             '{{ dig "m" "n" dict .Values.l }}')
    assert read == {"a/b", "c/d", "e", "e/f.g", "h", "h/i", "j", "j/k", "l", "l/m/n"}
    assert free == set()


def test_a_reference_inside_a_string_literal_is_not_one() -> None:
    read, _, _, _ = facts('{{ required "A valid .Values.configs.bogus entry is required"'
                          " .Values.configs.real }}"
                          "{{ printf `.Values.raw.string %s` .Values.x }}{{/* .Values.in.comment */}}")
    assert read == {"configs/real", "x"}


def test_with_scopes_else_and_variables() -> None:
    read, free, _, _ = facts(
        "{{ with .Values.server }}{{ .replicas }}{{ toYaml .resources }}{{ else }}{{ .Values.other }}"
        "{{ end }}"
        "{{ $cfg := .Values.configs }}{{ $cfg.params.x }}{{ with $s := .Values.s }}{{ $s.t }}{{ end }}")
    assert read == {"server", "server/replicas", "server/resources", "other", "configs", "configs/params/x",
                    "s", "s/t"}
    assert free == {"server/resources"}


def test_maps_consumed_whole_are_free_form() -> None:
    _, free, _, _ = facts(
        '{{ toYaml .Values.a }}{{ .Values.b | toJson }}{{ omit .Values.c "create" }}{{ pick .Values.d "x" }}'
        "{{ range $k, $v := .Values.e }}{{ end }}{{ range .Values.f }}{{ .name }}{{ end }}"
        "{{ tpl (toYaml .Values.g) $ }}{{ merge .Values.h (dict) }}{{ keys .Values.i }}"
        "{{ with .Values.j }}{{ toYaml . }}{{ end }}")
    assert free == set("abcdefghij")


def test_default_consumes_both_sides() -> None:
    # argo-cd: `with .Values.controller.nodeSelector | default .Values.global.nodeSelector` then toYaml
    _, free, _, _ = facts("{{ with .Values.c.nodeSelector | default .Values.global.nodeSelector }}"
                          "{{ toYaml . }}{{ end }}")
    assert free == {"c/nodeSelector", "global/nodeSelector"}


def test_index_by_a_computed_key_frees_the_map() -> None:
    read, free, _, _ = facts('{{ range $p := .Values.list }}{{ with index .Values "policyExclude" $p.name }}'
                             "{{ end }}{{ end }}")
    assert "policyExclude" in free and "policyExclude" in read


def test_index_by_a_variable_holding_a_literal_is_that_key() -> None:
    # kyverno-policies: `$name := "disallow-capabilities"` at the top of each policy
    read, free, _, _ = facts('{{ $name := "disallow-capabilities" }}'
                             '{{ with index .Values "policyExclude" $name }}{{ toYaml . }}{{ end }}')
    assert "policyExclude/disallow-capabilities" in read
    assert free == {"policyExclude/disallow-capabilities"}


def test_named_templates_follow_their_argument() -> None:
    text = (
        '{{- define "aff" -}}{{ with .component.affinity }}{{ toYaml . }}{{ end }}'
        "{{ .context.Values.global.affinity.mode }}{{- end -}}"
        '{{- define "flags" -}}{{ range $k, $v := . }}--{{ $k }}={{ $v }}{{ end }}{{- end -}}'
        '{{ include "aff" (dict "context" . "component" .Values.controller) }}'
        '{{ include "flags" .Values.extraArgs }}{{ template "flags" .Values.more }}'
        '{{ include "not-here" .Values.handedOff }}'
    )
    read, free, opaque, _ = facts(text)
    assert {"controller/affinity", "global/affinity/mode"} <= read
    assert free == {"controller/affinity", "extraArgs", "more"}
    assert opaque == {"handedOff"}


def test_merge_of_two_values_maps_shapes_one_after_the_other() -> None:
    _, free, _, alias = facts('{{ include "x" (pick (mergeOverwrite (deepCopy $.Values.features) '
                              '$.Values.admissionController.featuresOverride) "a" "b") }}')
    assert alias == {"admissionController/featuresOverride": "features"}
    assert free == set()


def test_subchart_paths_sit_under_the_alias_and_global_stays_global() -> None:
    read, free, _, _ = facts("{{ .Values.podmonitors.enabled }}{{ .Values.global.x }}"
                             "{{ with .Values.annotations }}{{ toYaml . }}{{ end }}", ("crds",))
    assert read == {"crds/podmonitors/enabled", "global/x", "crds/annotations"}
    assert free == {"crds/annotations"}


def test_actions_trim_markers_comments_and_braces_in_strings() -> None:
    assert actions('a {{- .A -}} b {{/* c */}} {{ "}}" }} {{- /* d */ -}}') == [".A", '"}}"']


def test_nested_parentheses_and_fields_on_their_result() -> None:
    read, _, _, _ = facts("{{ (.Values.a).b }}{{ if and (eq .Values.c \"x\") (not .Values.d.e) }}{{ end }}")
    assert read == {"a", "a/b", "c", "d/e"}
