"""What lint says about a mistake is what the user has to change: the number Terraform wants, digits
where a word was written, one document per values file, the parser's own reason for a var file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult

Run = Callable[..., CliResult]


def _lines(result: CliResult) -> list[str]:
    return result.stdout.splitlines()


def test_a_duration_where_terraform_wants_seconds(cli: Run, make_project: Callable[..., Path]) -> None:
    root = make_project()
    env = root / "infra/envs/staging.tfvars"
    env.write_text(env.read_text() + '\nrelease_overrides = {\n  kyverno = {\n    timeout = "15m"\n  }\n}\n')
    result = cli("-C", str(root), "lint", "--env", "staging")
    assert result.exit_code == 1
    found = [line for line in _lines(result) if "timeout" in line]
    assert len(found) == 1 and found[0].endswith(
        'release_overrides.kyverno.timeout: must be a number of seconds, e.g. 900, not the string "15m"')
    assert "spells none" not in result.stdout


def test_a_word_where_the_chart_wants_a_number(cli: Run, make_project: Callable[..., Path]) -> None:
    root = make_project()
    values = root / "infra/values/argo-cd/staging.yaml"
    text, shipped = values.read_text(), "controller:\n  replicas: 1\n"
    assert text.count(shipped) == 1, "the shipped file changed: update this edit"
    values.write_text(text.replace(shipped, "controller:\n  replicas: two\n"))
    result = cli("-C", str(root), "lint", "--env", "staging")
    found = [line for line in _lines(result) if "controller.replicas" in line]
    assert len(found) == 1, result.stdout
    assert found[0].endswith("is a string, the chart's default is a number; write a number in digits")
    values.write_text(values.read_text().replace("replicas: two", 'replicas: "2"'))
    quoted = cli("-C", str(root), "lint", "--env", "staging")
    assert any(line.endswith("; write the number without quotes") for line in _lines(quoted)), quoted.stdout


def test_a_second_yaml_document(cli: Run, make_project: Callable[..., Path]) -> None:
    root = make_project()
    values = root / "infra/values/kyverno/staging.yaml"
    text = values.read_text()
    values.write_text(text + "---\nadmissionController:\n  replicas: 3\n")
    line = text.count("\n") + 1
    result = cli("-C", str(root), "lint", "--env", "staging")
    assert result.exit_code == 1
    assert (f"infra/values/kyverno/staging.yaml:{line}: error: holds more than one YAML document"
            f" (line {line}); a values file is one document") in _lines(result)


def test_an_env_file_that_does_not_parse_quotes_the_parser(cli: Run,
                                                           make_project: Callable[..., Path]) -> None:
    root = make_project()
    (root / "infra/envs/broken.tfvars").write_text('environment = "basic"\nnamespace_labels = {\n  a = \n')
    result = cli("-C", str(root), "lint", "--env", "broken")
    assert result.exit_code == 1
    assert ("infra/envs/broken.tfvars:3: error: not valid HCL (column 7): unexpected end of line"
            " (expected a value)") in _lines(result)
    (root / "infra/envs/broken.tfvars").write_text('environment = "basic"\nnamespace_labels = { a = @ }\n')
    result = cli("-C", str(root), "lint", "--env", "broken")
    assert ("infra/envs/broken.tfvars:2: error: not valid HCL (column 26): unexpected '@ }'"
            " (expected a value)") in _lines(result), result.stdout


@pytest.mark.parametrize(("text", "message"), [
    ('a = "x\n', 'at line 1, column 6: unexpected end of file (expected \'"\')'),
    ("x = [1,,2]\n", "at line 1, column 8: unexpected ',2]' (expected a value or ']')"),
    ("a b c\n", "at line 2, column 1: unexpected end of file (expected '{')"),
    ("= 3\n", "at line 1, column 1: unexpected '= 3' (expected a name)"),
    ("a = {\n b = 1\n", "at line 3, column 1: unexpected end of file (expected a value or '}')"),
])
def test_hcl_syntax_errors_say_what_the_parser_met_and_expected(tmp_path: Path, text: str,
                                                                message: str) -> None:
    from k8sprov.hcl import HclSyntaxError, load_hcl

    path = tmp_path / "x.tfvars"
    path.write_text(text)
    with pytest.raises(HclSyntaxError) as err:
        load_hcl(path)
    assert err.value.one_line() == f"{path}: not valid HCL {message} — fix the syntax and run again"
