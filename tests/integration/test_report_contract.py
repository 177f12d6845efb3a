"""Reports count what happened in the period, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import socket
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

import dnc
from dnc.storage.schema import JobRunRow, table

DAY1 = datetime(2026, 11, 2, 10, tzinfo=UTC)
JOBS = table(JobRunRow)


def _runs(service: dnc.Service, *rows: dict[str, object]) -> None:
    with service.store.engine.begin() as conn:
        for row in rows:
            conn.execute(sa.insert(JOBS).values(trigger="cron", **row))


def test_opt_outs_are_counted_by_channel_and_day_within_the_period(service: dnc.Service) -> None:
    service.opt_out("2015550101", channel="sms", at=DAY1)
    service.opt_out("2015550102", channel="sms", at=DAY1 + timedelta(hours=13))
    service.opt_out("2015550103", channel="web", at=DAY1 + timedelta(days=1))
    service.opt_out("2015550104", channel="call", at=DAY1 - timedelta(days=1))  # before
    service.add_to_list("2015550105", reason="complaint", at=DAY1)  # not an opt-out

    report = service.report(date(2026, 11, 2), date(2026, 11, 3), at=DAY1 + timedelta(days=2))

    assert dict(report.opt_outs_by_channel) == {"sms": 2, "web": 1}
    assert [(d.day.day, d.opt_outs) for d in report.daily] == [(2, 2), (3, 1)]


def test_scrub_counts_and_job_failures_come_from_job_runs(service: dnc.Service) -> None:
    counts = {
        "entries": 10,
        "suppressed": 3,
        "deferred": 2,
        "dialable": 5,
        "by_reason": {
            "DNC_INTERNAL": {"suppressed": 2, "deferred": 0},
            "THREE_NOS": {"suppressed": 1, "deferred": 0},
            "OUTSIDE_HOURS": {"suppressed": 0, "deferred": 2},
        },
        "by_campaign": {"spring": {"suppressed": 3, "deferred": 2}},
        "seconds": 0.25,
    }
    _runs(
        service,
        {"job": "scrub", "status": "ok", "started_at": DAY1, "counts": json.dumps(counts)},
        {"job": "scrub", "status": "ok", "started_at": DAY1 + timedelta(days=9), "counts": "{}"},
        {"job": "scrub", "status": "failed", "started_at": DAY1, "error": "disk full\ntrace"},
        # Still running (in this very process): not a failure.
        {
            "job": "consent_expiry",
            "status": "running",
            "started_at": DAY1,
            "host": socket.gethostname(),
            "pid": os.getpid(),
        },
    )
    report = service.report(date(2026, 11, 2), date(2026, 11, 2), at=DAY1)
    assert report.scrub.runs == 1
    assert report.scrub.by_reason["DNC_INTERNAL"].suppressed == 2
    assert report.scrub.by_campaign["spring"].deferred == 2
    assert report.daily[0].scrub_suppressed == {"DNC_INTERNAL": 2, "THREE_NOS": 1}
    assert [(f.job, f.error) for f in report.failures] == [("scrub", "disk full\ntrace")]


def test_three_nos_and_registry_ages_are_reported(service: dnc.Service) -> None:
    service.record_outcome("2015550123", "spring", "refused", at=DAY1, refusals=3)
    today = service.now()
    report = service.report(today.date(), today.date(), at=today)
    assert dict(report.three_nos_by_campaign) == {"spring": 1}
    assert {r.registry for r in report.registries} >= {"us-national", "uk-tps"}
    assert all(r.state == "missing" for r in report.registries)


def test_default_period_is_the_last_thirty_days(service: dnc.Service) -> None:
    report = service.report(at=DAY1)
    assert (report.since, report.until) == (date(2026, 10, 4), date(2026, 11, 2))
    assert len(report.daily) == 30
