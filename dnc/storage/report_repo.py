"""What a compliance report counts, counted by the database.

Counting happens in SQL (GROUP BY per UTC day); only the few scrub runs and
job failures of the period come back as rows.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, and_, cast, extract, false, func, or_, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from dnc.reports.model import Arrival, EntryTotals, JobFailure, ReceiptToEffect, is_late
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


def recorded_runs(
    conn: Connection, since: datetime, until: datetime
) -> list[tuple[int, date, str | None]]:
    """(id, UTC day, campaign or None for all) of every successful scrub started
    in [since, until) that recorded its entries' dispositions."""
    query = (
        select(JOB_RUN.c.id, JOB_RUN.c.started_at, JOB_RUN.c.counts)
        .where(JOB_RUN.c.job.in_(SCRUB_JOBS), JOB_RUN.c.status == "ok")
        .where(JOB_RUN.c.started_at >= since)
        .where(JOB_RUN.c.started_at < until)
        .order_by(JOB_RUN.c.id)
    )
    found = []
    for id_, started, raw in conn.execute(query):
        counts = _json(raw)
        if counts.get("dispositions_recorded") is True:
            campaign = counts.get("campaign")
            found.append(
                (
                    int(id_),
                    _instant(started).date(),
                    campaign if isinstance(campaign, str) else None,
                )
            )
    return found


def _json(raw: str | None) -> dict[str, Any]:
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


# -- scrub figures as distinct entries ---------------------------------------------
#
# ``queue_disposition`` holds one row per change of an entry's disposition
# (dnc.storage.scrub_repo.Walk.record_dispositions): a row stands for every
# run from ``since_run`` up to, not including, ``until_run``. A row counts in
# a period when one of the period's recorded runs falls in that span (and
# covered the row's campaign). Each entry then counts once, under the
# strongest disposition any of those runs gave it.

_RANK = "CASE {col} WHEN 'suppressed' THEN 1 WHEN 'held' THEN 2 WHEN 'deferred' THEN 3 ELSE 4 END"
RANKED = ("suppressed", "held", "deferred", "dialable")
_COVER = (
    "r.id >= d.since_run AND (d.until_run IS NULL OR r.id < d.until_run)"
    " AND (r.campaign IS NULL OR r.campaign = d.campaign)"
)


def scrub_entries(conn: Connection, runs: list[tuple[int, date, str | None]]) -> EntryTotals:
    """The distinct entries ``runs`` decided, each once: by disposition and
    campaign, removed and deferred by reason code, and per run day."""
    if not runs:
        return EntryTotals()
    values = ", ".join(
        f"(CAST(:i{n} AS INTEGER), CAST(:d{n} AS VARCHAR(10)), CAST(:c{n} AS VARCHAR(100)))"
        for n in range(len(runs))
    )
    params: dict[str, Any] = {"lo": runs[0][0], "hi": runs[-1][0]}
    for n, (id_, day, campaign) in enumerate(runs):
        params.update({f"i{n}": id_, f"d{n}": day.isoformat(), f"c{n}": campaign})
    head = f"WITH runs (id, day, campaign) AS (VALUES {values})"
    span = "d.since_run <= :hi AND (d.until_run IS NULL OR d.until_run > :lo)"
    ids = ", ".join(str(int(id_)) for id_, _, _ in runs)
    # Shortcuts before the probe of every run: a row written by one of the
    # runs is covered by it; with every run over all campaigns, a row open
    # before the first run and past it is covered by that first run.
    early = " d.since_run < :lo OR" if runs[0][2] is None else ""
    cover = f"({early} d.since_run IN ({ids}) OR EXISTS (SELECT 1 FROM runs r WHERE {_COVER}))"
    covered = (
        f"covered AS (SELECT d.entry_id, d.campaign, d.action, d.codes FROM queue_disposition d"
        f" WHERE {span} AND {cover})"
    )
    per_entry = (
        "per_entry AS (SELECT entry_id, min(campaign) AS campaign,"
        f" min({_RANK.format(col='action')}) AS rank FROM covered GROUP BY entry_id)"
    )
    with_entries = f"{head}, {covered}, {per_entry}"

    def run(sql: str, extra: dict[str, Any] | None = None) -> list[Any]:
        return list(conn.execute(text(sql), {**params, **(extra or {})}))

    by_campaign: dict[str, Counter[str]] = defaultdict(Counter)
    for campaign, rank, n in run(
        f"{with_entries} SELECT campaign, rank, count(*) FROM per_entry GROUP BY campaign, rank"
    ):
        by_campaign[str(campaign)][RANKED[int(rank) - 1]] += int(n)
    suppressed: Counter[str] = Counter()
    for codes, n in run(
        f"{head}, {covered} SELECT codes, count(*) FROM covered"
        " WHERE action = 'suppressed' GROUP BY codes"
    ):
        # One suppressed row per entry (a suppression is final): sums are exact.
        for code in _split(codes):
            suppressed[code] += int(n)
    deferred = _deferred_by_code(run, head, covered, with_entries)
    daily_deferred: Counter[date] = Counter()
    daily_suppressed: dict[date, Counter[str]] = defaultdict(Counter)
    mixed = _mid_day(runs)
    if mixed is None:
        few = ""  # runs over one campaign: every entry the exact, slower way
    else:
        # Every run over all campaigns: an entry none of whose rows began
        # after the first run of a day has at most one row covering each day,
        # so its rows are counted by span, not joined to each run.
        _by_span(run, span, mixed, runs, daily_deferred, daily_suppressed)
        if mixed == "1 = 0":
            few = None
        else:
            few = (
                " AND d.entry_id IN (SELECT m.entry_id FROM queue_disposition m"
                f" WHERE {mixed.replace('d.', 'm.')})"
            )
    if few is not None:
        for day, n in run(
            f"{head} SELECT day, count(*) FROM (SELECT r.day AS day, d.entry_id,"
            f" min({_RANK.format(col='d.action')}) AS rank FROM queue_disposition d"
            f" JOIN runs r ON {_COVER} WHERE {span}{few} GROUP BY r.day, d.entry_id) x"
            " WHERE rank = 3 GROUP BY day"
        ):
            daily_deferred[_as_date(day)] += int(n)
        for day, codes, n in run(
            f"{head} SELECT r.day, d.codes, count(*) FROM queue_disposition d"
            f" JOIN runs r ON {_COVER} WHERE {span}{few} AND d.action = 'suppressed'"
            " GROUP BY r.day, d.codes"
        ):
            for code in _split(codes):
                daily_suppressed[_as_date(day)][code] += int(n)
    return EntryTotals.of(
        by_campaign=by_campaign,
        suppressed_by_code=suppressed,
        deferred_by_code=deferred,
        daily_suppressed=daily_suppressed,
        daily_deferred=daily_deferred,
    )


def _mid_day(runs: list[tuple[int, date, str | None]]) -> str | None:
    """None when a run covered one campaign only; else the condition on a
    row that began after the first run of its day (its entry may have two
    rows that day), "1 = 0" when no day has two runs."""
    if any(campaign is not None for _, _, campaign in runs):
        return None
    days: dict[date, list[int]] = defaultdict(list)
    for id_, day, _ in runs:
        days[day].append(id_)
    ranges = [
        f"(d.since_run > {min(ids)} AND d.since_run <= {max(ids)})"
        for ids in days.values()
        if len(ids) > 1
    ]
    return " OR ".join(ranges) if ranges else "1 = 0"


def _by_span(
    run: Any,
    span: str,
    mixed: str,
    runs: list[tuple[int, date, str | None]],
    deferred: Counter[date],
    suppressed: dict[date, Counter[str]],
) -> None:
    """Per day, the rows of entries with at most one row a day: rows grouped
    by span, each span's run days added by a running sum (one pass over the
    rows, not one per run)."""
    ids = [id_ for id_, _, _ in runs]
    days = sorted({day for _, day, _ in runs})
    index = {day: n for n, day in enumerate(days)}
    day_of = [index[day] for _, day, _ in runs]
    others = (
        ""
        if mixed == "1 = 0"
        else " AND d.entry_id NOT IN (SELECT m.entry_id FROM queue_disposition m"
        f" WHERE {mixed.replace('d.', 'm.')})"
    )
    step: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * (len(days) + 1))
    for action, codes, since, until, n in run(
        "SELECT d.action, CASE WHEN d.action = 'suppressed' THEN d.codes ELSE '' END AS codes,"
        f" d.since_run, d.until_run, count(*) FROM queue_disposition d WHERE {span}{others}"
        " AND d.action IN ('suppressed', 'deferred')"
        " GROUP BY d.action, CASE WHEN d.action = 'suppressed' THEN d.codes ELSE '' END,"
        " d.since_run, d.until_run"
    ):
        first = bisect_left(ids, since)
        last = len(ids) if until is None else bisect_left(ids, until)
        if first >= last:
            continue  # no run of the period in its span
        marks = step[(str(action), str(codes))]
        marks[day_of[first]] += int(n)
        marks[day_of[last - 1] + 1] -= int(n)
    for (action, codes), marks in step.items():
        total = 0
        for n, day in enumerate(days):
            total += marks[n]
            if not total:
                continue
            if action == "deferred":
                deferred[day] += total
            else:
                for code in _split(codes):
                    suppressed[day][code] += total


def _deferred_by_code(run: Any, head: str, covered: str, with_entries: str) -> Counter[str]:
    """Entries counted as deferred, by the codes of their deferrals: an entry
    deferred for two reasons, or for one reason on two nights, counts once
    under each code."""
    codes = sorted(
        {
            code
            for (found,) in run(
                f"{head}, {covered} SELECT DISTINCT codes FROM covered WHERE action = 'deferred'"
            )
            for code in _split(found)
        }
    )
    if not codes:
        return Counter()
    columns = ", ".join(
        f"count(DISTINCT CASE WHEN ',' || c.codes || ',' LIKE :p{n} ESCAPE '!' THEN c.entry_id END)"
        for n in range(len(codes))
    )
    patterns = {f"p{n}": "%," + _escaped(code) + ",%" for n, code in enumerate(codes)}
    (row,) = run(
        f"{with_entries} SELECT {columns} FROM covered c JOIN per_entry e"
        " ON e.entry_id = c.entry_id AND e.rank = 3 WHERE c.action = 'deferred'",
        patterns,
    )
    return Counter({code: int(n) for code, n in zip(codes, row, strict=True) if n})


def _escaped(code: str) -> str:
    return code.replace("!", "!!").replace("%", "!%").replace("_", "!_")


def _split(codes: str | None) -> list[str]:
    return [c for c in (codes or "").split(",") if c]


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
