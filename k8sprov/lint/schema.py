"""values.schema.json checks, as Helm runs them: on the coalesced values, following the schema's `$schema`."""

from __future__ import annotations

from typing import Any

from k8sprov.lint.chartfacts import ChartFacts, coalesce
from k8sprov.lint.model import Finding, Severity, show_path

Path_ = tuple[str, ...]

# Helm (santhosh-tekuri/jsonschema) treats a missing `$schema`, and the unversioned
# http://json-schema.org/schema, as draft 2020-12.
_DRAFTS = {
    "json-schema.org/draft-04/schema": "Draft4Validator",
    "json-schema.org/draft-06/schema": "Draft6Validator",
    "json-schema.org/draft-07/schema": "Draft7Validator",
    "json-schema.org/draft/2019-09/schema": "Draft201909Validator",
    "json-schema.org/draft/2020-12/schema": "Draft202012Validator",
    "json-schema.org/schema": "Draft202012Validator",
}


def validator_name(schema: Any) -> str:
    """The jsonschema validator class name for a schema's `$schema` (pure)."""
    uri = schema.get("$schema") if isinstance(schema, dict) else None
    if not isinstance(uri, str) or not uri.strip():
        return "Draft202012Validator"
    key = uri.strip().split("://", 1)[-1].rstrip("#")
    return _DRAFTS.get(key, "Draft202012Validator")


def _at(data: Any, path: list[str]) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def check_schemas(values: dict[str, Any], lines: dict[Path_, int], facts: ChartFacts,
                  file: str) -> list[Finding]:
    if not facts.schemas:
        return []
    merged = coalesce(facts.defaults or {}, values)
    # A disabled subchart is not validated by Helm, nor here (and jsonschema is not even imported).
    active = [e for e in facts.schemas
              if not any(_at(merged, cond) is False for cond in e.get("conditions") or [])]
    if not active:
        return []
    import jsonschema

    findings: list[Finding] = []
    for entry in active:
        prefix = [str(k) for k in entry.get("prefix") or []]
        scoped = _at(merged, prefix) if prefix else merged
        if prefix:
            scoped = dict(scoped) if isinstance(scoped, dict) else {}
            scoped.setdefault("global", merged.get("global", {}))
        cls = getattr(jsonschema, validator_name(entry["schema"]))
        try:
            cls.check_schema(entry["schema"])  # Helm refuses a schema that is not valid in its dialect
            validator = cls(entry["schema"])
            errors = sorted(validator.iter_errors(scoped), key=lambda e: list(map(str, e.absolute_path)))
        except jsonschema.SchemaError as bad:
            findings.append(Finding(Severity.ERROR, file, None, show_path(prefix),
                                    f"the chart's values.schema.json is not a valid schema: {bad.message}"))
            continue
        for err in errors:
            path = (*prefix, *(str(p) for p in err.absolute_path))
            line = None
            for n in range(len(path), 0, -1):
                line = lines.get(path[:n])
                if line:
                    break
            findings.append(Finding(Severity.ERROR, file, line, show_path(path),
                                    f"values.schema.json: {describe(err)}"))
    return findings


def describe(err: Any) -> str:
    """What the rule wants, never the offending value itself (values files may hold secrets)."""
    rule, want = err.validator, err.validator_value
    if rule == "type":
        text = f"must be of type {' or '.join(want) if isinstance(want, list) else want}"
    elif rule in ("required", "additionalProperties", "unevaluatedProperties", "dependentRequired",
                  "propertyNames"):
        text = str(err.message)  # names keys only
    elif rule in ("enum", "const"):
        text = f"must be {'one of ' if rule == 'enum' else ''}{want!r}"
    else:
        text = f"fails the schema's {rule!r} rule ({want!r})"
    return text if len(text) <= 200 else text[:197] + "..."
