"""Call outcomes in the database: one row per attempt, never changed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, literal_column, or_, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.sql import FromClause, Select

from dnc.outcomes import Outcome, OutcomeRecord
from dnc.storage.inserts import insert_rows
from dnc.storage.schema import CallOutcomeRow, table
from dnc.storage.types import as_utc

OUTCOME = table(CallOutcomeRow)

COLUMNS = (
    OUTCOME.c.id,
    OUTCOME.c.campaign,
    OUTCOME.c.outcome,
    OUTCOME.c.at,
    OUTCOME.c.refusals,
    OUTCOME.c.callback_at,
    OUTCOME.c.agent,
    OUTCOME.c.note,
)

# One key space per kind of per-number lock, so an outcome lock never
# waits on an unrelated advisory lock that happens to share the number.
_PG_NUMBER_LOCK_SPACE = 0x6F75  # "ou"


# A dict lookup is ten times cheaper than Outcome(value), and this runs per row per check.
_OUTCOMES = {o.value: o for o in Outcome}


def record_from_row(row: Sequence[Any]) -> OutcomeRecord:
    """Build a record from COLUMNS values (ORM row or raw DBAPI tuple)."""
    at = as_utc(row[3])
    if at is None:
        raise ValueError(f"call outcome {row[0]} has no time")
    return OutcomeRecord(
        id=row[0],
        campaign=row[1],
        outcome=_OUTCOMES[row[2]],
        at=at,
        refusals=row[4],
        callback_at=as_utc(row[5]),
        agent=row[6],
        note=row[7],
    )


# Where the hot read's extra column sits: after COLUMNS (whose second is the campaign).
_CAMPAIGN, _TOTAL = 1, len(COLUMNS)


def attempt_totals(rows: Iterable[Sequence[Any]]) -> dict[str, int]:
    """Each campaign's total attempts, from ``hot_query`` rows (one number's)."""
    return {row[_CAMPAIGN]: row[_TOTAL] for row in rows}


def hot_query(batch: FromClause | None = None) -> Select[Any]:
    """The check's read: only the rows of one number that can still matter.

    Every row is one attempt, so a long-dialled number accumulates rows; the
    check must not carry them all into Python. Still relevant are: every
    refusal (the three no's count them; a suppressed number stops being
    called, so they stay few), the latest outcome of each campaign (callback
    and retry state), and every attempt since ``:since`` (per-day limits and
    frequency caps). Each returned row carries its campaign's total attempt
    count, counted by the database over the index.

    Correlated subqueries rather than window functions: on SQLite a window
    costs ~5 µs even for a number with no rows (most numbers), this ~2 µs.
    A summary table would also do, but would be one more thing to keep
    exact under concurrent writers; this needs nothing but the append.
    """
    row, later, same = OUTCOME.alias("o"), OUTCOME.alias("later"), OUTCOME.alias("same")
    total = (
        select(func.count())
        .where(same.c.number == row.c.number, same.c.campaign == row.c.campaign)
        .scalar_subquery()
    )
    superseded = (
        select(literal_column("1"))
        .where(
            later.c.number == row.c.number,
            later.c.campaign == row.c.campaign,
            or_(later.c.at > row.c.at, and_(later.c.at == row.c.at, later.c.id > row.c.id)),
        )
        .exists()
    )
    # Constants are inlined: the hot path binds only :n and :since.
    relevant = or_(
        row.c.refusals > literal_column("0"), row.c.at >= bindparam("since"), ~superseded
    )
    columns = (*(row.c[c.name] for c in COLUMNS), total.label("attempts_total"))
    if batch is not None:
        # The same read for every number in ``batch`` (scrub, check_many),
        # led by the number so rows can be grouped.
        return select(row.c.number, *columns).where(row.c.number.in_(select(batch.c.key)), relevant)
    return select(*columns).where(row.c.number == bindparam("n"), relevant)


def bind_instant(dialect: str, value: datetime) -> Any:
    """An instant as a raw DBAPI parameter, in the form the column stores.

    The hot path bypasses SQLAlchemy's type processing; SQLite stores
    SQLAlchemy's text form of naive UTC, which compares correctly as text.
    """
    utc = value.astimezone(UTC)
    if dialect == "sqlite":
        return utc.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    return utc


def lock_number(conn: Connection, number: int) -> None:
    """Serialise writers of one number's outcomes until the transaction ends."""
    lock_numbers(conn, [number])


def lock_numbers(conn: Connection, numbers: Iterable[int]) -> None:
    """Serialise writers of these numbers' outcomes until the transaction ends.

    SQLite writers already are (BEGIN IMMEDIATE). On PostgreSQL two dialers
    recording refusals at the same moment would each count without the
    other's uncommitted row; the locks make before/after states and the
    three-no's crossing exact. Taken in number order, so two writers of
    overlapping sets never wait on each other in a circle.
    """
    if conn.dialect.name != "postgresql":
        return
    conn.execute(
        text(
            "SELECT count(pg_advisory_xact_lock(:space, hashtext(k)))"
            " FROM (SELECT k FROM unnest(CAST(:keys AS text[])) AS k ORDER BY k) AS wanted"
        ),
        {"space": _PG_NUMBER_LOCK_SPACE, "keys": sorted({str(n) for n in numbers})},
    )


def insert_outcomes(
    conn: Connection,
    rows: Sequence[tuple[int, OutcomeRecord, str]],
    recorded_at: datetime,
) -> list[OutcomeRecord]:
    """Insert (number, record, actor) rows in one statement; returns them as
    stored, in order."""
    if not rows:
        return []
    values = [
        {
            "number": number,
            "campaign": record.campaign,
            "outcome": record.outcome.value,
            "at": record.at,
            "refusals": record.refusals,
            "callback_at": record.callback_at,
            "agent": record.agent,
            "note": record.note,
            "actor": actor,
            "recorded_at": recorded_at,
        }
        for number, record, actor in rows
    ]
    return [record_from_row(row) for row in insert_rows(conn, OUTCOME, values, COLUMNS)]


def of_numbers(conn: Connection, numbers: Iterable[int]) -> dict[int, list[OutcomeRecord]]:
    """Every outcome of each number, oldest first (numbers read in chunks)."""
    found: dict[int, list[OutcomeRecord]] = {}
    wanted = sorted(set(numbers))
    for start in range(0, len(wanted), 500):
        query = (
            select(OUTCOME.c.number, *COLUMNS)
            .where(OUTCOME.c.number.in_(wanted[start : start + 500]))
            .order_by(OUTCOME.c.at, OUTCOME.c.id)
        )
        for row in conn.execute(query):
            found.setdefault(row[0], []).append(record_from_row(row[1:]))
    return found


def for_number(
    conn: Connection, number: int, campaign: str | None = None, limit: int | None = None
) -> list[OutcomeRecord]:
    """Every outcome of a number (optionally one campaign), oldest first."""
    query = select(*COLUMNS).where(OUTCOME.c.number == number).order_by(OUTCOME.c.at, OUTCOME.c.id)
    if campaign is not None:
        query = query.where(OUTCOME.c.campaign == campaign)
    if limit is not None:
        query = query.order_by(None).order_by(OUTCOME.c.at.desc(), OUTCOME.c.id.desc()).limit(limit)
        return [record_from_row(row) for row in reversed(list(conn.execute(query)))]
    return [record_from_row(row) for row in conn.execute(query)]
