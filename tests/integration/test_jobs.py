"""Scheduled jobs: fixed ids, every run recorded, failures recorded and raised."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from typer.testing import CliRunner

import dnc
from dnc.cli.app import app
from dnc.jobs import scheduler, tasks


def test_the_scheduler_registers_each_job_once_under_a_fixed_id(db_url: str) -> None:
    with dnc.open(db_url, create=True) as service:
        for _ in range(2):  # a restart replaces, never duplicates
            sched = scheduler.build(service)
            jobs = {job.id: job for job in sched.get_jobs()}
    assert set(jobs) == {
        tasks.NIGHTLY_SCRUB,
        tasks.REGISTRY_FRESHNESS,
        tasks.CONSENT_EXPIRY,
        tasks.STORAGE_INTEGRITY,
    }
    scrub = jobs[tasks.NIGHTLY_SCRUB]
    assert scrub.coalesce is True and scrub.max_instances == 1
    assert scrub.misfire_grace_time == 3600
    assert scrub.func_ref == "dnc.jobs.tasks:nightly_scrub"
    # Job arguments are stored in the database: no connection URL (or password) among them.
    assert scrub.kwargs == {"trigger": "scheduled"}
    assert "hour='2'" in str(scrub.trigger)


def test_every_run_is_recorded(db_url: str) -> None:
    dnc.open(db_url, create=True).close()  # what `dnc init` does
    tasks.nightly_scrub(db_url, None, trigger="manual")
    tasks.registry_freshness(db_url, None, trigger="manual")
    tasks.consent_expiry(db_url, None, trigger="manual")
    with dnc.open(db_url) as service:
        runs = {r.job: r for r in service.job_runs()}
    # Each under its job's own name, as `dnc jobs history --job NAME` finds it.
    assert runs["nightly-scrub"].status == "ok"
    # The test configuration requires no registry: nothing to warn about.
    assert runs["registry-freshness"].status == "ok"
    assert runs["consent-expiry"].status == "ok"


def test_a_failing_job_records_its_failure_and_raises(db_url: str) -> None:
    with dnc.open(db_url, create=True) as service, service.store.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE queue_entry"))
    # The scrub pages on the driver's own cursor: its error is the driver's.
    with pytest.raises((sa.exc.DBAPIError, sqlite3.Error, psycopg.Error)):
        tasks.nightly_scrub(db_url, None, trigger="manual")
    with dnc.open(db_url, migrate_schema=False) as service:
        [run] = service.job_runs("nightly-scrub")
    assert run.status == "failed"
    assert run.error and "queue_entry" in run.error


def test_consent_expiry_records_each_lapse_once(db_url: str) -> None:
    with dnc.open(db_url, create=True) as service:
        service.add_consent(
            "2015550123",
            "ebr_inquiry",
            brand="acme",
            # An inquiry EBR lasts 3 months: this one lapsed an hour ago.
            at=datetime.now(UTC) - relativedelta(months=3) - timedelta(hours=1),
        )
    tasks.consent_expiry(db_url, None, trigger="manual")
    tasks.consent_expiry(db_url, None, trigger="manual")
    with dnc.open(db_url) as service:
        expired = [r for r in service.history("2015550123") if r.action == "consent_expired"]
    assert len(expired) == 1


def test_jobs_cli_runs_one_and_shows_history(sqlite_url: str) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["--database-url", sqlite_url, "init"]).exit_code == 0
    ran = runner.invoke(
        app, ["--database-url", sqlite_url, "jobs", "run", "nightly-scrub", "--json"]
    )
    assert ran.exit_code == 0, ran.output
    assert json.loads(ran.stdout)["entries"] == 0
    bad = runner.invoke(app, ["--database-url", sqlite_url, "jobs", "run", "weekly-party"])
    assert bad.exit_code == 2 and "weekly-party" in bad.stderr
    shown = runner.invoke(app, ["--database-url", sqlite_url, "jobs", "history", "--json"])
    assert [r["job"] for r in json.loads(shown.stdout)] == ["nightly-scrub"]


def test_two_dialer_processes_never_get_the_same_entry(db_url: str) -> None:
    with dnc.open(db_url, create=True) as service:
        for n in range(120):
            service.enqueue("spring", f"+1201555{n:04d}")
    at = "2026-11-23T15:00:00+00:00"
    script = (
        "import sys, json, dnc\n"
        "from datetime import datetime\n"
        "svc = dnc.open(sys.argv[1])\n"
        "got = []\n"
        "at = datetime.fromisoformat(sys.argv[2])\n"
        "for _ in range(8):\n"
        "    got += [e.id for e in svc.next_calls('spring', 10, at=at)]\n"
        "print(json.dumps(got))\n"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, db_url, at], stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    claimed = [json.loads(p.communicate(timeout=120)[0]) for p in procs]
    assert not set(claimed[0]) & set(claimed[1])
    assert len(claimed[0]) + len(claimed[1]) == 120
