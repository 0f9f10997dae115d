"""drift: what changed outside Terraform, per environment (a refresh-only plan; no state is written)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from k8sprov.commands.core import LockTimeout, _app, fleet_table
from k8sprov.completion import env_names
from k8sprov.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from k8sprov.context import AppContext
    from k8sprov.drift import DriftOutcome
    from k8sprov.workflow import EnvRun


def _emit(target: str | None, text: str, option: str) -> None:
    if target is None:
        return
    from k8sprov.outfile import write_output

    write_output(target, text, option)


def register(app: typer.Typer) -> None:
    @app.command("drift")
    def drift(
        ctx: typer.Context,
        env: Annotated[list[str] | None, typer.Option(
            "--env", "-e", metavar="ENV", show_default=False, autocompletion=env_names,
            help="Environment: infra/envs/<ENV>.tfvars; repeatable.")] = None,
        all_envs: Annotated[bool, typer.Option("--all", help="Every environment in infra/envs/.")] = False,
        json_out: Annotated[str | None, typer.Option(
            "--json", metavar="FILE|-", help="Write the drift as plan-summary JSON ('-' = stdout).")] = None,
        markdown_out: Annotated[str | None, typer.Option(
            "--markdown", metavar="FILE|-", help="Write the drift as Markdown ('-' = stdout).")] = None,
        detailed_exitcode: Annotated[bool, typer.Option(
            "--detailed-exitcode", help="Exit 2 when something drifted, 0 when nothing did.")] = False,
        jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, metavar="N",
                                          help="How many environments are checked at once.")] = 4,
        lock_timeout: LockTimeout = None,
    ) -> None:
        """Show what changed outside Terraform (refresh-only plan); never writes state or a saved plan."""
        app_ctx = _app(ctx)
        names = list(dict.fromkeys(env or []))
        if all_envs and names:
            raise UsageError("--all and --env exclude each other", hint="pass one of them")
        if json_out == "-" and markdown_out == "-":
            raise UsageError("--json - and --markdown - both want stdout", hint="write one of them to a file")
        if all_envs:
            names = app_ctx.project.env_names
            if not names:
                raise UsageError("no environments in infra/envs/", hint="add infra/envs/<env>.tfvars")
        if not names:
            raise UsageError("drift needs --env ENV (repeatable) or --all", hint="k8sprov drift --env basic")
        from k8sprov.outfile import check_target

        for target, option in ((json_out, "--json"), (markdown_out, "--markdown")):
            if target not in (None, "-"):
                check_target(Path(target), option)  # before terraform runs
        to_stdout = "-" in (json_out, markdown_out)
        if len(names) > 1 or all_envs:
            code = _many(app_ctx, names, jobs=jobs, lock_timeout=lock_timeout, json_out=json_out,
                         markdown_out=markdown_out, detailed=detailed_exitcode)
        else:
            code = _one(app_ctx, names[0], lock_timeout=lock_timeout, json_out=json_out,
                        markdown_out=markdown_out, to_stdout=to_stdout, detailed=detailed_exitcode)
        if code != ExitCode.OK:
            raise typer.Exit(int(code))


def _header(run: EnvRun, outcome: DriftOutcome) -> Any:
    from k8sprov.planview import PlanHeader

    return PlanHeader(environment=run.env.name, profile=run.env.profile, workspace=run.env.name,
                      terraform_version=outcome.plan_json.get("terraform_version") or run.binary.version)


def _one(app: AppContext, name: str, *, lock_timeout: str | None, json_out: str | None,
         markdown_out: str | None, to_stdout: bool, detailed: bool) -> ExitCode:
    import json

    from k8sprov import workflow
    from k8sprov.drift import refresh_only
    from k8sprov.planview.drift import drift_json, drift_markdown, render_drift_rich

    # With a document on stdout, terraform's output and the human view go to stderr.
    run = workflow.open_env(app, name, stream=sys.stderr if to_stdout else None)
    outcome = refresh_only(run, lock_timeout=lock_timeout)
    header = _header(run, outcome)
    render_drift_rich(outcome.summary, header, app.err_console if to_stdout else app.console)
    _emit(json_out, json.dumps(drift_json(outcome.summary, header), indent=2) + "\n", "--json")
    _emit(markdown_out, drift_markdown(outcome.summary, header), "--markdown")
    return ExitCode.CHANGES if detailed and outcome.drifted else ExitCode.OK


def _many(app: AppContext, names: list[str], *, jobs: int, lock_timeout: str | None, json_out: str | None,
          markdown_out: str | None, detailed: bool) -> ExitCode:
    """One line per environment as it finishes, one table; documents hold every environment."""
    import json

    from k8sprov import fleet
    from k8sprov.drift import refresh_only
    from k8sprov.planview.drift import counts, drift_json, drift_markdown

    console = app.err_console if "-" in (json_out, markdown_out) else app.console
    console.print(f"Checking {len(names)} environments for drift, {min(jobs, len(names))} at a time;"
                  f" terraform's output goes to .k8sprov/logs/<env>.log", soft_wrap=True)
    found: dict[str, tuple[EnvRun, DriftOutcome]] = {}

    def step(run: EnvRun) -> tuple[str, dict[str, int]]:
        outcome = refresh_only(run, lock_timeout=lock_timeout)
        found[run.env.name] = (run, outcome)
        return (fleet.DRIFT if outcome.drifted else fleet.NO_DRIFT), counts(outcome.summary)

    root = app.project.root
    result = fleet.plan_many(app, names, jobs=jobs, lock_timeout=lock_timeout, step=step, command="drift",
                             on_done=lambda r: console.print(r.line(root), soft_wrap=True, markup=False))
    code = fleet.combined_exit_code(result.results, detailed=detailed)
    console.print(fleet_table(result.results, fleet.DRIFT_KEYS))
    docs = {name: drift_json(o.summary, _header(run, o)) for name, (run, o) in found.items()}
    _emit(json_out, json.dumps({
        "kind": "drift", "mode": "refresh-only",
        "environments": [{**r.as_dict(), "drift": docs.get(r.env)} for r in result.results],
        "exit_code": int(code)}, indent=2) + "\n", "--json")
    if markdown_out is not None:
        parts = [drift_markdown(o.summary, _header(run, o)) for name in names if name in found
                 for run, o in [found[name]]]
        parts += [f"### Drift · environment `{r.env}`\n\n{r.status}: {r.error}\n" for r in result.results
                  if r.failed]
        _emit(markdown_out, "\n".join(parts), "--markdown")
    if result.interrupted_by is not None:
        import signal

        from k8sprov.errors import Interrupted, Terminated

        kind = Terminated if result.interrupted_by == signal.SIGTERM else Interrupted
        raise kind(f"drift check of {len(names)} environments stopped by "
                   f"{signal.Signals(result.interrupted_by).name}", hint="run drift again")
    failed = [r.env for r in result.results if r.failed]
    if failed:
        from k8sprov.errors import K8sprovError

        raise K8sprovError(f"drift check failed for {', '.join(failed)}",
                           hint="see the line above for each, and .k8sprov/logs/<env>.log")
    return code
