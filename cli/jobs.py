"""``dnc jobs``: the scheduler, one-off runs and the run history."""

from __future__ import annotations

import logging
import os
from typing import Annotated, Any

import typer

import dnc
from dnc.cli.common import console, err_console, print_json, service_for, state, user_errors
from dnc.cli.render import count, key, moment, print_table, stamp, text
from dnc.jobs import scheduler, tasks

app = typer.Typer(
    help="Scheduled jobs: nightly scrub, registry freshness, consent expiry.", no_args_is_help=True
)


@app.command(
    "serve",
    help="Run the scheduler in the foreground (Ctrl-C stops it). Logs dnc's own jobs "
    "(and warnings); --verbose adds the scheduler's and the migrations' INFO lines.\n\n"
    "Example: dnc --database-url postgresql://dnc@db/dnc jobs serve",
)
@user_errors
def serve(
    ctx: typer.Context,
    verbose: Annotated[
        bool, typer.Option("--verbose", help="Also log APScheduler and Alembic at INFO.")
    ] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    logging.getLogger("dnc").setLevel(logging.INFO)
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
        err_console.print("scheduler stopped", highlight=False)


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
            f"{result.get('entries', 0):,} entries scrubbed in {seconds} s: "
            f"{result.get('suppressed', 0):,} suppressed, {result.get('deferred', 0):,} deferred, "
            f"{result.get('held', 0):,} held, {result.get('dialable', 0):,} dialable"
        )
    if name == tasks.REGISTRY_FRESHNESS:
        warnings = result.get("warnings") or []
        if not warnings:
            return f"every required registry fresh for {result.get('warn_days')} days or more"
        return f"{len(warnings)} to refresh: " + "; ".join(map(str, warnings))
    if name == tasks.CONSENT_EXPIRY:
        return f"{result.get('expired', 0):,} consents expired since {result.get('since')}"
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
    rows = []
    for r in runs:
        seconds = (
            f"{dnc.display_seconds((r.finished_at - r.started_at).total_seconds(), 1):,.1f}"
            if r.finished_at
            else ""
        )
        rows.append(
            (
                stamp(r.started_at),
                r.job,
                r.trigger,
                r.status,
                seconds,
                r.error or _counts(r.counts),
            )
        )
    print_table(
        f"{len(runs):,} job runs",
        [moment("started"), key("job"), key("trigger"), key("status"), count("seconds")]
        + [text("detail", 3)],
        rows,
    )


def _counts(counts: dict[str, object] | None) -> str:
    """``1,204 suppressed, 88 deferred``: a job's counts as a person reads them."""
    if not counts:
        return ""
    return ", ".join(
        f"{v:,} {k}" if isinstance(v, int) and not isinstance(v, bool) else f"{k} {v}"
        for k, v in counts.items()
    )
