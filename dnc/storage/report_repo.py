"""What a compliance report counts, counted by the database.

Counting happens in SQL (GROUP BY per UTC day); only the few scrub runs and
job failures of the period come back as rows.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, and_, cast, extract, false, func, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from dnc.reports.model import Arrival, JobFailure, ReceiptToEffect, is_late
from dnc.storage.schema import AuditRow, JobRunRow, ListEntryRow, ReplyRow, table
from dnc.storage.types import as_utc

LIST_ENTRY = table(ListEntryRow)
AUDIT = table(AuditRow)
JOB_RUN = table(JobRunRow)
REPLY = table(ReplyRow)
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


def client_lists(
    client: str, campaigns: Collection[str], others: Collection[str] | None
) -> ColumnElement[bool]:
    """The entries on a client's lists: its own list and its campaigns' lists.
    ``campaigns``: the campaigns configured for it; ``others``: when the
    default campaign is the client's too, the campaigns configured for
    someone else (every other campaign is then the client's)."""
    found: list[ColumnElement[bool]] = [LIST_ENTRY.c.client == client]
    if campaigns:
        found.append(LIST_ENTRY.c.campaign.in_(sorted(campaigns)))
    if others is not None:
        rest: ColumnElement[bool] = LIST_ENTRY.c.campaign.is_not(None)
        if others:
            rest = and_(rest, LIST_ENTRY.c.campaign.not_in(sorted(others)))
        found.append(rest)
    return or_(false(), *found)


def opt_outs(
    conn: Connection,
    since: datetime,
    until: datetime,
    lists: ColumnElement[bool] | None = None,
) -> list[tuple[date, str | None, int]]:
    """Opt-outs received in [since, until), per day and channel (removed ones
    too); ``lists``: only the entries it admits (``client_lists``)."""
    day = _day(conn, LIST_ENTRY.c.created_at).label("day")
    query = (
        select(day, LIST_ENTRY.c.channel, func.count())
        .where(
            LIST_ENTRY.c.source == "opt_out",
            LIST_ENTRY.c.created_at >= since,
            LIST_ENTRY.c.created_at < until,
            *_only(lists),
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
            # A run that died (abandoned) failed as surely as one that raised.
            JOB_RUN.c.status.in_(("failed", "abandoned")),
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


# -- opt-outs by arrival, and the time from receipt to effect ------------------------
#
# An opt-out that came as a reply is the list entry a reply row points to
# (``reply.list_entry_id``); the reply row keeps whether it was read as a
# per-se keyword (``per_se``, from the ``per_se`` flag of the rule that
# fired, frozen when it was read: a later rule change does not rewrite how
# an old reply arrived). Any other opt-out entry was given explicitly.


def _only(lists: ColumnElement[bool] | None) -> tuple[ColumnElement[bool], ...]:
    return () if lists is None else (lists,)


def _opt_outs_with_replies(
    since: datetime, until: datetime, lists: ColumnElement[bool] | None = None
) -> Any:
    return LIST_ENTRY.outerjoin(REPLY, REPLY.c.list_entry_id == LIST_ENTRY.c.id), (
        LIST_ENTRY.c.source == "opt_out",
        LIST_ENTRY.c.created_at >= since,
        LIST_ENTRY.c.created_at < until,
        *_only(lists),
    )


def opt_out_arrivals(
    conn: Connection,
    since: datetime,
    until: datetime,
    lists: ColumnElement[bool] | None = None,
) -> list[tuple[str, int]]:
    """Opt-outs received in [since, until) by how they arrived: ``keyword``,
    ``phrase`` or ``explicit`` (the same entries ``opt_outs`` counts)."""
    joined, where = _opt_outs_with_replies(since, until, lists)
    # Grouped on the reply's per_se column: NULL is an entry no reply made.
    query = select(REPLY.c.per_se, func.count()).select_from(joined).where(*where)
    found = conn.execute(query.group_by(REPLY.c.per_se))
    return [
        (Arrival.EXPLICIT if per_se is None else Arrival.KEYWORD if per_se else Arrival.PHRASE, n)
        for per_se, n in found
    ]


def _received() -> ColumnElement[Any]:
    """When an opt-out was received: its reply's arrival, else the time it was given for."""
    return func.coalesce(REPLY.c.received_at, LIST_ENTRY.c.created_at)


def _lag(conn: Connection) -> ColumnElement[Any]:
    """Seconds from receipt (the reply's arrival, else the opt-out's time) to
    effect (the list entry recorded), in the dialect's own terms."""
    received = _received()
    if conn.dialect.name == "postgresql":
        return extract("epoch", LIST_ENTRY.c.recorded_at - received)
    # SQLite's julianday() keeps milliseconds.
    return (func.julianday(LIST_ENTRY.c.recorded_at) - func.julianday(received)) * 86400.0


def receipt_to_effect(
    conn: Connection,
    since: datetime,
    until: datetime,
    lists: ColumnElement[bool] | None = None,
) -> ReceiptToEffect:
    """Min, median and max time from receipt to effect of the opt-outs received
    in [since, until), and how many took longer than the legal limit."""
    joined, where = _opt_outs_with_replies(since, until, lists)
    lag = _lag(conn).label("lag")
    count, low, high = conn.execute(
        select(func.count(), func.min(lag), func.max(lag)).select_from(joined).where(*where)
    ).one()
    if not count:
        return ReceiptToEffect()
    # The median: the middle one or two lags in order (no percentile function in SQLite).
    middle = [
        float(v)
        for (v,) in conn.execute(
            select(lag)
            .select_from(joined)
            .where(*where)
            .order_by(lag)
            .offset((count - 1) // 2)
            .limit(2 - count % 2)
        )
    ]
    # Only an opt-out that took more than ten calendar days can have taken more
    # than ten business days: those few are judged one by one.
    slow = conn.execute(
        select(
            func.coalesce(REPLY.c.received_at, LIST_ENTRY.c.created_at), LIST_ENTRY.c.recorded_at
        )
        .select_from(joined)
        .where(*where, lag > SLOW_SECONDS)
    )
    late = sum(is_late(_instant(received), _instant(done)) for received, done in slow)
    return ReceiptToEffect(
        count=int(count),
        min_seconds=_seconds(low),
        median_seconds=_seconds(sum(middle) / len(middle)),
        max_seconds=_seconds(high),
        late=late,
    )


SLOW_SECONDS = 10 * 86400


def _seconds(value: Any) -> float:
    return round(float(value), 3)
