"""``dnc jobs``: the scheduler, one-off runs and the run history."""

from __future__ import annotations

import logging
import os
from typing import Annotated, Any

import typer
from rich.table import Table

import dnc
from dnc.cli.common import console, print_json, service_for, state, user_errors
from dnc.jobs import scheduler, tasks

app = typer.Typer(
    help="Scheduled jobs: nightly scrub, registry freshness, consent expiry.", no_args_is_help=True
)


@app.command(
    "serve",
    help="Run the scheduler in the foreground (Ctrl-C stops it).\n\n"
    "Example: dnc --database-url postgresql://dnc@db/dnc jobs serve",
)
@user_errors
def serve(ctx: typer.Context) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    st = state(ctx)
    with service_for(ctx) as service:
        sched = scheduler.build(service)
        settings = service.config.scheduler
        # The jobs this process runs open the store this command opened: they
        # find it where every command looks, and the job store never holds it.
        os.environ["DNC_DATABASE_URL"] = service.store.url()
    if st.config:
        os.environ["DNC_CONFIG"] = st.config
    crons = {
        tasks.NIGHTLY_SCRUB: settings.scrub_cron,
        tasks.REGISTRY_FRESHNESS: settings.freshness_cron,
        tasks.CONSENT_EXPIRY: settings.consent_cron,
        tasks.STORAGE_INTEGRITY: settings.integrity_cron,
    }
    for job in sched.get_jobs():
        console.print(
            f"scheduled {job.id}: cron '{crons.get(job.id, '?')}' ({settings.timezone})",
            highlight=False,
        )
    try:
        sched.start()
    except (KeyboardInterrupt, SystemExit):
        sched.shutdown(wait=False)


@app.command(
    "run", help=f"Run one job now: {', '.join(tasks.JOBS)}.\n\nExample: dnc jobs run nightly-scrub"
)
@user_errors
def run(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The job's id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    job = tasks.JOBS.get(name)
    if job is None:
        raise dnc.InputError(f"unknown job {name!r} (choose from {', '.join(tasks.JOBS)})")
    st = state(ctx)
    result = job(st.database_url, st.config, trigger="manual")
    if as_json:
        print_json(result)
    else:
        console.print(f"{name}: {summary(name, result)}", highlight=False, soft_wrap=True)


def summary(name: str, result: dict[str, Any]) -> str:
    """A job's result in a sentence (``--json`` prints it whole)."""
    if "skipped" in result:
        return f"skipped: {result['skipped']}"
    if name == tasks.NIGHTLY_SCRUB:
        seconds = dnc.display_seconds(result.get("seconds"), 1)
        return (
            f"{result.get('entries', 0)} entries scrubbed in {seconds} s: "
            f"{result.get('suppressed', 0)} suppressed, {result.get('deferred', 0)} deferred, "
            f"{result.get('held', 0)} held, {result.get('dialable', 0)} dialable"
        )
    if name == tasks.REGISTRY_FRESHNESS:
        warnings = result.get("warnings") or []
        if not warnings:
            return f"every required registry fresh for {result.get('warn_days')} days or more"
        return f"{len(warnings)} to refresh: " + "; ".join(map(str, warnings))
    if name == tasks.CONSENT_EXPIRY:
        return f"{result.get('expired', 0)} consents expired since {result.get('since')}"
    return ", ".join(f"{k} {v}" for k, v in result.items())


@app.command(
    "history",
    help="Show recorded job runs, newest first (failures included; a run whose "
    "process died or whose lease expired is shown abandoned, with when it was last seen).\n\n"
    "Example: dnc jobs history --job scrub --json",
)
@user_errors
def history(
    ctx: typer.Context,
    job: Annotated[str | None, typer.Option(help="Only this job (e.g. scrub).")] = None,
    limit: Annotated[int, typer.Option(help="At most this many runs.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    with service_for(ctx) as service:
        runs = service.job_runs(job, limit)
    if as_json:
        print_json(
            [
                {
                    "id": r.id,
                    "job": r.job,
                    "trigger": r.trigger,
                    "started_at": r.started_at.isoformat(),
                    "finished_at": r.finished_at.isoformat() if r.finished_at else None,
                    "status": r.status,
                    "counts": r.counts,
                    "error": r.error,
                    "host": r.host,
                    "pid": r.pid,
                    "last_seen_at": r.last_seen_at.isoformat() if r.last_seen_at else None,
                }
                for r in runs
            ]
        )
        return
    table = Table(title=f"{len(runs)} job runs")
    for column in ("started", "job", "trigger", "status", "seconds", "detail"):
        table.add_column(column, overflow="fold")
    for r in runs:
        seconds = (
            dnc.display_seconds((r.finished_at - r.started_at).total_seconds(), 1)
            if r.finished_at
            else None
        )
        detail = r.error or (
            f"{r.counts.get('suppressed', 0)} suppressed, {r.counts.get('deferred', 0)} deferred"
            if r.counts and "suppressed" in r.counts
            else (str(r.counts) if r.counts else "")
        )
        table.add_row(
            r.started_at.isoformat(timespec="seconds"),
            r.job,
            r.trigger,
            r.status,
            f"{seconds:.1f}" if seconds is not None else "",
            detail,
        )
    console.print(table)
