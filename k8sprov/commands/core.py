"""envs, init, plan, show, apply, destroy: parse options, call the workflow, render the result."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from k8sprov.completion import env_names
from k8sprov.context import AppContext
from k8sprov.errors import ExitCode, K8sprovError, UsageError

if TYPE_CHECKING:
    from k8sprov.fleet import EnvResult
    from k8sprov.workflow import EnvRun, PlanOutcome

EnvOption = Annotated[str, typer.Option("--env", "-e", metavar="ENV", show_default=False,
                                        autocompletion=env_names,
                                        help="Environment: infra/envs/<ENV>.tfvars.")]
AutoApprove = Annotated[bool, typer.Option("--auto-approve", help="Do not ask (for CI).")]
JsonOut = Annotated[str | None, typer.Option("--json", metavar="FILE|-",
                                             help="Write the plan summary as JSON ('-' = stdout).")]
MarkdownOut = Annotated[Path | None, typer.Option("--markdown", metavar="FILE",
                                                  help="Write a Markdown plan summary (PR comment).")]
Detail = Annotated[bool, typer.Option("--detail", help="Attribute-level diffs in the plan view.")]
LockTimeout = Annotated[str | None, typer.Option("--lock-timeout", metavar="DURATION",
                                                 help="Wait this long for a state lock (e.g. 30s, 5m).")]


def _app(ctx: typer.Context) -> AppContext:
    obj = ctx.obj
    assert isinstance(obj, AppContext)
    return obj


def _check_targets(json_out: str | None, markdown_out: Path | None) -> None:
    """Output files whose folder is missing stop the command before terraform runs."""
    from k8sprov.outfile import check_target

    if json_out not in (None, "-"):
        check_target(Path(json_out), "--json")
    if markdown_out is not None:
        check_target(markdown_out, "--markdown")


def render_plan(app: AppContext, run: EnvRun | None, plan_json: dict[str, Any], *, plan_file: Path | None,
                created: Any, json_out: str | None, markdown_out: Path | None, detail: bool) -> bool:
    """Show a plan (rich on the terminal, optional JSON/Markdown files); True when it has changes."""
    import json

    from k8sprov.outfile import write_output, write_text
    from k8sprov.planview import PlanHeader, render_rich, summarize, to_json, to_markdown

    summary = summarize(plan_json, locked_charts=_locked_charts(app, run),
                        rendered=_rendered_objects(app, run, plan_json))
    header = PlanHeader(
        environment=run.env.name if run else None,
        profile=run.env.profile if run else None,
        workspace=run.env.name if run else None,
        terraform_version=plan_json.get("terraform_version") or (run.binary.version if run else None),
        plan_file=str(plan_file) if plan_file else None,
        created_at=created,
    )
    # With --json -, stdout carries only JSON: the human view goes to stderr.
    console = app.err_console if json_out == "-" else app.console
    render_rich(summary, header, console, detail=detail)
    if json_out is not None:
        text = json.dumps(to_json(summary, header), indent=2, sort_keys=False) + "\n"
        write_output(json_out, text, "--json")
    if markdown_out is not None:
        write_text(markdown_out, to_markdown(summary, header, detail=detail), "--markdown")
    return bool(summary.has_changes)


def _rendered_objects(app: AppContext, run: EnvRun | None, plan_json: dict[str, Any]) -> dict[str, Any]:
    """Each helm_release change's objects rendered by Helm before and after; nothing for a plan read from
    a file (no environment)."""
    if run is None:
        return {}
    from k8sprov.rendering.report import plan_objects

    return plan_objects(run.project, run.env, plan_json, app.helm_request())


def _locked_charts(app: AppContext, run: EnvRun | None) -> dict[str, str]:
    """Archive file name -> chart version from charts/charts.lock: a release created from a local archive
    then shows its pinned version instead of "(known after apply)". No project or no lock: nothing."""
    from k8sprov.charts.lock import read_lock
    from k8sprov.errors import K8sprovError

    try:
        project = run.project if run is not None else app.project
        return {entry.archive_name: entry.version for entry in read_lock(project.charts_dir).values()}
    except K8sprovError:
        return {}


def envs(ctx: typer.Context,
         as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False) -> None:
    """List the environments (infra/envs/*.tfvars) with profile, connection, backend and saved-plan status."""
    from k8sprov.atrest import exposed
    from k8sprov.connection import for_env
    from k8sprov.errors import K8sprovError
    from k8sprov.workflow import plan_status

    app = _app(ctx)
    project = app.project
    rows: list[dict[str, Any]] = []
    broken: list[str] = []
    for name in project.env_names:
        var_file = str((project.envs_dir / f"{name}.tfvars").relative_to(project.root))
        try:
            env = project.environment(name)
        except K8sprovError as err:  # one bad file is that environment's problem, not the others'
            broken.append(name)
            message = err.message.removeprefix(f"{project.root / var_file}: ").removeprefix(f"{var_file}: ")
            rows.append({"name": name, "var_file": var_file, "error": message})
            continue
        rows.append({
            "name": env.name,
            "profile": env.profile,
            "var_file": var_file,
            "connection": for_env(project, env).describe(),
            "backend": str(env.backend_file.relative_to(project.root)) if env.backend_file else "local",
            "plan": plan_status(project, env, None),
            "readable_by_others": exposed(project, env.name),
        })
    failure = K8sprovError(
        f"{len(broken)} of {len(rows)} environments cannot be read: {', '.join(broken)}",
        hint="fix the var file (k8sprov lint --env " + " --env ".join(broken) + " shows where)",
    ) if broken else None
    if as_json:
        import json

        typer.echo(json.dumps({"environments": rows}, indent=2))
        if failure:
            raise failure
        return
    console = app.console
    table = _envs_table(rows, short=False)
    if console.measure(table, options=console.options.update_width(10_000)).maximum > console.width:
        table = _envs_table(rows, short=True)  # narrow terminal: the var file column gives way
    console.print(table)
    warn = [row.get("readable_by_others", []) for row in rows]
    if any(warn):
        app.err_console.print("warning: others can read files that hold secrets (readable by others);"
                              " k8sprov makes them private the next time it runs for the environment"
                              " (k8sprov init --env ENV will do)", soft_wrap=True)
    if failure:
        raise failure


def _envs_table(rows: list[dict[str, Any]], *, short: bool) -> Any:
    """`short` leaves out the var file column, which only repeats each name (an environment is the stem of
    infra/envs/<environment>.tfvars), so a narrow terminal folds the connection instead of cutting paths."""
    from rich.markup import escape
    from rich.table import Column, Table

    # The warning column appears only when an environment's state or saved plan is open to others.
    warn = [", ".join(row.get("readable_by_others", [])) for row in rows]
    extra = ["readable by others"] if any(warn) else []
    headers = ["environment", "profile", *([] if short else ["var file"]), "connection", "backend",
               "saved plan", *extra]
    # Names stay whole; the rest folds, never "…": a cut path or server name is a wrong one.
    table = Table(*(Column(h, overflow="fold", no_wrap=h in ("environment", "profile", "var file", "backend"))
                    for h in headers),
                  box=None, caption="var files: infra/envs/<environment>.tfvars" if short else None,
                  caption_justify="left")
    for row, open_to in zip(rows, warn, strict=True):
        if "error" in row:  # a var file that cannot be read: its error in its row, the others as usual
            table.add_row(escape(row["name"]), "[red]?[/]", *([] if short else [escape(row["var_file"])]),
                          f"[red]error: {escape(row['error'])}[/]", "", "", *([""] if extra else []))
            continue
        table.add_row(row["name"], row["profile"], *([] if short else [row["var_file"]]), row["connection"],
                      row["backend"], row["plan"], *([open_to] if extra else []))
    return table


def init(ctx: typer.Context, env: EnvOption,
         reinit: Annotated[bool, typer.Option("--reinit", help="Run init even if nothing changed.")] = False,
         lock_timeout: LockTimeout = None) -> None:
    """Run terraform init for one environment (skipped when nothing init depends on changed)."""
    from k8sprov.workflow import ensure_init, open_env

    app = _app(ctx)
    run = open_env(app, env)
    ran = ensure_init(run, reinit=reinit, lock_timeout=lock_timeout)
    app.console.print(f"{env}: init {'done' if ran else 'skipped (nothing changed since the last init)'}")


def _warm_plan_view(run: EnvRun) -> None:
    """Import the plan view (rich and planview, ~70 ms idle, ~300 ms on a busy machine) on a daemon thread
    once terraform has started, so it is off the critical path; render_plan's own import then finds it
    loaded. Not sooner: the import holds the GIL, and the checks before terraform starts would wait."""
    import threading

    def load() -> None:
        with contextlib.suppress(Exception):  # render_plan's own import reports any real problem
            import k8sprov.planview.rich_view  # noqa: F401

    def started(_proc: object) -> None:
        run.tf.on_start = None
        threading.Thread(target=load, name="k8sprov-warm-planview", daemon=True).start()

    run.tf.on_start = started


def plan(ctx: typer.Context,
         env: Annotated[list[str] | None, typer.Option(
             "--env", "-e", metavar="ENV", show_default=False, autocompletion=env_names,
             help="Environment: infra/envs/<ENV>.tfvars; repeatable.")] = None,
         detailed_exitcode: Annotated[bool, typer.Option(
             "--detailed-exitcode", help="Exit 2 when the plan has changes, 0 when it has none.")] = False,
         json_out: JsonOut = None, markdown_out: MarkdownOut = None, detail: Detail = False,
         destroy: Annotated[bool, typer.Option("--destroy", help="Plan to destroy everything.")] = False,
         lock_timeout: LockTimeout = None,
         all_envs: Annotated[bool, typer.Option("--all",
                                                help="Plan every environment in infra/envs/.")] = False,
         jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, metavar="N",
                                           help="How many environments plan at once.")] = 4,
         no_lint: Annotated[bool, typer.Option("--no-lint", help="Do not lint before planning.")] = False,
         since: Annotated[str | None, typer.Option(
             "--since", metavar="REF", show_default=False,
             help="Plan the environments affected since git REF.")] = None,
         shard: Annotated[str | None, typer.Option(
             "--shard", metavar="I/N", show_default=False,
             help="With --all/--since: only shard I of N (stable by name).")] = None,
         no_render: Annotated[bool, typer.Option(
             "--no-render", help="Do not render and check the releases with Helm first.")] = False,
         ) -> None:
    """Plan one environment (or several: repeated --env, --all) and save each plan for apply."""
    from k8sprov import workflow

    app = _app(ctx)
    names = list(dict.fromkeys(env or []))
    if (all_envs or since is not None) and names:
        raise UsageError(f"{'--since' if since is not None else '--all'} and --env exclude each other",
                         hint="pass one of them")
    if shard is not None and not (all_envs or since is not None):
        raise UsageError("--shard splits --all or --since", hint="k8sprov plan --all --shard 1/3")
    if all_envs or since is not None:
        fleet_names = _fleet_names(app, since=since, shard=shard)
        if fleet_names is None:
            return
        names = fleet_names
    if not names:
        raise UsageError("plan needs --env ENV (repeatable) or --all", hint="k8sprov plan --env basic")
    _check_targets(json_out, markdown_out)
    single = len(names) == 1 and not all_envs and since is None
    try:
        if not no_lint:  # typos in var and values files stop the plan before Terraform starts
            from k8sprov.commands.lint import before_plan

            before_plan(app, names)
        # A release Helm cannot render, or that the API server would refuse, stops the plan here (a
        # destroy plan installs nothing: there is nothing to render).
        if not no_render and not destroy:
            from k8sprov.commands.render import before_plan as render_check

            render_check(app, names)
        if not single:
            _plan_many(app, names, jobs=jobs, destroy=destroy, lock_timeout=lock_timeout,
                       detailed_exitcode=detailed_exitcode, json_out=json_out, markdown_out=markdown_out,
                       detail=detail)
            return
        (env_name,) = names
        run = workflow.open_env(app, env_name, stream=sys.stderr if json_out == "-" else None)
        _warm_plan_view(run)
        outcome = workflow.plan(run, destroy=destroy, lock_timeout=lock_timeout)
    except K8sprovError as err:
        if single and json_out is not None:  # a CI matrix job's file says this environment's plan failed
            _write_failed(app, names[0], json_out, err)
        raise
    changes = render_plan(app, run, outcome.plan_json, plan_file=outcome.plan_file,
                          created=outcome.record.created, json_out=json_out, markdown_out=markdown_out,
                          detail=detail)
    if detailed_exitcode and changes:
        raise typer.Exit(int(ExitCode.CHANGES))


def _fleet_names(app: AppContext, *, since: str | None, shard: str | None) -> list[str] | None:
    """The environments of --all / --since, cut to --shard; None (after saying so) when that is none."""
    shard_pos = None
    if shard is not None:
        from k8sprov.shard import parse_shard

        shard_pos = parse_shard(shard)  # bad input stops before git or terraform run
    if since is not None:
        from k8sprov.affected import affected_since

        names = affected_since(app.project, since).names
        empty = f"no environment affected since {since}"
    else:
        names = app.project.env_names
        if not names:
            raise UsageError("no environments in infra/envs/", hint="add infra/envs/<env>.tfvars")
        empty = "no environments"
    if shard_pos is not None:
        from k8sprov.shard import select

        names = select(names, *shard_pos)
        empty += f" in shard {shard}"
    if not names:
        app.err_console.print(f"{empty}: nothing to plan.", soft_wrap=True)
        return None
    return names


def _write_failed(app: AppContext, env_name: str, json_out: str, err: K8sprovError) -> None:
    """`--json` of a failed plan: the record `k8sprov report` reads (planview.render_json.failed_json)."""
    import json

    from k8sprov.masking import mask
    from k8sprov.planview import PlanHeader
    from k8sprov.planview.render_json import failed_json

    try:
        profile: str | None = app.project.environment(env_name).profile
    except K8sprovError:  # an unknown environment or a broken var file is itself the failure
        profile = None
    header = PlanHeader(environment=env_name, profile=profile, workspace=env_name)
    text = json.dumps(failed_json(header, mask(err.one_line())), indent=2) + "\n"
    from k8sprov.outfile import write_output

    with contextlib.suppress(K8sprovError):  # the plan's own error is the one to report
        write_output(json_out, text, "--json")


def fleet_table(results: list[EnvResult], keys: tuple[str, ...]) -> Any:
    """The table after a fleet run: per environment its counts (`keys`), status and time."""
    from rich.table import Table

    table = Table("environment", *keys, "status", "time", box=None)
    for r in results:
        numbers = [str(r.counts.get(k, 0)) if r.counts else "-" for k in keys]
        table.add_row(r.env, *numbers, r.status, f"{r.seconds:.1f}s")
    return table


def _plan_many(app: AppContext, names: list[str], *, jobs: int, destroy: bool, lock_timeout: str | None,
               detailed_exitcode: bool, json_out: str | None, markdown_out: Path | None,
               detail: bool) -> None:
    """plan for several environments: one line per environment as it finishes, one table, one exit code."""
    from k8sprov import fleet

    if markdown_out is not None or detail:
        raise UsageError("--markdown and --detail show one environment's plan",
                         hint="run k8sprov show --env E with them after the plans")
    # With --json -, stdout carries only JSON: the human view goes to stderr.
    console = app.err_console if json_out == "-" else app.console
    console.print(f"Planning {len(names)} environments, {min(jobs, len(names))} at a time; terraform's output"
                  f" goes to .k8sprov/logs/<env>.log", soft_wrap=True)
    root = app.project.root
    outcome = fleet.plan_many(app, names, jobs=jobs, destroy=destroy, lock_timeout=lock_timeout,
                              on_done=lambda r: console.print(r.line(root), soft_wrap=True, markup=False))
    code = fleet.combined_exit_code(outcome.results, detailed=detailed_exitcode)
    console.print(fleet_table(outcome.results, fleet.COUNT_KEYS))
    if json_out is not None:
        import json

        doc = {"environments": [r.as_dict() for r in outcome.results], "exit_code": int(code)}
        text = json.dumps(doc, indent=2) + "\n"
        from k8sprov.outfile import write_output

        write_output(json_out, text, "--json")
    if outcome.interrupted_by is not None:
        import signal

        from k8sprov.errors import Interrupted, Terminated

        stopped = sum(1 for r in outcome.results if r.status in (fleet.INTERRUPTED, fleet.CANCELLED))
        kind = Terminated if outcome.interrupted_by == signal.SIGTERM else Interrupted
        raise kind(f"plan of {len(names)} environments stopped by "
                   f"{signal.Signals(outcome.interrupted_by).name}: {stopped} interrupted or not started",
                   hint="terraform stopped cleanly in each; run plan again")
    failed = [r.env for r in outcome.results if r.failed]
    if failed:
        from k8sprov.errors import K8sprovError

        raise K8sprovError(f"plan failed for {', '.join(failed)}",
                           hint="see the line above for each, and .k8sprov/logs/<env>.log")
    if code != ExitCode.OK:
        raise typer.Exit(int(code))


def unlock(ctx: typer.Context, env: EnvOption,
           lock_id: Annotated[str, typer.Argument(metavar="LOCK_ID",
                                                  help="The lock's ID, as the lock error printed it.")],
           auto_approve: AutoApprove = False) -> None:
    """Release a state lock left by a run that is gone (terraform force-unlock), after typing the name."""
    from k8sprov import workflow
    from k8sprov.confirm import confirm, require_terminal

    require_terminal(auto_approve)  # before terraform runs: it could not be asked afterwards either
    app = _app(ctx)
    run = workflow.open_env(app, env)
    workflow.check_unlockable(run)
    confirm(f"Release the state lock {lock_id} of {env}? Only do this when the run that holds it is gone.",
            type_to_confirm=env, auto_approve=auto_approve)
    workflow.unlock(run, lock_id)
    app.console.print(f"{env}: lock {lock_id} released.")


def show(ctx: typer.Context,
         env: Annotated[str | None, typer.Option("--env", "-e", metavar="ENV", show_default=False,
                                                 autocompletion=env_names,
                                                 help="Show this environment's saved plan.")] = None,
         plan_path: Annotated[Path | None, typer.Option(
             "--plan", metavar="FILE", help="Show any plan: a binary plan file or plan JSON.")] = None,
         json_out: JsonOut = None, markdown_out: MarkdownOut = None, detail: Detail = False) -> None:
    """Show a saved plan again (--env), or any plan file (--plan FILE)."""
    from k8sprov import planstore, workflow

    app = _app(ctx)
    if env is None and plan_path is None:
        raise UsageError("show needs --env ENV (its saved plan) or --plan FILE (any plan)",
                         hint="k8sprov show --env basic, or k8sprov show --plan plan.json")
    _check_targets(json_out, markdown_out)
    if plan_path is not None:
        from k8sprov.planview import load_plan_file

        run = workflow.open_env(app, env) if env is not None else None

        def show_json(path: Path) -> dict[str, Any]:
            # A binary plan needs an initialised working dir for its provider schemas: the environment's
            # with --env, else the current folder's own .terraform.
            if run is not None:
                workflow.ensure_init(run)
                return run.tf.show_json(path.resolve())
            from k8sprov.terraform import Terraform, resolve_binary

            binary = resolve_binary(app.terraform_request(), None)
            tf = Terraform(binary, working_dir=app.cwd, data_dir=app.cwd / ".terraform", workspace="default")
            return tf.show_json(path.resolve())

        data = load_plan_file(plan_path, show_json)
        render_plan(app, run, data, plan_file=plan_path, created=None, json_out=json_out,
                    markdown_out=markdown_out, detail=detail)
        return
    assert env is not None
    run = workflow.open_env(app, env)
    plan_file, _ = planstore.plan_paths(run.env_dir)
    record = planstore.load(plan_file)
    if record is None:
        raise UsageError(f"no saved plan for {env}", hint=f"run k8sprov plan --env {env}")
    workflow.ensure_init(run)
    status = workflow.plan_status(run.project, run.env, run.binary.version)
    render_plan(app, run, run.tf.show_json(plan_file), plan_file=plan_file, created=record.created,
                json_out=json_out, markdown_out=markdown_out, detail=detail)
    if status != "valid":
        app.err_console.print(f"note: this plan can no longer be applied ({status}); "
                              f"run k8sprov plan --env {env}", soft_wrap=True)


def _plan_or_saved(app: AppContext, run: EnvRun, plan_path: Path | None, *, destroy: bool,
                   lock_timeout: str | None) -> PlanOutcome:
    from k8sprov import workflow

    saved = workflow.saved_plan(run, plan_path, destroy=destroy)
    if saved is not None:
        app.console.print(f"Using the saved plan {saved.plan_file} (made {saved.record.created_at}).")
        return saved
    return workflow.plan(run, destroy=destroy, lock_timeout=lock_timeout)


def apply(ctx: typer.Context, env: EnvOption, auto_approve: AutoApprove = False,
          plan_path: Annotated[Path | None, typer.Option(
              "--plan", metavar="FILE", help="Apply this saved k8sprov plan instead of the environment's.")]
          = None, lock_timeout: LockTimeout = None) -> None:
    """Apply the environment's saved plan (or plan, show, ask, and apply exactly that)."""
    from k8sprov import workflow
    from k8sprov.confirm import confirm, require_terminal

    require_terminal(auto_approve)  # before planning: a plan nobody can confirm is only waiting time
    app = _app(ctx)
    run = workflow.open_env(app, env)
    outcome = _plan_or_saved(app, run, plan_path, destroy=False, lock_timeout=lock_timeout)
    changes = render_plan(app, run, outcome.plan_json, plan_file=outcome.plan_file,
                          created=outcome.record.created, json_out=None, markdown_out=None, detail=False)
    if not changes:
        app.console.print(f"{env}: no changes; nothing to apply.")
        from k8sprov import planstore

        planstore.discard(outcome.plan_file)
        return
    confirm(f"Apply these changes to {env} (profile {run.env.profile})?",
            type_to_confirm=env if run.env.is_production else None, auto_approve=auto_approve)
    workflow.apply(run, outcome, lock_timeout=lock_timeout)
    app.console.print(f"{env}: applied.")


def destroy(ctx: typer.Context, env: EnvOption, auto_approve: AutoApprove = False,
            lock_timeout: LockTimeout = None) -> None:
    """Destroy everything in one environment, after typing its name."""
    from k8sprov import workflow
    from k8sprov.confirm import confirm, require_terminal

    require_terminal(auto_approve)  # before planning: a plan nobody can confirm is only waiting time
    app = _app(ctx)
    run = workflow.open_env(app, env)
    outcome = workflow.plan(run, destroy=True, lock_timeout=lock_timeout)
    changes = render_plan(app, run, outcome.plan_json, plan_file=outcome.plan_file,
                          created=outcome.record.created, json_out=None, markdown_out=None, detail=False)
    if not changes:
        app.console.print(f"{env}: nothing to destroy.")
        return
    confirm(f"DESTROY everything above in {env}? This cannot be undone.", type_to_confirm=env,
            auto_approve=auto_approve)
    workflow.apply(run, outcome, lock_timeout=lock_timeout)
    app.console.print(f"{env}: destroyed.")


def register(app: typer.Typer) -> None:
    for command in (envs, init, plan, show, apply, destroy, unlock):
        app.command()(command)
