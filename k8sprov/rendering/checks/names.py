"""Kubernetes' name rules (`k8s.io/apimachinery/pkg/util/validation`): label keys and values, annotation
keys, and object names per kind. Each function returns the problems found (empty when valid)."""

from __future__ import annotations

import re

_QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_TOTAL_ANNOTATION_BYTES = 256 * 1024

# Kinds whose names are path segments (RBAC, HPA), DNS-1123 labels (Namespace) or DNS-1035 labels
# (Service, whose name becomes a DNS name starting with a letter); every other kind: DNS-1123 subdomain.
_PATH_SEGMENT_KINDS = frozenset({"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding",
                                 "HorizontalPodAutoscaler"})
_DNS1035_KINDS = frozenset({"Service"})
_DNS1123_LABEL_KINDS = frozenset({"Namespace"})
_CRONJOB_NAME_MAX = 52  # the Job names it creates add 11 characters


def qualified_name(key: str) -> list[str]:
    """A label or annotation key: `[prefix/]name`, prefix a DNS-1123 subdomain, name ≤ 63 characters."""
    problems: list[str] = []
    prefix, slash, name = key.rpartition("/")
    if slash and not prefix:
        return ["prefix part must be non-empty"]
    if key.count("/") > 1:
        return ["a qualified name has at most one '/'"]
    if not name:
        problems.append("name part must be non-empty")
    elif len(name) > 63:
        problems.append("name part must be no more than 63 characters")
    elif not _QUALIFIED_NAME.match(name):
        problems.append("name part must consist of alphanumerics, '-', '_' or '.', and start and end with "
                        "an alphanumeric")
    if prefix:
        problems.extend(f"prefix part {p}" for p in dns1123_subdomain(prefix))
    return problems


def label_value(value: str) -> list[str]:
    if len(value) > 63:
        return ["must be no more than 63 characters"]
    if not _LABEL_VALUE.match(value):
        return ["must be empty or consist of alphanumerics, '-', '_' or '.', and start and end with an "
                "alphanumeric ('/' and spaces are not allowed)"]
    return []


def dns1123_subdomain(value: str) -> list[str]:
    if len(value) > 253:
        return ["must be no more than 253 characters"]
    if not _DNS1123_SUBDOMAIN.match(value):
        return ["must be a lowercase RFC 1123 subdomain (lowercase alphanumerics, '-' or '.', starting "
                "and ending with an alphanumeric)"]
    return []


def dns1123_label(value: str) -> list[str]:
    if len(value) > 63:
        return ["must be no more than 63 characters"]
    if not _DNS1123_LABEL.match(value):
        return ["must be a lowercase RFC 1123 label (lowercase alphanumerics or '-', starting and ending "
                "with an alphanumeric)"]
    return []


def dns1035_label(value: str) -> list[str]:
    if len(value) > 63:
        return ["must be no more than 63 characters"]
    if not _DNS1035_LABEL.match(value):
        return ["must be a lowercase RFC 1035 label (lowercase alphanumerics or '-', starting with a "
                "letter and ending with an alphanumeric)"]
    return []


def path_segment(value: str) -> list[str]:
    if value in (".", ".."):
        return [f"may not be {value!r}"]
    if "/" in value or "%" in value:
        return ["may not contain '/' or '%'"]
    return []


def object_name(kind: str, name: str, *, builtin: bool) -> list[str]:
    """The rule the API server applies to `metadata.name` of this kind."""
    if not name:
        return ["metadata.name is required"]
    if builtin and kind in _PATH_SEGMENT_KINDS:
        return path_segment(name)
    if builtin and kind in _DNS1035_KINDS:
        return dns1035_label(name)
    if builtin and kind in _DNS1123_LABEL_KINDS:
        return dns1123_label(name)
    problems = dns1123_subdomain(name)
    if builtin and kind == "CronJob" and not problems and len(name) > _CRONJOB_NAME_MAX:
        problems.append(f"must be no more than {_CRONJOB_NAME_MAX} characters")
    return problems


def annotations_size(annotations: dict[str, object]) -> int:
    return sum(len(str(k)) + len(str(v)) for k, v in annotations.items())


TOTAL_ANNOTATION_BYTES = _TOTAL_ANNOTATION_BYTES
