"""Runs that died are seen as dead (issue 12, part 4): a scrub killed with
SIGKILL mid-run is recorded ``abandoned`` with the time it was last seen,
its lease is freed at once, and the history and the report show it."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

import dnc
from dnc.cli.app import app
from dnc.storage import jobs_repo

SCRUB = "import sys, dnc\nwith dnc.open(sys.argv[1]) as service:\n    service.scrub()\n"
ENTRIES = 4000


def _queue(service: dnc.Service, tmp_path: Path) -> None:
    path = tmp_path / "queue.csv"
    path.write_text("number\n" + "".join(f"+1201{2000000 + i}\n" for i in range(ENTRIES)))
    service.load_queue(path, "spring")


def _wait_for_running(service: dnc.Service, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(r.status == "running" for r in service.job_runs("scrub")):
            return
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else proc.returncode
        time.sleep(0.005)
    pytest.fail("the scrub never started")


def _hold_the_lease_row(db_url: str) -> tuple[object, object]:
    """Keep the scrub from writing (its lease renewal waits), so it is
    surely mid-run when it is killed."""
    if db_url.startswith("sqlite"):
        conn = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None, timeout=30)
        conn.execute("BEGIN IMMEDIATE")
        return conn, conn.close
    engine = sa.create_engine(db_url)
    pg = engine.connect()
    pg.begin()
    pg.execute(sa.text("SELECT * FROM job_lease FOR UPDATE"))

    def release() -> None:
        pg.rollback()
        pg.close()
        engine.dispose()

    return pg, release


def test_a_scrub_killed_mid_run_is_abandoned_and_its_lease_freed(
    db_url: str, clock: dnc.FixedClock, tmp_path: Path
) -> None:
    service = dnc.open(db_url, clock=clock, create=True)
    try:
        _queue(service, tmp_path)
        proc = subprocess.Popen(
            [sys.executable, "-c", SCRUB, db_url], stderr=subprocess.PIPE, cwd=tmp_path
        )
        _wait_for_running(service, proc)
        _, release = _hold_the_lease_row(db_url)
        try:
            time.sleep(0.3)
            assert proc.poll() is None, "the scrub finished before it could be killed"
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        finally:
            release()  # type: ignore[operator]

        [run] = service.job_runs("scrub")
        assert run.status == "abandoned", run
        assert run.pid == proc.pid and run.host
        assert run.last_seen_at is not None and run.finished_at == run.last_seen_at
        assert run.error and f":{proc.pid} is gone" in run.error and "last seen" in run.error

        # The lease is free at once: the next scrub runs (the dead run's lease
        # would otherwise block it for ten minutes).
        report = service.scrub()
        assert report.entries == ENTRIES
        statuses = [r.status for r in service.job_runs("scrub")]
        assert statuses == ["ok", "abandoned"]

        history = CliRunner().invoke(
            app, ["--database-url", db_url, "jobs", "history", "--job", "scrub", "--json"]
        )
        assert history.exit_code == 0, history.output
        assert "abandoned" in history.stdout and "last_seen_at" in history.stdout
        day = run.started_at.date()
        failures = service.report(since=day, until=day).failures
        assert [(f.job, f.error.split(":")[0]) for f in failures] == [("scrub", "abandoned")]
    finally:
        service.close()


def test_a_run_elsewhere_is_abandoned_when_its_lease_expires_and_not_before(
    db_url: str, clock: dnc.FixedClock
) -> None:
    service = dnc.open(db_url, clock=clock, create=True)
    try:
        owner = "ops@elsewhere:4242:0a0b0c0d"
        with service.store.unit(write=True) as uow:
            assert jobs_repo.acquire(
                uow.connection, "scrub", owner, clock.now(), timedelta(minutes=10)
            )
            jobs_repo.start(
                uow.connection,
                "scrub",
                "scheduled",
                clock.now(),
                host="elsewhere",
                pid=4242,
                lease_owner=owner,
            )
            uow.commit()
        # Another host's process cannot be looked at: its lease decides.
        with pytest.raises(dnc.ScrubBusyError):
            service.scrub()
        clock.advance(timedelta(minutes=11))
        service.scrub()
        runs = {r.status: r for r in service.job_runs("scrub")}
        assert set(runs) == {"ok", "abandoned", "skipped"}
        gone = runs["abandoned"]
        assert (
            gone.host == "elsewhere"
            and "lease" in (gone.error or "")
            and "expired" in (gone.error or "")
        )
        assert gone.finished_at == gone.last_seen_at
    finally:
        service.close()


def test_a_run_left_running_before_holders_were_recorded_is_abandoned_after_a_day(
    db_url: str, clock: dnc.FixedClock
) -> None:
    service = dnc.open(db_url, clock=clock, create=True)
    try:
        with service.store.unit(write=True) as uow:
            jobs_repo.start(uow.connection, "scrub", "scheduled", clock.now())  # no holder
            uow.commit()
        clock.advance(timedelta(hours=23))
        assert [r.status for r in service.job_runs("scrub")] == ["running"]
        clock.advance(timedelta(hours=2))
        [run] = service.job_runs("scrub")
        assert run.status == "abandoned" and "no holder on record" in (run.error or "")
    finally:
        service.close()
