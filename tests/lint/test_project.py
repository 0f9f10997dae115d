"""`k8sprov lint` on the repository's own env and values files, typo'd copies, without charts, cached."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import CliResult

Run = Callable[..., CliResult]


def findings(result: CliResult) -> list[tuple[str, int | None, str, str, str | None]]:
    doc = json.loads(result.stdout)
    return [(f["file"], f["line"], f["severity"], f["path"], f["suggestion"]) for f in doc["findings"]]


def test_shipped_files_lint_clean(cli: Run, make_project: Callable[..., Path]) -> None:
    root = make_project()
    result = cli("-C", str(root), "lint", "--all", "--strict")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "lint: 0 errors, 0 warnings in 15 files"
    doc = json.loads(cli("-C", str(root), "lint", "--json").stdout)
    assert doc["findings"] == [] and doc["exit_code"] == 0
    assert sorted(doc["files"]) == sorted(
        [f"infra/envs/{e}.tfvars" for e in ("basic", "staging", "production")]
        + [f"infra/values/{c}/{p}.yaml" for c in ("argo-cd", "kyverno", "kyverno-policies",
                                                  "prometheus-operator-crds")
           for p in ("basic", "staging", "production")])


# (file, text before, text after) — each a mistake a person makes while editing the shipped files
TYPOS = [
    ("infra/values/kyverno/production.yaml", "\nadmissionController:\n", "\nadmisionController:\n"),
    ("infra/values/kyverno/staging.yaml",
     "  podDisruptionBudget:\n    enabled: true\n    minAvailable: 1\n  container",
     "  podDisruptionBuget:\n    enabled: true\n    minAvailable: 1\n  container"),
    ("infra/values/argo-cd/production.yaml", "server:\n  replicas: 2\n", "server:\n  replica: 2\n"),
    ("infra/values/argo-cd/production.yaml", "controller:\n  replicas: 1\n",
     "controller:\n  replicas: one\n"),
    ("infra/values/argo-cd/staging.yaml", "repoServer:\n  replicas: 2\n  pdb:\n    enabled: true",
     "repoServer:\n  replicas: 2\n  pdb:\n    enabled: \"true\""),
    ("infra/values/argo-cd/basic.yaml", "redis-ha:\n  enabled: false\n", "redis-ha:\n  enable: false\n"),
    ("infra/values/kyverno-policies/production.yaml", "validationFailureAction: Enforce",
     "validationFailureActions: Enforce"),
    ("infra/values/prometheus-operator-crds/staging.yaml", "\ncrds:\n", "\ncrd:\n"),
    ("infra/envs/production.tfvars", "namespace_labels = {", "namespace_lables = {"),
    ("infra/envs/staging.tfvars", '  context = "staging"', '  contxt  = "staging"'),
]
EXPECTED = [  # (file, key path, severity, suggestion); the line is where the edit is
    ("infra/values/kyverno/production.yaml", "admisionController", "error", "admissionController"),
    ("infra/values/kyverno/staging.yaml", "admissionController.podDisruptionBuget", "error",
     "podDisruptionBudget"),
    ("infra/values/argo-cd/production.yaml", "server.replica", "error", "replicas"),
    ("infra/values/argo-cd/production.yaml", "controller.replicas", "error", None),
    ("infra/values/argo-cd/staging.yaml", "repoServer.pdb.enabled", "error", None),
    ("infra/values/argo-cd/basic.yaml", "redis-ha.enable", "error", "enabled"),
    ("infra/values/kyverno-policies/production.yaml", "validationFailureActions", "error",
     "validationFailureAction"),
    ("infra/values/prometheus-operator-crds/staging.yaml", "crd", "error", "crds"),
    ("infra/envs/production.tfvars", "namespace_lables", "error", "namespace_labels"),
    ("infra/envs/staging.tfvars", "kubeconfig.contxt", "error", "context"),
]


def _line_of(root: Path, file: str, after: str) -> int:
    text = (root / file).read_text()
    offset = text.index(after)
    # the edited key sits on the first line of the replacement that differs from the original
    return text[:offset].count("\n") + 1


def test_typod_copies_give_exactly_the_expected_findings(cli: Run, make_project: Callable[..., Path]) -> None:
    root = make_project()
    lines = {}
    for (file, before, after), expected in zip(TYPOS, EXPECTED, strict=True):
        path = root / file
        text = path.read_text()
        assert text.count(before) == 1, f"{file}: the shipped file changed; update this test's edit"
        path.write_text(text.replace(before, after))
        first_diff = next(i for i, (a, b) in enumerate(zip(before, after, strict=False)) if a != b)
        lines[expected[1]] = _line_of(root, file, after) + after[:first_diff].count("\n")
    result = cli("-C", str(root), "lint", "--json")
    assert result.exit_code == 1
    want = sorted((f, lines[p], s, p, sug) for f, p, s, sug in EXPECTED)
    assert findings(result) == want
    plain = cli("-C", str(root), "lint")
    assert plain.exit_code == 1
    line = lines["admisionController"]
    assert (f"infra/values/kyverno/production.yaml:{line}: error: admisionController: unknown key"
            " 'admisionController' at the top level: the chart has no default for it and never reads it;"
            " did you mean"
            " 'admissionController'?") in plain.stdout.splitlines()
    assert plain.stdout.splitlines()[-1] == "lint: 10 errors, 0 warnings in 15 files"


def test_without_vendored_charts_env_files_are_still_checked(cli: Run,
                                                              make_project: Callable[..., Path]) -> None:
    root = make_project(vendored=False)
    env = root / "infra/envs/basic.tfvars"
    env.write_text(env.read_text().replace("namespace_labels", "namespace_lables"))
    values = root / "infra/values/kyverno/basic.yaml"
    text = values.read_text()
    values.write_text(text + "crds:\n  install: true\n")  # a key given twice: still found
    twice = text.count("\n") + 1
    result = cli("-C", str(root), "lint", "--json")
    assert result.exit_code == 1
    rows = findings(result)
    assert ("infra/envs/basic.tfvars", 10, "error", "namespace_lables", "namespace_labels") in rows
    assert ("infra/values/kyverno/basic.yaml", twice, "warning", "crds", None) in rows
    not_checked = [r for r in rows if r[1] is None]
    assert len(not_checked) == 12 and all(r[2] == "warning" for r in not_checked)
    doc = json.loads(result.stdout)
    messages = {f["message"] for f in doc["findings"] if f["line"] is None}
    assert ("keys not checked: the chart charts/argo-cd-9.7.1.tgz is not vendored; run"
            " k8sprov update-charts --profile production") in messages


def test_without_vendored_charts_lint_passes_unless_strict(cli: Run,
                                                           make_project: Callable[..., Path]) -> None:
    root = make_project(vendored=False)
    result = cli("-C", str(root), "lint")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "lint: 0 errors, 12 warnings in 15 files"
    assert cli("-C", str(root), "lint", "--strict").exit_code == 1


def test_env_selection_and_usage_errors(cli: Run, make_project: Callable[..., Path]) -> None:
    root = make_project()
    doc = json.loads(cli("-C", str(root), "lint", "--env", "production", "--json").stdout)
    assert doc["files"] == ["infra/envs/production.tfvars"] + [
        f"infra/values/{c}/production.yaml"
        for c in ("prometheus-operator-crds", "kyverno", "kyverno-policies", "argo-cd")]
    bad = cli("-C", str(root), "lint", "--env", "nope")
    assert bad.exit_code == 64
    assert bad.stderr.strip() == ("error: unknown environment 'nope' (known: basic, production, staging)"
                                  " — add infra/envs/nope.tfvars or pick a known one")
    both = cli("-C", str(root), "lint", "--env", "basic", "--all")
    assert both.exit_code == 64 and "--all and --env exclude each other" in both.stderr


def _cache_files(root: Path) -> list[Path]:
    return sorted((root / ".k8sprov/cache/lint").glob("*.json"))


def test_chart_facts_are_cached_privately_and_a_broken_cache_is_rewritten(
        cli: Run, make_project: Callable[..., Path]) -> None:
    root = make_project()
    assert cli("-C", str(root), "lint").exit_code == 0
    cache = root / ".k8sprov/cache/lint"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    files = _cache_files(root)
    # 8 archives + variables.tf + 3 var files
    assert len(files) == 12
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    charts_facts = [f for f in files if not f.name.startswith("hcl-")]
    for f in charts_facts:
        f.write_text("{not json")
    assert cli("-C", str(root), "lint").exit_code == 0
    for f in charts_facts:
        assert json.loads(f.read_text())["v"] == 1
        assert stat.S_IMODE(f.stat().st_mode) == 0o600


def test_a_warm_run_reads_the_cache_not_the_archive(cli: Run, make_project: Callable[..., Path]) -> None:
    import hashlib

    root = make_project()
    assert cli("-C", str(root), "lint", "--env", "basic").exit_code == 0
    archive = root / "charts/kyverno-policies-3.9.0.tgz"
    cached = root / f".k8sprov/cache/lint/{hashlib.sha256(archive.read_bytes()).hexdigest()}.json"
    doc: dict[str, Any] = json.loads(cached.read_text())
    del doc["tree"]["c"]["podSecuritySeverity"]  # the cache now says the chart has no such key
    cached.write_text(json.dumps(doc))
    result = cli("-C", str(root), "lint", "--env", "basic", "--json")
    values = (root / "infra/values/kyverno-policies/basic.yaml").read_text().splitlines()
    line = next(n for n, text in enumerate(values, 1) if text.startswith("podSecuritySeverity:"))
    assert findings(result) == [("infra/values/kyverno-policies/basic.yaml", line, "error",
                                 "podSecuritySeverity", "podSecurityStandard")]
    # a changed archive is a different sha256: read afresh
    archive.write_bytes(archive.read_bytes() + b"\0" * 1024)
    assert cli("-C", str(root), "lint", "--env", "basic").exit_code == 0


def test_plan_lints_first_errors_stop_it(cli: Run, make_project: Callable[..., Path]) -> None:
    root = make_project()
    values = root / "infra/values/kyverno/basic.yaml"
    values.write_text(values.read_text().replace("admissionController:", "admisionController:"))
    result = cli("-C", str(root), "--terraform", str(root / "no-terraform-here"), "plan", "--env", "basic")
    assert result.exit_code == 1
    line = values.read_text().splitlines().index("admisionController:") + 1
    assert f"infra/values/kyverno/basic.yaml:{line}: error: admisionController:" in result.stderr
    assert "lint found 1 error(s) in basic: nothing planned — fix them (k8sprov lint shows them again)," \
           " or plan with --no-lint" in result.stderr
    assert not (root / ".k8sprov/envs").exists()  # terraform was never approached
    skipped = cli("-C", str(root), "--terraform", str(root / "no-terraform-here"), "plan", "--env", "basic",
                  "--no-lint")
    assert "admisionController" not in skipped.output
    assert "no-terraform-here" in skipped.stderr  # it went on to look for terraform


def test_plan_goes_on_after_warnings(cli: Run, make_project: Callable[..., Path]) -> None:
    root = make_project()
    values = root / "infra/values/argo-cd/basic.yaml"
    values.write_text(values.read_text() + "\nglobal:\n  nodeSelecter: {}\n")  # under global: only a warning
    result = cli("-C", str(root), "--terraform", str(root / "no-terraform-here"), "plan", "--env", "basic")
    assert "warning: global.nodeSelecter:" in result.stderr
    assert "lint found" not in result.stderr
    assert "no-terraform-here" in result.stderr


def test_plan_leaves_unvendored_charts_to_its_own_check(cli: Run, make_project: Callable[..., Path]) -> None:
    """Lint's "keys not checked: not vendored" warnings would repeat the one line plan stops with."""
    root = make_project(vendored=False)
    linted = cli("-C", str(root), "lint", "--env", "basic")
    assert linted.stdout.count("is not vendored; run k8sprov update-charts --profile basic") == 4
    result = cli("-C", str(root), "plan", "--env", "basic")
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: charts for profile basic are not vendored: missing ")
    assert line.count(".tgz") == 4 and line.endswith(" — run k8sprov update-charts --profile basic")


def test_release_override_set_names_are_checked_against_the_chart(cli: Run,
                                                                  make_project: Callable[..., Path]) -> None:
    root = make_project()
    env = root / "infra/envs/production.tfvars"
    text = env.read_text()
    anchor = "    timeout = 900"
    assert text.count(anchor) == 1, "the shipped file changed; update this test's edit"
    env.write_text(text.replace(anchor, anchor + """
    set = [
      { name = "server.replica", value = "2" },
      { name = "configs.params.server\\\\.insecure", value = "true" },
      { name = "redis-ha.haproxy.replicas", value = "2" },
      { name = "global.nodeSelector.kubernetes\\\\.io/hostname", value = "n1" },
    ]
    # end of set"""))
    lines = env.read_text().splitlines()
    line = next(n for n, row in enumerate(lines, 1) if "server.replica" in row)
    result = cli("-C", str(root), "lint", "--env", "production", "--json")
    assert findings(result) == [("infra/envs/production.tfvars", line, "error",
                                 'release_overrides.argo-cd.set.0.name', "replicas")]
    assert json.loads(result.stdout)["findings"][0]["message"].startswith(
        "sets 'server.replica': unknown key 'replica' under server")


def test_split_set_name() -> None:
    from k8sprov.lint.run import split_set_name

    assert split_set_name(r"configs.params.server\.insecure") == ["configs", "params", "server.insecure"]
    assert split_set_name("a.b[0].c") == ["a", "b"]
    assert split_set_name("x") == ["x"]


def test_terminal_output_is_coloured_and_plain_otherwise() -> None:
    import io

    from rich.console import Console

    from k8sprov.lint.model import Finding, Severity
    from k8sprov.lint.render import print_report
    from k8sprov.lint.run import LintReport

    report = LintReport([Finding(Severity.ERROR, "v.yaml", 3, "a.b", "unknown key 'b' [x]")], ["v.yaml"])
    tty, plain = io.StringIO(), io.StringIO()
    print_report(report, Console(file=tty, force_terminal=True, color_system="standard", width=200))
    print_report(report, Console(file=plain, force_terminal=False, width=200))
    assert "\x1b[" in tty.getvalue() and "unknown key 'b' [x]" in tty.getvalue()
    assert plain.getvalue() == ("v.yaml:3: error: a.b: unknown key 'b' [x]\n"
                                "lint: 1 error, 0 warnings in 1 file\n")
