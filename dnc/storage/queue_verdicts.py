"""Queue entries' own verdicts: suppressions (final), and what a scrub or a
claim decided for an entry with facts of its own."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.engine import Connection

from dnc.queue import QueueStatus
from dnc.storage.queue_repo import ENTRY, REASON, dialect_insert
from dnc.storage.types import UTCDateTime

# An entry's own verdict; a suppression is final and is never overwritten.
_UPSERT = (
    "INSERT INTO queue_verdict (number, entry_id, action, not_before, reason_id, decided_at)"
    " {source} ON CONFLICT (number, entry_id) DO UPDATE SET action = excluded.action,"
    " not_before = excluded.not_before, reason_id = excluded.reason_id,"
    " decided_at = excluded.decided_at WHERE queue_verdict.action <> 'suppressed'"
)


class Suppression(NamedTuple):
    """A number to take out of the queues (``campaign`` None: every queue), and why."""

    number: int
    campaign: str | None
    reasons: str


def suppress_numbers(conn: Connection, found: Sequence[Suppression], at: datetime) -> None:
    """Take each number out of every dialable queue it must leave: one
    driver-level executemany per kind (every queue, one campaign's)."""
    if not found:
        return
    sqlite_ = conn.dialect.name == "sqlite"
    mark = "?" if sqlite_ else "%s"
    ids = reason_ids(conn, [f.reasons for f in found])
    stamp = instant(at, sqlite_)
    source = (
        f"SELECT number, id, 'suppressed', NULL, {mark}, {mark} FROM queue_entry"
        f" WHERE number = {mark} AND status IN ('ready', 'claimed')"
    )
    everywhere = [(ids[f.reasons], stamp, f.number) for f in found if f.campaign is None]
    if everywhere:
        conn.exec_driver_sql(_UPSERT.format(source=source), everywhere)
    one = [(ids[f.reasons], stamp, f.number, f.campaign) for f in found if f.campaign is not None]
    if one:
        conn.exec_driver_sql(_UPSERT.format(source=f"{source} AND campaign = {mark}"), one)


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


class EntryVerdict(NamedTuple):
    """An entry's own verdict, as stored in ``queue_verdict``."""

    entry_id: int
    number: int
    action: str
    reasons: str | None
    not_before: datetime | None


def release_refused(conn: Connection, refused: Sequence[EntryVerdict], at: datetime) -> None:
    """Claimed entries whose re-check refused them: the claim ends and the
    entry keeps its verdict."""
    if not refused:
        return
    ids = [r.entry_id for r in refused]
    conn.execute(
        update(ENTRY)
        .where(ENTRY.c.id.in_(ids), ENTRY.c.status == QueueStatus.CLAIMED.value)
        .values(status=QueueStatus.READY.value, claimed_at=None, claimed_by=None, updated_at=at)
    )
    write_verdicts(conn, refused, at)


def write_verdicts(conn: Connection, rows: Sequence[EntryVerdict], at: datetime) -> None:
    """Entries' own verdicts, as one driver-level executemany (a scrub may write many)."""
    if not rows:
        return
    sqlite_ = conn.dialect.name == "sqlite"
    mark = "?" if sqlite_ else "%s"
    stamp = instant(at, sqlite_)
    ids = reason_ids(conn, [r.reasons for r in rows])
    values = [
        (r.number, r.entry_id, r.action, instant(r.not_before, sqlite_), ids.get(r.reasons), stamp)
        for r in rows
    ]
    if not sqlite_ and len({(r.number, r.entry_id) for r in rows}) == len(rows):
        # One statement of arrays: an executemany runs one statement per row
        # on the server (70 µs each). (An upsert of one row twice in a
        # statement is refused: such rows go one by one, below.)
        columns = [list(c) for c in zip(*values, strict=True)]
        conn.exec_driver_sql(
            _UPSERT.format(
                source="SELECT * FROM unnest(%s::bigint[], %s::integer[], %s::varchar[],"
                " %s::timestamptz[], %s::integer[], %s::timestamptz[])"
            ),
            tuple(columns),
        )
        return
    source = f"VALUES ({mark}, {mark}, {mark}, {mark}, {mark}, {mark})"
    conn.exec_driver_sql(_UPSERT.format(source=source), values)


def reason_ids(conn: Connection, texts: Iterable[str | None]) -> dict[str | None, int]:
    """The id of each list of reasons (JSON), stored once; None has none."""
    wanted = {_digest(t): t for t in texts if t is not None}
    if not wanted:
        return {}
    conn.execute(
        dialect_insert(conn, REASON).on_conflict_do_nothing(),
        [{"digest": d, "reasons": t} for d, t in sorted(wanted.items())],
    )
    found: dict[str | None, int] = {}
    digests = sorted(wanted)
    for start in range(0, len(digests), 500):
        chunk = digests[start : start + 500]
        found.update(
            (wanted[d], id_)
            for id_, d in conn.execute(
                select(REASON.c.id, REASON.c.digest).where(REASON.c.digest.in_(chunk))
            )
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
