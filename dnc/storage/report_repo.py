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

L = table(ListEntryRow)
A = table(AuditRow)
J = table(JobRunRow)


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
    day = _day(conn, L.c.created_at).label("day")
    query = (
        select(day, L.c.channel, func.count())
        .where(L.c.source == "opt_out", L.c.created_at >= since, L.c.created_at < until)
        .group_by(day, L.c.channel)
    )
    return [(_as_date(d), channel, int(n)) for d, channel, n in conn.execute(query)]


def three_nos(
    conn: Connection, since: datetime, until: datetime
) -> list[tuple[date, str | None, int]]:
    """Three-no's suppressions reached in [since, until), per day and campaign."""
    day = _day(conn, A.c.at).label("day")
    query = (
        select(day, A.c.subject, func.count())
        .where(A.c.action == "three_nos", A.c.at >= since, A.c.at < until)
        .group_by(day, A.c.subject)
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
        select(J.c.started_at, J.c.counts)
        .where(J.c.job == "scrub", J.c.status == "ok", J.c.started_at >= since)
        .where(J.c.started_at < until)
        .order_by(J.c.started_at)
    )
    return [(_instant(started), counts) for started, counts in conn.execute(query)]


def job_failures(conn: Connection, since: datetime, until: datetime) -> list[JobFailure]:
    query = (
        select(J.c.job, J.c.started_at, J.c.error)
        .where(J.c.status == "failed", J.c.started_at >= since, J.c.started_at < until)
        .order_by(J.c.started_at)
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
