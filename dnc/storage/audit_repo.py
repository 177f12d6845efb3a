"""The append-only, hash-chained audit log in the database."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Row, func, insert, select, text
from sqlalchemy.engine import Connection

from dnc.audit import GENESIS, AuditRecord, chain_hash
from dnc.storage.schema import AuditRow, table
from dnc.storage.types import as_utc

AUDIT = table(AuditRow)
_T = TypeVar("_T")

# Appends are serialised so that each record chains to the one before it.
# SQLite write transactions already are (BEGIN IMMEDIATE); PostgreSQL takes
# this transaction-scoped advisory lock.
_PG_AUDIT_LOCK = 0x646E6361  # "dnca"


def _dump(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True, default=str)


def _load(value: str | None) -> dict[str, Any] | None:
    return None if value is None else dict(json.loads(value))


def append(conn: Connection, record: AuditRecord) -> AuditRecord:
    """Append ``record`` to the chain; call inside a write unit of work.
    Returns it as stored: its id and hashes."""
    rows, chained = _chain(conn, [record])
    [new_id] = conn.execute(
        insert(AUDIT).returning(AUDIT.c.id, sort_by_parameter_order=True), rows
    ).scalars()
    return replace(chained[0], id=new_id, hash=rows[0]["hash"])


def append_many(conn: Connection, records: Sequence[AuditRecord]) -> None:
    """Append ``records``, in order, to the chain in one statement: the hashes
    are chained here from the last stored one (inside a write unit of work).

    Set-based writers (imports, bulk outcomes) append thousands at once and
    need none of the ids back: the insert returns nothing, which on SQLite
    takes a third of the time of one returning ids in parameter order."""
    if records:
        conn.execute(insert(AUDIT), _chain(conn, records)[0])


def _chain(
    conn: Connection, records: Sequence[AuditRecord]
) -> tuple[list[dict[str, Any]], list[AuditRecord]]:
    """The rows to insert for ``records``, chained from the last stored hash,
    and the records as they will be stored (without ids)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_AUDIT_LOCK})
    last = conn.execute(select(AUDIT.c.hash).order_by(AUDIT.c.id.desc()).limit(1)).scalar()
    prev = last or GENESIS
    rows, chained = [], []
    for record in records:
        # Round-trip the snapshots through JSON so the hash covers exactly what is stored.
        before, after = _dump(record.before), _dump(record.after)
        stored = AuditRecord(
            at=record.at,
            actor=record.actor,
            action=record.action,
            number=record.number,
            subject=record.subject,
            before=_load(before),
            after=_load(after),
            reason=record.reason,
            prev_hash=prev,
        )
        digest = chain_hash(prev, stored)
        rows.append(
            {
                "at": record.at,
                "actor": record.actor,
                "action": record.action,
                "number": record.number,
                "subject": record.subject,
                "before": before,
                "after": after,
                "reason": record.reason,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        chained.append(stored)
        prev = digest
    return rows, chained


def _record(row: Row[Any]) -> AuditRecord:
    at = as_utc(row.at)
    if at is None:
        raise ValueError(f"audit record {row.id} has no time")
    return AuditRecord(
        id=row.id,
        at=at,
        actor=row.actor,
        action=row.action,
        number=row.number,
        subject=row.subject,
        before=_load(row.before),
        after=_load(row.after),
        reason=row.reason,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def for_number(conn: Connection, e164: str) -> list[AuditRecord]:
    rows = conn.execute(select(AUDIT).where(AUDIT.c.number == e164).order_by(AUDIT.c.id))
    return [_record(row) for row in rows]


def records(
    conn: Connection,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    number: str | None = None,
) -> Iterator[AuditRecord]:
    query = select(AUDIT).order_by(AUDIT.c.id)
    if since is not None:
        query = query.where(AUDIT.c.at >= since)
    if until is not None:
        query = query.where(AUDIT.c.at < until)
    if number is not None:
        query = query.where(AUDIT.c.number == number)
    for row in conn.execution_options(yield_per=5000).execute(query):
        yield _record(row)


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The outcome of walking the chain: ``first_bad`` is None when intact."""

    records: int
    head: str
    first_bad: int | None = None
    problem: str | None = None
    at_positions: dict[int, str] = field(default_factory=dict)
    """The hash of the record at each position asked for (1: the first), as
    stored: where the chain held to there, an anchor can be compared."""


def verify(conn: Connection, positions: Collection[int] = ()) -> ChainReport:
    """Recompute every hash in id order; name the first record that does not
    fit. ``positions``: also return the hashes found at these positions."""
    prev = GENESIS
    count = 0
    wanted = set(positions)
    found: dict[int, str] = {}
    for record in records(conn):
        count += 1
        if record.prev_hash != prev:
            return ChainReport(
                count,
                prev,
                record.id,
                "does not follow the record before it "
                "(a record was deleted, inserted or reordered)",
                found,
            )
        if chain_hash(prev, record) != record.hash:
            return ChainReport(
                count, prev, record.id, "content does not match its hash (altered)", found
            )
        prev = record.hash or ""
        if count in wanted:
            found[count] = prev
    return ChainReport(count, prev, at_positions=found)


def head(conn: Connection) -> tuple[int, str, int | None]:
    """The record count, the last record's hash (GENESIS when empty) and its id."""
    count = conn.execute(select(func.count()).select_from(AUDIT)).scalar_one()
    last = conn.execute(
        select(AUDIT.c.hash, AUDIT.c.id).order_by(AUDIT.c.id.desc()).limit(1)
    ).first()
    if last is None:
        return int(count), GENESIS, None
    return int(count), str(last[0]), int(last[1])


def append_changes(
    conn: Connection,
    changes: Iterable[tuple[_T, _T]],
    *,
    action: str,
    snapshot: Callable[[_T], dict[str, Any]],
    number: Callable[[_T], str | None],
    subject: Callable[[_T], str | None],
    at: datetime,
    actor: str,
    reason: str | None,
) -> None:
    """One record per changed thing (an entry removed, a consent revoked), before and after."""
    append_many(
        conn,
        [
            AuditRecord(
                at=at,
                actor=actor,
                action=action,
                number=number(after),
                subject=subject(after),
                before=snapshot(before),
                after=snapshot(after),
                reason=reason,
            )
            for before, after in changes
        ],
    )
