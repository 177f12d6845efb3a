"""What a compliance report counts, counted by the database.

Counting happens in SQL (GROUP BY per UTC day); only the few scrub runs and
job failures of the period come back as rows.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, cast, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from dnc.reports.model import JobFailure
from dnc.storage.schema import AuditRow, JobRunRow, ListEntryRow, table
from dnc.storage.types import as_utc

LIST_ENTRY = table(ListEntryRow)
AUDIT = table(AuditRow)
JOB_RUN = table(JobRunRow)
SCRUB_JOBS = ("scrub", "nightly-scrub")
"""A scrub run by hand and by the scheduler: both count in the report."""
REMOVALS = ("list_remove", "prefix_remove")
REPLACEMENT = "registry_import_full"


def _day(conn: Connection, column: Any) -> ColumnElement[Any]:
    """The UTC calendar day of a stored instant, in the dialect's own terms."""
    if conn.dialect.name == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    # SQLite keeps naive UTC text; date() reads its first ten characters.
    return func.date(column)


def _as_date(value: Any) -> date:
    if isinstance(value, str):
        return date.fromisoformat(value)
    if not isinstance(value, date):
        raise TypeError(f"not a day: {value!r}")
    return value


def opt_outs(
    conn: Connection, since: datetime, until: datetime
) -> list[tuple[date, str | None, int]]:
    """Opt-outs received in [since, until), per day and channel (removed ones too)."""
    day = _day(conn, LIST_ENTRY.c.created_at).label("day")
    query = (
        select(day, LIST_ENTRY.c.channel, func.count())
        .where(
            LIST_ENTRY.c.source == "opt_out",
            LIST_ENTRY.c.created_at >= since,
            LIST_ENTRY.c.created_at < until,
        )
        .group_by(day, LIST_ENTRY.c.channel)
    )
    return [(_as_date(d), channel, int(n)) for d, channel, n in conn.execute(query)]


def three_nos(
    conn: Connection, since: datetime, until: datetime
) -> list[tuple[date, str | None, int]]:
    """Three-no's suppressions reached in [since, until), per day and campaign."""
    day = _day(conn, AUDIT.c.at).label("day")
    query = (
        select(day, AUDIT.c.subject, func.count())
        .where(AUDIT.c.action == "three_nos", AUDIT.c.at >= since, AUDIT.c.at < until)
        .group_by(day, AUDIT.c.subject)
    )
    return [
        (_as_date(d), subject.partition(":")[2] if subject else None, int(n))
        for d, subject, n in conn.execute(query)
    ]


def scrub_runs(
    conn: Connection, since: datetime, until: datetime
) -> list[tuple[datetime, str | None]]:
    """Start time and counts JSON of every successful scrub started in [since, until)."""
    query = (
        select(JOB_RUN.c.started_at, JOB_RUN.c.counts)
        .where(JOB_RUN.c.job.in_(SCRUB_JOBS), JOB_RUN.c.status == "ok")
        .where(JOB_RUN.c.started_at >= since)
        .where(JOB_RUN.c.started_at < until)
        .order_by(JOB_RUN.c.started_at)
    )
    return [(_instant(started), counts) for started, counts in conn.execute(query)]


def audited(
    conn: Connection, actions: tuple[str, ...], since: datetime, until: datetime
) -> list[tuple[str, str | None, int]]:
    """(action, subject, count) of the audit records of ``actions`` in [since, until):
    list removals by list, registry replacements by registry."""
    query = (
        select(AUDIT.c.action, AUDIT.c.subject, func.count())
        .where(AUDIT.c.action.in_(actions), AUDIT.c.at >= since, AUDIT.c.at < until)
        .group_by(AUDIT.c.action, AUDIT.c.subject)
    )
    return [(action, subject, int(n)) for action, subject, n in conn.execute(query)]


def job_failures(conn: Connection, since: datetime, until: datetime) -> list[JobFailure]:
    query = (
        select(JOB_RUN.c.job, JOB_RUN.c.started_at, JOB_RUN.c.error)
        .where(
            JOB_RUN.c.status == "failed",
            JOB_RUN.c.started_at >= since,
            JOB_RUN.c.started_at < until,
        )
        .order_by(JOB_RUN.c.started_at)
    )
    return [
        JobFailure(job=job, started_at=_instant(started), error=error or "(no error recorded)")
        for job, started, error in conn.execute(query)
    ]


def _instant(value: Any) -> datetime:
    found = as_utc(value)
    if found is None:
        raise ValueError("a job run without a start time")
    return found
