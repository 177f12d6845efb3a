"""Internal and campaign list entries in the database."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.engine import Connection

from dnc.lists import Channel, ListEntry, NewEntry, Source
from dnc.storage.inserts import insert_rows
from dnc.storage.schema import ListEntryRow, table
from dnc.storage.types import as_utc

LIST_ENTRY = table(ListEntryRow)

ENTRY_COLUMNS = (
    LIST_ENTRY.c.id,
    LIST_ENTRY.c.number,
    LIST_ENTRY.c.campaign,
    LIST_ENTRY.c.source,
    LIST_ENTRY.c.channel,
    LIST_ENTRY.c.created_at,
    LIST_ENTRY.c.actor,
    LIST_ENTRY.c.note,
    LIST_ENTRY.c.expires_at,
    LIST_ENTRY.c.removed_at,
    LIST_ENTRY.c.removed_by,
    LIST_ENTRY.c.removed_reason,
    LIST_ENTRY.c.client,
)


def entry_from_row(row: Sequence[Any]) -> ListEntry:
    """Build an entry from ENTRY_COLUMNS values (ORM row or raw DBAPI tuple)."""
    created = as_utc(row[5])
    if created is None:
        raise ValueError(f"list entry {row[0]} has no created_at")
    return ListEntry(
        id=row[0],
        number=f"+{row[1]}",
        campaign=row[2],
        source=Source(row[3]),
        channel=Channel(row[4]) if row[4] else None,
        created_at=created,
        actor=row[6],
        note=row[7],
        expires_at=as_utc(row[8]),
        removed_at=as_utc(row[9]),
        removed_by=row[10],
        removed_reason=row[11],
        client=row[12],
    )


def insert_entries(
    conn: Connection, entries: Sequence[NewEntry], recorded_at: datetime
) -> list[ListEntry]:
    """Insert the entries in one statement; returns them as stored, in order."""
    if not entries:
        return []
    rows = [
        {
            "number": e.number,
            "campaign": e.campaign,
            "source": e.source.value,
            "channel": e.channel.value if e.channel else None,
            "created_at": e.created_at,
            "recorded_at": recorded_at,
            "actor": e.actor,
            "note": e.note,
            "expires_at": e.expires_at,
            "client": e.client,
        }
        for e in entries
    ]
    return [entry_from_row(row) for row in insert_rows(conn, LIST_ENTRY, rows, ENTRY_COLUMNS)]


def entries(
    conn: Connection,
    *,
    number: int | None = None,
    campaign: str | None = None,
    any_campaign: bool = True,
    live_only: bool = True,
    limit: int | None = None,
    client: str | None = None,
) -> list[ListEntry]:
    """Entries filtered by number and list; ``any_campaign=False`` pins
    ``campaign`` and ``client`` (both None: the internal list)."""
    query = select(*ENTRY_COLUMNS).order_by(LIST_ENTRY.c.id)
    if number is not None:
        query = query.where(LIST_ENTRY.c.number == number)
    if not any_campaign:
        query = query.where(
            LIST_ENTRY.c.campaign.is_(None)
            if campaign is None
            else LIST_ENTRY.c.campaign == campaign,
            LIST_ENTRY.c.client.is_(None) if client is None else LIST_ENTRY.c.client == client,
        )
    if live_only:
        query = query.where(LIST_ENTRY.c.removed_at.is_(None))
    if limit is not None:
        query = query.limit(limit)
    return [entry_from_row(row) for row in conn.execute(query)]


def by_id(conn: Connection, entry_id: int) -> ListEntry | None:
    row = conn.execute(select(*ENTRY_COLUMNS).where(LIST_ENTRY.c.id == entry_id)).first()
    return entry_from_row(row) if row is not None else None


def mark_removed(
    conn: Connection, entry_ids: Sequence[int], *, at: datetime, actor: str, reason: str
) -> list[ListEntry]:
    conn.execute(
        update(LIST_ENTRY)
        .where(LIST_ENTRY.c.id.in_(entry_ids), LIST_ENTRY.c.removed_at.is_(None))
        .values(removed_at=at, removed_by=actor, removed_reason=reason)
    )
    rows: list[Row[Any]] = list(
        conn.execute(select(*ENTRY_COLUMNS).where(LIST_ENTRY.c.id.in_(entry_ids)))
    )
    return [entry_from_row(row) for row in rows]


def live_numbers(conn: Connection, campaign: str | None) -> set[int]:
    """Every number with a live entry on one list (``campaign`` None: the internal list)."""
    query = select(LIST_ENTRY.c.number).where(LIST_ENTRY.c.removed_at.is_(None))
    query = query.where(
        LIST_ENTRY.c.campaign.is_(None) if campaign is None else LIST_ENTRY.c.campaign == campaign
    )
    if campaign is None:
        query = query.where(LIST_ENTRY.c.client.is_(None))
    return set(conn.execute(query).scalars())


def live_entries_of(conn: Connection, numbers: Iterable[int]) -> dict[int, list[ListEntry]]:
    """The live entries of each number, oldest first (numbers read in chunks)."""
    found: dict[int, list[ListEntry]] = {}
    for chunk in chunked(sorted(set(numbers))):
        query = (
            select(LIST_ENTRY.c.number, *ENTRY_COLUMNS)
            .where(LIST_ENTRY.c.number.in_(chunk), LIST_ENTRY.c.removed_at.is_(None))
            .order_by(LIST_ENTRY.c.id)
        )
        for row in conn.execute(query):
            found.setdefault(row[0], []).append(entry_from_row(row[1:]))
    return found


def chunked(values: Sequence[int], size: int = 500) -> Iterator[Sequence[int]]:
    """``values`` in slices small enough for an IN list on every backend."""
    for start in range(0, len(values), size):
        yield values[start : start + size]
