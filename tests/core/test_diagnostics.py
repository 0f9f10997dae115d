"""Terraform's error diagnostics become one line: the summary and the message a precondition or a variable
validation wrote, without the source snippet or expression values."""

from __future__ import annotations

from k8sprov.terraform import RunResult, diagnostics

PRECONDITION = """\
╷
│ Error: Resource precondition failed
│
│   on modules/provision_k8s/provision.tf line 80, in resource "kubernetes_namespace_v1" "this":
│   80:       condition     = alltrue([for name in keys(var.release_overrides) : contains(keys(c), name)])
│     ├────────────────
│     │ local.chart_catalog is object with 4 attributes
│     │ var.release_overrides is map of object with 1 element
│
│ release_overrides has unknown release(s) nginx; known: argo-cd, kyverno,
│ kyverno-policies, prometheus-operator-crds.
╵
"""


def test_precondition_message_is_joined_into_the_line() -> None:
    expected = ("Error: Resource precondition failed: release_overrides has unknown release(s) nginx; "
                "known: argo-cd, kyverno, kyverno-policies, prometheus-operator-crds.")
    assert diagnostics(PRECONDITION) == [expected]
    no_color = "\n".join(line[2:] if line.startswith("│ ") else line.lstrip("│╷╵")
                         for line in PRECONDITION.splitlines())
    assert diagnostics(no_color) == [expected]
    # one error per namespace instance: the same message once
    assert RunResult(1, "", PRECONDITION * 3).last_error() == expected


def test_warnings_are_not_errors_and_the_last_error_wins() -> None:
    text = ("Warning: Deprecated attribute\n\nsomething old\n\n"
            "Error: Invalid value for variable\n\n  on variables.tf line 12:\n  12: variable \"x\" {\n\n"
            "x must be lowercase.\n\nThis was checked by the validation rule at variables.tf:16,3-13.\n")
    assert diagnostics(text) == ["Error: Invalid value for variable: x must be lowercase. This was checked "
                                 "by the validation rule at variables.tf:16,3-13."]
    assert diagnostics("Terraform has been successfully initialized!\n") == []
