"""Dialer queue rows: bulk load, worked-out state, atomic claims, verdicts.

An entry's state is its lifecycle (``queue_entry.status``: ready, claimed,
done) plus its disposition: its own row in ``queue_verdict`` where it has
one, else its group's (``queue_group``). The scrub writes the set-based
parts (dnc.storage.scrub_repo).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

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

from dnc.numbers import PhoneNumber
from dnc.queue import Lead, QueueEntry, QueueStatus, reasons_from_json
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


def group_key(
    campaign: str, phone: PhoneNumber, location: str | None
) -> tuple[str, str, str, int, str]:
    return (campaign, phone.region, ",".join(phone.time_zones), phone.key // HEAD, location or "")


def _group_ids(
    conn: Connection, campaign: str, wanted: dict[tuple[str, str, str, int, str], int]
) -> dict[tuple[str, str, str, int, str], int]:
    """Ids of the groups ``wanted`` (key -> a sample number), creating missing ones."""
    rows = [
        {"campaign": c, "region": r, "zones": z, "head": h, "location": loc, "sample": sample}
        for (c, r, z, h, loc), sample in wanted.items()
    ]
    if rows:
        conn.execute(dialect_insert(conn, GROUP).on_conflict_do_nothing(), rows)
    found = conn.execute(
        select(
            GROUP.c.id,
            GROUP.c.campaign,
            GROUP.c.region,
            GROUP.c.zones,
            GROUP.c.head,
            GROUP.c.location,
        ).where(GROUP.c.campaign == campaign)
    )
    return {(c, r, z, h, loc): gid for gid, c, r, z, h, loc in found}


def insert_many(conn: Connection, campaign: str, rows: Sequence[Lead], at: datetime) -> int:
    """Queue leads; a number already queued for the campaign is left as it is
    (a suppressed one stays suppressed). Returns how many were added."""
    if not rows:
        return 0
    if conn.dialect.name == "postgresql":
        # Loads one at a time, so entry ids are committed in the order they
        # are given: a scrub that saw id N saw every entry up to N, which is
        # what its groups' ``checked_through`` claims. (SQLite has one writer.)
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOAD_LOCK})
    wanted: dict[tuple[str, str, str, int, str], int] = {}
    keys = []
    for phone, _, location, _ in rows:
        key = group_key(campaign, phone, location)
        wanted.setdefault(key, phone.key)
        keys.append(key)
    groups = _group_ids(conn, campaign, wanted)
    values = [
        {
            "campaign": campaign,
            "number": phone.key,
            "region": phone.region,
            "zones": key[2],
            "lead_id": lead_id,
            "location": location,
            "priority": priority,
            "status": QueueStatus.READY.value,
            "group_id": groups[key],
            "created_at": at,
            "updated_at": at,
        }
        for (phone, lead_id, location, priority), key in zip(rows, keys, strict=True)
    ]
    before = _count(conn, campaign)
    statement = dialect_insert(conn, ENTRY).on_conflict_do_nothing(
        index_elements=["campaign", "number"]
    )
    conn.execute(statement, values)
    return _count(conn, campaign) - before


def _count(conn: Connection, campaign: str) -> int:
    return int(conn.execute(select(func.count()).where(ENTRY.c.campaign == campaign)).scalar_one())


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
