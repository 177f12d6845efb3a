"""Dialer queue rows: bulk load, chunked reads for the scrub, atomic claims."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from dnc.numbers import PhoneNumber
from dnc.queue import QueueEntry, QueueStatus, reasons_from_json
from dnc.storage.schema import QueueEntryRow, table
from dnc.storage.types import as_utc

Q = table(QueueEntryRow)

ENTRY_COLUMNS = (
    Q.c.id,
    Q.c.campaign,
    Q.c.number,
    Q.c.status,
    Q.c.priority,
    Q.c.lead_id,
    Q.c.location,
    Q.c.not_before,
    Q.c.reasons,
    Q.c.suppressed_at,
)
SCRUB_COLUMNS = (Q.c.id, Q.c.campaign, Q.c.number, Q.c.region, Q.c.zones, Q.c.location)


def entry_from_row(row: Sequence[Any]) -> QueueEntry:
    return QueueEntry(
        id=row[0],
        campaign=row[1],
        number=f"+{row[2]}",
        status=QueueStatus(row[3]),
        priority=row[4],
        lead_id=row[5],
        location=row[6],
        not_before=as_utc(row[7]),
        reasons=reasons_from_json(row[8]),
        suppressed_at=as_utc(row[9]),
    )


def insert_many(
    conn: Connection,
    campaign: str,
    rows: Sequence[tuple[PhoneNumber, str | None, str | None, int]],
    at: datetime,
) -> int:
    """Insert (number, lead id, location, priority) rows; a number already queued
    for the campaign is left as it is (a suppressed one stays suppressed).
    Returns how many were added."""
    if not rows:
        return 0
    values = [
        {
            "campaign": campaign,
            "number": phone.key,
            "region": phone.region,
            "zones": ",".join(phone.time_zones),
            "lead_id": lead_id,
            "location": location,
            "priority": priority,
            "status": QueueStatus.READY.value,
            "created_at": at,
            "updated_at": at,
        }
        for phone, lead_id, location, priority in rows
    ]
    before = _count(conn, campaign)
    dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    statement = dialect_insert(Q).on_conflict_do_nothing(index_elements=["campaign", "number"])
    conn.execute(statement, values)
    return _count(conn, campaign) - before


def _count(conn: Connection, campaign: str) -> int:
    return int(conn.execute(select(func.count()).where(Q.c.campaign == campaign)).scalar_one())


def entries(
    conn: Connection,
    campaign: str | None,
    *,
    statuses: Sequence[QueueStatus] | None = None,
    due_at: datetime | None = None,
    number: int | None = None,
    limit: int | None = None,
) -> list[QueueEntry]:
    query = select(*ENTRY_COLUMNS).order_by(Q.c.priority.desc(), Q.c.id)
    if campaign is not None:
        query = query.where(Q.c.campaign == campaign)
    if statuses is not None:
        query = query.where(Q.c.status.in_([s.value for s in statuses]))
    if due_at is not None:
        query = query.where(or_(Q.c.not_before.is_(None), Q.c.not_before <= due_at))
    if number is not None:
        query = query.where(Q.c.number == number)
    if limit is not None:
        query = query.limit(limit)
    return [entry_from_row(row) for row in conn.execute(query)]


def chunk_after(
    conn: Connection, campaign: str | None, after: int, size: int
) -> list[tuple[Any, ...]]:
    """The next ``size`` ready or held entries with id > ``after`` (keyset paging)."""
    # Read on the driver's cursor: a scrub pages through a million rows and
    # SQLAlchemy's row handling would cost more than the read.
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    sql = (
        "SELECT id, campaign, number, region, zones, location FROM queue_entry"
        f" WHERE id > {mark} AND status IN ('ready', 'held')"
        + (f" AND campaign = {mark}" if campaign is not None else "")
        + f" ORDER BY id LIMIT {int(size)}"
    )
    params = (after, campaign) if campaign is not None else (after,)
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]
    finally:
        cursor.close()


def suppress_number(
    conn: Connection, number: int, campaign: str | None, reasons_json: str, at: datetime
) -> int:
    """Take a number out of every dialable queue (or one campaign's) at once."""
    where = [
        Q.c.number == number,
        Q.c.status.in_(
            [QueueStatus.READY.value, QueueStatus.HELD.value, QueueStatus.CLAIMED.value]
        ),
    ]
    if campaign is not None:
        where.append(Q.c.campaign == campaign)
    result = conn.execute(
        update(Q)
        .where(and_(*where))
        .values(
            status=QueueStatus.SUPPRESSED.value,
            reasons=reasons_json,
            suppressed_at=at,
            updated_at=at,
        )
    )
    return int(result.rowcount or 0)


def claim(
    conn: Connection,
    campaign: str,
    limit: int,
    at: datetime,
    owner: str,
    stale_before: datetime,
) -> list[tuple[Any, ...]]:
    """Claim up to ``limit`` due entries for ``owner``; no two callers get the same one.

    PostgreSQL: FOR UPDATE SKIP LOCKED lets concurrent dialers take different
    rows without waiting. SQLite: the write transaction (BEGIN IMMEDIATE)
    serialises claimers, so the select-then-update is atomic.
    A claim older than ``stale_before`` (a dialer that died) is due again.
    """
    due = or_(
        and_(
            Q.c.status == QueueStatus.READY.value,
            or_(Q.c.not_before.is_(None), Q.c.not_before <= at),
        ),
        and_(Q.c.status == QueueStatus.CLAIMED.value, Q.c.claimed_at < stale_before),
    )
    pick = (
        select(Q.c.id)
        .where(Q.c.campaign == campaign, due)
        .order_by(Q.c.priority.desc(), Q.c.not_before.asc().nulls_first(), Q.c.id)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    ids = [row[0] for row in conn.execute(pick)]
    if not ids:
        return []
    conn.execute(
        update(Q)
        .where(Q.c.id.in_(ids))
        .values(status=QueueStatus.CLAIMED.value, claimed_at=at, claimed_by=owner, updated_at=at)
    )
    rows = conn.execute(select(*SCRUB_COLUMNS, Q.c.lead_id, Q.c.priority).where(Q.c.id.in_(ids)))
    return [tuple(r) for r in rows]


def finish_claimed(
    conn: Connection, number: int, campaign: str, status: QueueStatus, at: datetime
) -> None:
    """A dialer reported the call: its claimed entry is done, or ready again for a retry."""
    conn.execute(
        update(Q)
        .where(
            Q.c.number == number,
            Q.c.campaign == campaign,
            Q.c.status == QueueStatus.CLAIMED.value,
        )
        .values(status=status.value, claimed_at=None, claimed_by=None, updated_at=at)
    )


# The scrub writes up to a million rows: statements written once per dialect
# and run with the driver's executemany, skipping SQLAlchemy's per-row work.
# Every statement is guarded by the status it expects ({guard}), so an entry
# a dialer claimed meanwhile is not touched by a scrub, and vice versa.
# Leaving a claim clears it.
_FAST = {
    "suppressed": "UPDATE queue_entry SET status = 'suppressed', reasons = {r}, "
    "suppressed_at = {at}, claimed_at = NULL, claimed_by = NULL, updated_at = {at} "
    "WHERE id = {id} AND status IN ({guard})",
    # A ready entry keeps its status: setting it would rewrite its index entry.
    "deferred-ready": "UPDATE queue_entry SET not_before = {nb}, reasons = {r}, "
    "updated_at = {at} WHERE id = {id} AND status = 'ready'",
    "deferred": "UPDATE queue_entry SET status = 'ready', not_before = {nb}, reasons = {r}, "
    "claimed_at = NULL, claimed_by = NULL, updated_at = {at} "
    "WHERE id = {id} AND status IN ({guard})",
    "held": "UPDATE queue_entry SET status = 'held', reasons = {r}, claimed_at = NULL, "
    "claimed_by = NULL, updated_at = {at} WHERE id = {id} AND status IN ({guard})",
    # Only a held entry changes when it becomes dialable.
    "dialable": "UPDATE queue_entry SET status = 'ready', reasons = NULL, updated_at = {at} "
    "WHERE id = {id} AND status = 'held'",
}

_SCRUBBED = (QueueStatus.READY, QueueStatus.HELD)


def apply_fast(
    conn: Connection,
    updates: Mapping[Any, Sequence[tuple[int, str | None, Any]]],
    at: datetime,
    expect: Sequence[QueueStatus] = _SCRUBBED,
) -> None:
    """Write dispositions, (entry id, reasons JSON, not_before) per action, each
    action as one driver-level executemany."""
    sqlite_ = conn.dialect.name == "sqlite"
    mark = "?" if sqlite_ else "%s"
    stamp = _instant(at, sqlite_)
    guard = ", ".join(f"'{status.value}'" for status in expect)
    others = ", ".join(f"'{s.value}'" for s in expect if s is not QueueStatus.READY)
    for action, rows in updates.items():
        if not rows:
            continue
        name = str(getattr(action, "value", action))
        sql = _FAST[name].format(r=mark, at=mark, id=mark, nb=mark, guard=guard)
        params: list[tuple[Any, ...]]
        if name == "suppressed":
            params = [(r, stamp, stamp, i) for i, r, _ in rows]
        elif name == "deferred":
            params = [(_instant(nb, sqlite_), r, stamp, i) for i, r, nb in rows]
            if QueueStatus.READY in expect:
                ready = _FAST["deferred-ready"].format(r=mark, at=mark, id=mark, nb=mark)
                conn.exec_driver_sql(ready, params)
            if not others:
                continue
            sql = _FAST[name].format(r=mark, at=mark, id=mark, nb=mark, guard=others)
        elif name == "held":
            params = [(r, stamp, i) for i, r, _ in rows]
        else:
            # Only a held entry changes when it becomes dialable.
            params = [(stamp, i) for i, _, _ in rows]
        conn.exec_driver_sql(sql, params)


@lru_cache(maxsize=4096)
def _instant(value: datetime | None, sqlite_: bool) -> Any:
    if value is None or not sqlite_:
        return value
    # SQLite keeps SQLAlchemy's text form of naive UTC (see UTCDateTime).
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
