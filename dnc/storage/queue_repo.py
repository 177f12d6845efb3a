"""Dialer queue rows: bulk load, worked-out state, atomic claims, verdicts.

An entry's state is its lifecycle (``queue_entry.status``: ready, claimed,
done) plus its disposition: its own row in ``queue_verdict`` where it has
one, else its group's (``queue_group``). The scrub writes the set-based
parts (dnc.storage.scrub_repo).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    Table,
    and_,
    case,
    func,
    literal,
    null,
    or_,
    select,
    text,
    type_coerce,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from dnc.queue import Lead, QueueEntry, QueueStatus, reasons_from_json
from dnc.storage.engine import CACHE_KIB
from dnc.storage.schema import QueueEntryRow, QueueGroupRow, QueueReasonRow, QueueVerdictRow, table
from dnc.storage.types import UTCDateTime, as_utc

ENTRY = table(QueueEntryRow)
GROUP = table(QueueGroupRow)
VERDICT = table(QueueVerdictRow)
REASON = table(QueueReasonRow)

_PG_LOAD_LOCK = 0x646E6351  # "dncQ"

# The number's leading digits that decide a group: number // 10^7. For a
# NANP number that is the country and area code; elsewhere a finer split
# than the rules need, which is safe.
HEAD = 10_000_000

# What an entry is, worked out from its lifecycle (queue_entry.status), its
# own verdict if it has one, else its group's. One definition, used by every
# read of the stored state: show, claims and the timeline. (The export and
# ``dialable`` decide afresh: dnc.queue_export.)
_OWN = VERDICT.c.entry_id.is_not(None)
ACTION = func.coalesce(VERDICT.c.action, GROUP.c.action)
LIFECYCLE = ENTRY.c.status
# Never decided: no verdict of its own, and a group not decided or decided
# before the entry was loaded (its id above what that scrub could see).
_UNCHECKED = and_(
    ~_OWN,
    or_(
        GROUP.c.action.is_(None),
        GROUP.c.checked_through.is_(None),
        ENTRY.c.id > GROUP.c.checked_through,
    ),
)
STATUS = case(
    (VERDICT.c.action == "suppressed", literal("suppressed")),
    (and_(GROUP.c.action == "suppressed", ~_UNCHECKED), literal("suppressed")),
    (LIFECYCLE != "ready", LIFECYCLE),
    (_UNCHECKED, literal("unchecked")),
    (ACTION == "held", literal("held")),
    (ACTION == "deferred", literal("deferred")),
    else_=literal("ready"),
)
NOT_BEFORE = type_coerce(
    case(
        (LIFECYCLE != "ready", null()),
        (_OWN, VERDICT.c.not_before),
        (_UNCHECKED, null()),
        else_=GROUP.c.not_before,
    ),
    UTCDateTime,
)
REASONS = case(
    (_OWN, REASON.c.reasons),
    (_UNCHECKED, null()),
    (or_(LIFECYCLE == "ready", GROUP.c.action == "suppressed"), GROUP.c.reasons),
    else_=null(),
)
SUPPRESSED_AT = type_coerce(
    case(
        (VERDICT.c.action == "suppressed", VERDICT.c.decided_at),
        (and_(GROUP.c.action == "suppressed", ~_UNCHECKED), GROUP.c.decided_at),
        else_=null(),
    ),
    UTCDateTime,
)
# When a ready entry's stored verdict lets it be claimed (checked or not:
# every claim is decided again).
DUE_FROM = type_coerce(case((_OWN, VERDICT.c.not_before), else_=GROUP.c.not_before), UTCDateTime)
DECIDED_AT = type_coerce(case((_OWN, VERDICT.c.decided_at), else_=GROUP.c.decided_at), UTCDateTime)
DECIDED = ENTRY.join(GROUP, GROUP.c.id == ENTRY.c.group_id).outerjoin(
    VERDICT, and_(VERDICT.c.number == ENTRY.c.number, VERDICT.c.entry_id == ENTRY.c.id)
)
JOINED = DECIDED.outerjoin(REASON, REASON.c.id == VERDICT.c.reason_id)

ENTRY_COLUMNS = (
    ENTRY.c.id,
    ENTRY.c.campaign,
    ENTRY.c.number,
    STATUS.label("status"),
    ENTRY.c.priority,
    ENTRY.c.lead_id,
    ENTRY.c.location,
    NOT_BEFORE.label("not_before"),
    REASONS.label("reasons"),
    SUPPRESSED_AT.label("suppressed_at"),
)
# What the timeline tells of each entry besides.
HISTORY_COLUMNS = (
    *ENTRY_COLUMNS,
    ENTRY.c.claimed_at,
    ENTRY.c.claimed_by,
    ENTRY.c.created_at,
    ENTRY.c.updated_at,
    DECIDED_AT.label("decided_at"),
)
CLAIM_COLUMNS = (
    ENTRY.c.id,
    ENTRY.c.campaign,
    ENTRY.c.number,
    ENTRY.c.region,
    ENTRY.c.zones,
    ENTRY.c.location,
)


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


def dialable_campaigns(conn: Connection, number: int) -> list[str]:
    """The campaigns whose queues hold ``number`` ready or claimed."""
    query = (
        select(ENTRY.c.campaign)
        .where(
            ENTRY.c.number == number,
            ENTRY.c.status.in_([QueueStatus.READY.value, QueueStatus.CLAIMED.value]),
        )
        .distinct()
    )
    return sorted(conn.execute(query).scalars())


def state_rows(conn: Connection, number: int) -> list[Any]:
    """Every queue entry of a number with its worked-out state, for the timeline."""
    query = select(*HISTORY_COLUMNS).select_from(JOINED).where(ENTRY.c.number == number)
    return list(conn.execute(query.order_by(ENTRY.c.id)))


LoadRow = tuple[int, str, tuple[str, ...], str | None, str | None, int]
"""One lead as stored: (number key, region, time zones, lead id, location, priority)."""

# SQLite's page cache while a load writes (KiB), then the engine's own again.
LOAD_CACHE_KIB = 262_144

# Leads written per statement: each chunk tells progress, and a PostgreSQL
# chunk's staging rows stay small enough to sort in memory.
CHUNK = 50_000

_ENTRY_COLUMNS = (
    "campaign, number, region, zones, lead_id, location, priority, status, group_id, "
    "created_at, updated_at"
)


def insert_many(
    conn: Connection,
    campaign: str,
    rows: Sequence[Lead] | Sequence[LoadRow],
    at: datetime,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Queue leads, in the order given (entry ids follow it); a number already
    queued for the campaign is left as it is (a suppressed one stays
    suppressed). Returns how many were added. ``progress(leads written)``
    is told after each chunk; all of it is one transaction, the caller's.

    Set-based: the leads' groups are worked out here and created in one
    statement; the entries go in by executemany (SQLite) or by COPY into a
    temporary table and INSERT ... SELECT (PostgreSQL), chunk by chunk.
    """
    if not rows:
        return 0
    if conn.dialect.name == "postgresql":
        # Loads one at a time, so entry ids are committed in the order they
        # are given: a scrub that saw id N saw every entry up to N, which is
        # what its groups' ``checked_through`` claims. (SQLite has one writer.)
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOAD_LOCK})
    leads = (
        [_load_row(r) for r in rows if isinstance(r, Lead)]
        if isinstance(rows[0], Lead)
        else cast(Sequence[LoadRow], rows)
    )
    joined: dict[tuple[str, ...], str] = {}
    wanted: dict[tuple[str, str, int, str], int] = {}  # group -> a sample number
    keys = []
    for number, region, zones, _, location, _ in leads:
        shown = joined.get(zones)
        if shown is None:
            shown = joined[zones] = ",".join(zones)
        key = (region, shown, number // HEAD, location or "")
        wanted.setdefault(key, number)
        keys.append(key)
    groups = _group_ids(conn, campaign, wanted)
    stamp = _bound(conn, ENTRY.c.created_at, at)
    ready = QueueStatus.READY.value
    # SQLite binds the instants with each row; PostgreSQL's INSERT ... SELECT
    # gives them once (a datetime a row would cost COPY more than the rest).
    stamps = () if conn.dialect.name == "postgresql" else (stamp, stamp)
    values = [
        (campaign, number, key[0], key[1], lead_id, location, priority, ready, groups[key]) + stamps
        for (number, _, _, lead_id, location, priority), key in zip(leads, keys, strict=True)
    ]
    del keys
    raw: Any = conn.connection.driver_connection
    cur = raw.cursor()
    try:
        if conn.dialect.name == "postgresql":
            return _copy_entries(cur, values, stamp, progress)
        sql = (
            f"INSERT INTO {ENTRY.name} ({_ENTRY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (campaign, number) DO NOTHING"
        )
        # The two indexes by number take the entries in random order: a
        # page cache that holds them saves reading pages back (~2x faster).
        cur.execute(f"PRAGMA cache_size=-{LOAD_CACHE_KIB}")
        try:
            added = 0
            for start in range(0, len(values), CHUNK):
                cur.executemany(sql, values[start : start + CHUNK])
                added += cur.rowcount
                if progress is not None:
                    progress(min(start + CHUNK, len(values)))
            return added
        finally:
            cur.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    finally:
        cur.close()


def _copy_entries(
    cur: Any,
    values: list[tuple[Any, ...]],
    stamp: Any,
    progress: Callable[[int], None] | None,
) -> int:
    # A chunk's staging rows are sorted into file order in memory, not on disk.
    cur.execute("SET LOCAL work_mem = '64MB'")
    cur.execute(
        "CREATE TEMP TABLE queue_load (seq INTEGER, campaign TEXT, number BIGINT, region TEXT, "
        "zones TEXT, lead_id TEXT, location TEXT, priority INTEGER, status TEXT, "
        "group_id INTEGER) ON COMMIT DROP"
    )
    insert = (
        f"INSERT INTO {ENTRY.name} ({_ENTRY_COLUMNS}) "
        "SELECT campaign, number, region, zones, lead_id, location, priority, status, group_id, "
        "%(at)s, %(at)s FROM queue_load ORDER BY seq ON CONFLICT (campaign, number) DO NOTHING"
    )
    added = 0
    for start in range(0, len(values), CHUNK):
        with cur.copy(
            "COPY queue_load (seq, campaign, number, region, zones, lead_id, location, "
            "priority, status, group_id) FROM STDIN"
        ) as copy:
            for seq, row in enumerate(values[start : start + CHUNK], start):
                copy.write_row((seq, *row))
        cur.execute(insert, {"at": stamp})
        added += cur.rowcount
        cur.execute("TRUNCATE queue_load")
        if progress is not None:
            progress(min(start + CHUNK, len(values)))
    return added


def _load_row(lead: Lead) -> LoadRow:
    phone, lead_id, location, priority = lead
    return phone.key, phone.region, phone.time_zones, lead_id, location, priority


def _bound(conn: Connection, column: Any, value: Any) -> Any:
    """``value`` as the column's type binds it in this dialect (a naive UTC
    string on SQLite), for statements run on the driver directly."""
    processor = column.type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    return processor(value) if processor is not None else value


def _group_ids(
    conn: Connection, campaign: str, wanted: dict[tuple[str, str, int, str], int]
) -> dict[tuple[str, str, int, str], int]:
    """Ids of the groups ``wanted`` (key -> a sample number), creating missing ones."""
    rows = [
        {"campaign": campaign, "region": r, "zones": z, "head": h, "location": loc, "sample": n}
        for (r, z, h, loc), n in wanted.items()
    ]
    conn.execute(dialect_insert(conn, GROUP).on_conflict_do_nothing(), rows)
    found = conn.execute(
        select(GROUP.c.id, GROUP.c.region, GROUP.c.zones, GROUP.c.head, GROUP.c.location).where(
            GROUP.c.campaign == campaign
        )
    )
    return {(r, z, h, loc): gid for gid, r, z, h, loc in found}


def dialect_insert(conn: Connection, target: Table) -> Any:
    """INSERT with ON CONFLICT, in the connection's dialect."""
    return (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(target)


def entries(
    conn: Connection,
    campaign: str | None,
    *,
    statuses: Sequence[QueueStatus] | None = None,
    due_at: datetime | None = None,
    number: int | None = None,
    limit: int | None = None,
) -> list[QueueEntry]:
    query = select(*ENTRY_COLUMNS).select_from(JOINED).order_by(ENTRY.c.priority.desc(), ENTRY.c.id)
    if campaign is not None:
        query = query.where(ENTRY.c.campaign == campaign)
    if statuses is not None:
        query = query.where(STATUS.in_([s.value for s in statuses]))
    if due_at is not None:
        query = query.where(or_(NOT_BEFORE.is_(None), NOT_BEFORE <= due_at))
    if number is not None:
        query = query.where(ENTRY.c.number == number)
    if limit is not None:
        query = query.limit(limit)
    return [entry_from_row(row) for row in conn.execute(query)]
