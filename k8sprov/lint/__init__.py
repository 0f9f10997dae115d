"""`k8sprov lint`: typos and type mistakes in env files and Helm values files, before Terraform or Helm.

Env files are checked against `terraform/variables.tf`, values files against what their chart archive
knows (defaults, template reads, free-form maps, values.schema.json). See docs/lint.md.
"""

from k8sprov.lint.model import Finding, Severity
from k8sprov.lint.run import LintReport, lint_project

__all__ = ["Finding", "LintReport", "Severity", "lint_project"]
