"""Dialer queue rows: bulk load, worked-out state, atomic claims, verdicts.

An entry's state is its lifecycle (``queue_entry.status``: ready, claimed,
done) plus its disposition: its own row in ``queue_verdict`` where it has
one, else its group's (``queue_group``). The scrub writes the set-based
parts (dnc.storage.scrub_repo).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Table,
    and_,
    bindparam,
    case,
    delete,
    func,
    literal,
    null,
    or_,
    select,
    text,
    type_coerce,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from dnc.numbers import PhoneNumber
from dnc.queue import QueueEntry, QueueStatus, reasons_from_json
from dnc.storage.schema import QueueEntryRow, QueueGroupRow, QueueReasonRow, QueueVerdictRow, table
from dnc.storage.types import UTCDateTime, as_utc

Q = table(QueueEntryRow)
G = table(QueueGroupRow)
V = table(QueueVerdictRow)
R = table(QueueReasonRow)

_PG_LOAD_LOCK = 0x646E6351  # "dncQ"

# The number's leading digits that decide a group: number // 10^7. For a
# NANP number that is the country and area code; elsewhere a finer split
# than the rules need, which is safe.
HEAD = 10_000_000

# What an entry is, worked out from its lifecycle (queue_entry.status), its
# own verdict if it has one, else its group's. One definition, used by every
# read of the stored state: show, claims and the timeline. (The export and
# ``dialable`` decide afresh: dnc.queue_export.)
_OWN = V.c.entry_id.is_not(None)
_ACTION = func.coalesce(V.c.action, G.c.action)
_LIFE = Q.c.status
# Never decided: no verdict of its own, and a group not decided or decided
# before the entry was loaded (its id above what that scrub could see).
_UNCHECKED = and_(
    ~_OWN,
    or_(
        G.c.action.is_(None),
        G.c.checked_through.is_(None),
        Q.c.id > G.c.checked_through,
    ),
)
STATUS = case(
    (V.c.action == "suppressed", literal("suppressed")),
    (and_(G.c.action == "suppressed", ~_UNCHECKED), literal("suppressed")),
    (_LIFE != "ready", _LIFE),
    (_UNCHECKED, literal("unchecked")),
    (_ACTION == "held", literal("held")),
    (_ACTION == "deferred", literal("deferred")),
    else_=literal("ready"),
)
NOT_BEFORE = type_coerce(
    case(
        (_LIFE != "ready", null()),
        (_OWN, V.c.not_before),
        (_UNCHECKED, null()),
        else_=G.c.not_before,
    ),
    UTCDateTime,
)
REASONS = case(
    (_OWN, R.c.reasons),
    (_UNCHECKED, null()),
    (or_(_LIFE == "ready", G.c.action == "suppressed"), G.c.reasons),
    else_=null(),
)
SUPPRESSED_AT = type_coerce(
    case(
        (V.c.action == "suppressed", V.c.decided_at),
        (and_(G.c.action == "suppressed", ~_UNCHECKED), G.c.decided_at),
        else_=null(),
    ),
    UTCDateTime,
)
# When a ready entry's stored verdict lets it be claimed (checked or not:
# every claim is decided again).
_DUE_FROM = type_coerce(case((_OWN, V.c.not_before), else_=G.c.not_before), UTCDateTime)
DECIDED_AT = type_coerce(case((_OWN, V.c.decided_at), else_=G.c.decided_at), UTCDateTime)
DECIDED = Q.join(G, G.c.id == Q.c.group_id).outerjoin(
    V, and_(V.c.number == Q.c.number, V.c.entry_id == Q.c.id)
)
JOINED = DECIDED.outerjoin(R, R.c.id == V.c.reason_id)

ENTRY_COLUMNS = (
    Q.c.id,
    Q.c.campaign,
    Q.c.number,
    STATUS.label("status"),
    Q.c.priority,
    Q.c.lead_id,
    Q.c.location,
    NOT_BEFORE.label("not_before"),
    REASONS.label("reasons"),
    SUPPRESSED_AT.label("suppressed_at"),
)
# What the timeline tells of each entry besides.
HISTORY_COLUMNS = (
    *ENTRY_COLUMNS,
    Q.c.claimed_at,
    Q.c.claimed_by,
    Q.c.created_at,
    Q.c.updated_at,
    DECIDED_AT.label("decided_at"),
)
CLAIM_COLUMNS = (Q.c.id, Q.c.campaign, Q.c.number, Q.c.region, Q.c.zones, Q.c.location)


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


def state_rows(conn: Connection, number: int) -> list[Any]:
    """Every queue entry of a number with its worked-out state, for the timeline."""
    query = select(*HISTORY_COLUMNS).select_from(JOINED).where(Q.c.number == number)
    return list(conn.execute(query.order_by(Q.c.id)))


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
        conn.execute(_insert(conn, G).on_conflict_do_nothing(), rows)
    found = conn.execute(
        select(G.c.id, G.c.campaign, G.c.region, G.c.zones, G.c.head, G.c.location).where(
            G.c.campaign == campaign
        )
    )
    return {(c, r, z, h, loc): gid for gid, c, r, z, h, loc in found}


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
    statement = _insert(conn, Q).on_conflict_do_nothing(index_elements=["campaign", "number"])
    conn.execute(statement, values)
    return _count(conn, campaign) - before


def _count(conn: Connection, campaign: str) -> int:
    return int(conn.execute(select(func.count()).where(Q.c.campaign == campaign)).scalar_one())


def _insert(conn: Connection, target: Table) -> Any:
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
    query = select(*ENTRY_COLUMNS).select_from(JOINED).order_by(Q.c.priority.desc(), Q.c.id)
    if campaign is not None:
        query = query.where(Q.c.campaign == campaign)
    if statuses is not None:
        query = query.where(STATUS.in_([s.value for s in statuses]))
    if due_at is not None:
        query = query.where(or_(NOT_BEFORE.is_(None), NOT_BEFORE <= due_at))
    if number is not None:
        query = query.where(Q.c.number == number)
    if limit is not None:
        query = query.limit(limit)
    return [entry_from_row(row) for row in conn.execute(query)]


# An entry's own verdict; a suppression is final and is never overwritten.
_UPSERT = (
    "INSERT INTO queue_verdict (number, entry_id, action, not_before, reason_id, decided_at)"
    " {source} ON CONFLICT (number, entry_id) DO UPDATE SET action = excluded.action,"
    " not_before = excluded.not_before, reason_id = excluded.reason_id,"
    " decided_at = excluded.decided_at WHERE queue_verdict.action <> 'suppressed'"
)


def suppress_number(
    conn: Connection, number: int, campaign: str | None, reasons_json: str, at: datetime
) -> int:
    """Take a number out of every dialable queue (or one campaign's) at once."""
    source = (
        "SELECT number, id, 'suppressed', NULL, :reason, :at FROM queue_entry"
        " WHERE number = :number AND status IN ('ready', 'claimed')"
        + (" AND campaign = :campaign" if campaign is not None else "")
    )
    result = conn.execute(
        text(_UPSERT.format(source=source)).bindparams(bindparam("at", type_=UTCDateTime)),
        {
            "number": number,
            "campaign": campaign,
            "reason": reason_ids(conn, [reasons_json])[reasons_json],
            "at": at,
        },
    )
    return int(result.rowcount or 0)


def suppress_range(
    conn: Connection,
    ranges: Sequence[tuple[int, int]],
    campaign: str | None,
    reasons_json: str,
    at: datetime,
) -> int:
    """Take every number in the ranges (lo, hi) out of every dialable queue (or
    one campaign's) at once: a prefix block. One statement per range, each
    an index range on the number."""
    source = (
        "SELECT number, id, 'suppressed', NULL, :reason, :at FROM queue_entry"
        " WHERE number BETWEEN :lo AND :hi AND status IN ('ready', 'claimed')"
        + (" AND campaign = :campaign" if campaign is not None else "")
    )
    statement = text(_UPSERT.format(source=source)).bindparams(bindparam("at", type_=UTCDateTime))
    reason = reason_ids(conn, [reasons_json])[reasons_json]
    count = 0
    for lo, hi in ranges:
        result = conn.execute(
            statement, {"lo": lo, "hi": hi, "campaign": campaign, "reason": reason, "at": at}
        )
        count += int(result.rowcount or 0)
    return count


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
    A group not decided yet (loaded since the last scrub) is due: the
    re-check after the claim decides it.
    """
    due = or_(
        _ACTION.is_(None),
        _ACTION == "dialable",
        and_(_ACTION == "deferred", _DUE_FROM <= at),
    )
    # Best first, in the order of ix_queue_entry_due: a claim reads only as
    # far as its limit (the due ones are most of a queue in calling hours).
    best_first = (Q.c.priority.desc(), Q.c.id)
    picks = []
    if _anything_due(conn, campaign, at):
        picks.append(
            select(Q.c.id, Q.c.priority)
            .select_from(DECIDED)
            .where(Q.c.campaign == campaign, _LIFE == "ready", due)
            .order_by(*best_first)
            .limit(limit)
        )
    picks.append(
        select(Q.c.id, Q.c.priority)
        .select_from(Q.outerjoin(V, and_(V.c.number == Q.c.number, V.c.entry_id == Q.c.id)))
        .where(
            Q.c.campaign == campaign,
            _LIFE == "claimed",
            Q.c.claimed_at < stale_before,
            or_(V.c.action.is_(None), V.c.action != "suppressed"),
        )
        .order_by(*best_first)
        .limit(limit)
    )
    found: list[tuple[int, int]] = []
    for pick in picks:
        if conn.dialect.name == "postgresql":
            pick = pick.with_for_update(skip_locked=True, of=Q)
        found.extend((row[0], row[1]) for row in conn.execute(pick))
    ids = [i for i, _ in sorted(found, key=lambda f: (-f[1], f[0]))[:limit]]
    if not ids:
        return []
    conn.execute(
        update(Q)
        .where(Q.c.id.in_(ids))
        .values(status=QueueStatus.CLAIMED.value, claimed_at=at, claimed_by=owner, updated_at=at)
    )
    rows = conn.execute(select(*CLAIM_COLUMNS, Q.c.lead_id, Q.c.priority).where(Q.c.id.in_(ids)))
    return [tuple(r) for r in rows]


def _anything_due(conn: Connection, campaign: str, at: datetime) -> bool:
    """Whether any group or entry's own verdict of the campaign is due at ``at``;
    at night nothing is, and a claim need not read the queue to find that."""
    group = select(G.c.id).where(
        G.c.campaign == campaign,
        or_(
            G.c.action.is_(None),
            G.c.action == "dialable",
            and_(G.c.action == "deferred", G.c.not_before <= at),
        ),
    )
    # Led by the verdicts (few besides suppressions), each entry found by id.
    entry = select(Q.c.id).where(
        Q.c.id == V.c.entry_id, Q.c.campaign == campaign, Q.c.status == QueueStatus.READY.value
    )
    own = select(V.c.entry_id).where(
        # The same term as ix_queue_verdict_open, so that index is read.
        text("queue_verdict.action <> 'suppressed'"),
        or_(V.c.action == "dialable", and_(V.c.action == "deferred", V.c.not_before <= at)),
        entry.exists(),
    )
    return bool(conn.execute(select(or_(group.exists(), own.exists()))).scalar())


def finish_claimed(
    conn: Connection, number: int, campaign: str, status: QueueStatus, at: datetime
) -> None:
    """A dialer reported the call: its claimed entry is done, or ready again for a retry.

    What the entry had of its own was decided before the call; the next
    scrub or claim decides again (a suppression stays).
    """
    claimed = [
        row[0]
        for row in conn.execute(
            select(Q.c.id).where(
                Q.c.number == number,
                Q.c.campaign == campaign,
                Q.c.status == QueueStatus.CLAIMED.value,
            )
        )
    ]
    if not claimed:
        return
    conn.execute(
        update(Q)
        .where(Q.c.id.in_(claimed))
        .values(status=status.value, claimed_at=None, claimed_by=None, updated_at=at)
    )
    conn.execute(
        delete(V).where(V.c.number == number, V.c.entry_id.in_(claimed), V.c.action != "suppressed")
    )


Verdict = tuple[int, int, str, str | None, datetime | None]


def release_refused(conn: Connection, refused: Sequence[Verdict], at: datetime) -> None:
    """Claimed entries whose re-check refused them, (entry id, number, action,
    reasons JSON, not_before) each: the claim ends and the entry keeps its verdict."""
    if not refused:
        return
    ids = [r[0] for r in refused]
    conn.execute(
        update(Q)
        .where(Q.c.id.in_(ids), Q.c.status == QueueStatus.CLAIMED.value)
        .values(status=QueueStatus.READY.value, claimed_at=None, claimed_by=None, updated_at=at)
    )
    write_verdicts(conn, refused, at)


def write_verdicts(conn: Connection, rows: Sequence[Verdict], at: datetime) -> None:
    """Entries' own verdicts, (entry id, number, action, reasons JSON, not_before)
    each, as one driver-level executemany (a scrub may write many)."""
    if not rows:
        return
    sqlite_ = conn.dialect.name == "sqlite"
    mark = "?" if sqlite_ else "%s"
    stamp = instant(at, sqlite_)
    ids = reason_ids(conn, [r[3] for r in rows])
    source = f"VALUES ({mark}, {mark}, {mark}, {mark}, {mark}, {mark})"
    conn.exec_driver_sql(
        _UPSERT.format(source=source),
        [
            (number, i, action, instant(nb, sqlite_), ids.get(reasons), stamp)
            for i, number, action, reasons, nb in rows
        ],
    )


def reason_ids(conn: Connection, texts: Iterable[str | None]) -> dict[str | None, int]:
    """The id of each list of reasons (JSON), stored once; None has none."""
    wanted = {_digest(t): t for t in texts if t is not None}
    if not wanted:
        return {}
    conn.execute(
        _insert(conn, R).on_conflict_do_nothing(),
        [{"digest": d, "reasons": t} for d, t in sorted(wanted.items())],
    )
    found: dict[str | None, int] = {}
    digests = sorted(wanted)
    for start in range(0, len(digests), 500):
        chunk = digests[start : start + 500]
        found.update(
            (wanted[d], id_)
            for id_, d in conn.execute(select(R.c.id, R.c.digest).where(R.c.digest.in_(chunk)))
        )
    return found


@lru_cache(maxsize=4096)
def _digest(reasons: str) -> str:
    return hashlib.sha256(reasons.encode()).hexdigest()


@lru_cache(maxsize=4096)
def instant(value: datetime | None, sqlite_: bool) -> Any:
    """A timestamp as the driver should bind it outside SQLAlchemy."""
    if value is None or not sqlite_:
        return value
    # SQLite keeps SQLAlchemy's text form of naive UTC (see UTCDateTime).
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
