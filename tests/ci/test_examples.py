"""The pipelines in examples/ci/ and renovate.json, checked by the real linters (actionlint, check-jsonschema
with its vendored schemas) with every proxy pointed at a closed port: nothing is fetched. Every k8sprov
command line in them names options the command has."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "ci"
GITHUB = sorted((EXAMPLES / "github").glob("*.yml"))
GITLAB = sorted((EXAMPLES / "gitlab").glob("*.yml"))  # .gitlab-ci.yml included
BIN = Path(sys.executable).parent
OFFLINE = {"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": "",
           "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9", "no_proxy": ""}
# Commands built beside this one, with the command lines they promise (used while the tree lacks them).
PROMISED = {"report": {"--markdown", "--json", "--html", "--detailed-exitcode"},
            "drift": {"--all", "--detailed-exitcode", "--markdown"}}


def _tool(name: str) -> str:
    path = BIN / name
    assert path.is_file(), f"{path} missing: run make install (it comes with the [dev] extras)"
    return str(path)


def _run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), cwd=cwd, env={**os.environ, **OFFLINE}, capture_output=True, text=True,
                          timeout=120, check=False)


def test_the_examples_are_there() -> None:
    assert [p.name for p in GITHUB] == ["k8sprov-apply.yml", "k8sprov-drift.yml", "k8sprov-plan.yml"]
    assert sorted(p.name for p in GITLAB) == [".gitlab-ci.yml", "k8sprov-apply.yml", "k8sprov-plan.yml",
                                              "k8sprov-tools.yml"]


def test_github_workflows_pass_actionlint() -> None:
    result = _run(_tool("actionlint"), "-no-color", *map(str, GITHUB))
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    text = (EXAMPLES / "github" / "k8sprov-plan.yml").read_text()
    broken.write_text(text.replace("needs.affected.outputs.count", "needs.affected.outputs.cuont", 1))
    result = _run(_tool("actionlint"), "-no-color", str(broken))
    assert result.returncode == 1 and "cuont" in result.stdout


@pytest.mark.parametrize(("schema", "files"), [
    ("vendor.github-workflows", GITHUB),
    ("vendor.gitlab-ci", GITLAB),
    ("vendor.renovate", [REPO / "renovate.json"]),
], ids=["github", "gitlab", "renovate"])
def test_files_pass_their_schema(schema: str, files: list[Path]) -> None:
    result = _run(_tool("check-jsonschema"), "--builtin-schema", schema, *map(str, files))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout


def test_the_gitlab_schema_rejects_a_broken_pipeline(tmp_path: Path) -> None:
    broken = tmp_path / ".gitlab-ci.yml"
    broken.write_text("affected:\n  stage: affected\n  script: 42\n  when: sometimes\n")
    result = _run(_tool("check-jsonschema"), "--builtin-schema", "vendor.gitlab-ci", str(broken))
    assert result.returncode == 1


@pytest.mark.parametrize("since", [None, "HEAD"], ids=["every environment", "nothing changed"])
def test_generated_child_pipelines_pass_the_gitlab_schema(cli: Any, tmp_path: Path,
                                                          since: str | None) -> None:
    from tests.ci.gitrepo import make_origin

    repo = make_origin(tmp_path / "project")
    args = ["--since", since] if since else []
    result = cli("-C", str(repo), "ci", "matrix", "--format", "gitlab", *args)
    assert result.exit_code == 0, result.output
    child = tmp_path / "k8sprov-jobs.yml"
    child.write_text(result.stdout)
    checked = _run(_tool("check-jsonschema"), "--builtin-schema", "vendor.gitlab-ci", str(child))
    assert checked.returncode == 0, checked.stdout + checked.stderr


def _scripts(node: Any) -> list[str]:
    """Every shell text of a workflow or pipeline: `run:` and `script:` entries."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "run" and isinstance(value, str):
                found.append(value)
            elif key in ("script", "before_script", "after_script"):
                found += [line for line in (value if isinstance(value, list) else [value])
                          if isinstance(line, str)]
            else:
                found += _scripts(value)
    elif isinstance(node, list):
        for item in node:
            found += _scripts(item)
    return found


def _k8sprov_lines() -> list[tuple[str, list[str]]]:
    """(file, words) of every k8sprov command line in the examples, up to a pipe, redirection or `;`."""
    lines: list[tuple[str, list[str]]] = []
    for path in [*GITHUB, *GITLAB]:
        for script in _scripts(yaml.safe_load(path.read_text())):
            for line in script.replace("\\\n", " ").splitlines():
                if line.lstrip().startswith("#") or "k8sprov " not in line:
                    continue
                lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
                lexer.whitespace_split = True
                tokens = list(lexer)
                for at, token in enumerate(tokens):
                    if token == "k8sprov":
                        words: list[str] = []
                        for word in tokens[at + 1:]:
                            if set(word) <= set("();<>|&") or re.fullmatch(r"\d", word):
                                break
                            words.append(word)
                        lines.append((path.name, words))
    return lines


def test_every_k8sprov_line_uses_real_commands_and_options(cli: Any) -> None:
    lines = _k8sprov_lines()
    used = {words[0] for _, words in lines}
    assert {"affected", "ci", "plan", "apply", "update-charts", "report", "drift"} <= used
    from k8sprov.cli import app

    registered = {c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands}
    for where, words in lines:
        command = words[:2] if words[0] == "ci" else words[:1]
        options = {w.split("=")[0] for w in words if w.startswith("--")}
        if command[0] in PROMISED and command[0] not in registered:
            assert options <= PROMISED[command[0]], (where, words)
            continue
        shown = cli(*command, "--help")
        assert shown.exit_code == 0, (where, words, shown.output)
        missing = [o for o in options if not re.search(rf"(^|[\s,]){re.escape(o)}\b", shown.stdout, re.M)]
        assert not missing, f"{where}: k8sprov {' '.join(command)} has no {missing}"
