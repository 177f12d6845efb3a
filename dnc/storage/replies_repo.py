"""Replies as received, read and acted on: the evidence behind a reply's effect."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from dnc.storage.inserts import insert_rows
from dnc.storage.schema import ReplyRow, table
from dnc.storage.types import as_utc

REPLY = table(ReplyRow)


@dataclass(frozen=True, slots=True)
class StoredReply:
    """One recorded reply."""

    id: int
    number: str
    text: str
    channel: str
    campaign: str | None
    received_at: datetime
    recorded_at: datetime
    intent: str
    language: str | None
    per_se: bool
    matches: tuple[dict[str, Any], ...]
    effect: str
    list_entry_id: int | None
    outcome_id: int | None
    actor: str


_COLUMNS = (
    REPLY.c.id,
    REPLY.c.number,
    REPLY.c.text,
    REPLY.c.channel,
    REPLY.c.campaign,
    REPLY.c.received_at,
    REPLY.c.recorded_at,
    REPLY.c.intent,
    REPLY.c.language,
    REPLY.c.per_se,
    REPLY.c.matches,
    REPLY.c.effect,
    REPLY.c.list_entry_id,
    REPLY.c.outcome_id,
    REPLY.c.actor,
)


def insert_replies(conn: Connection, values: Sequence[dict[str, Any]]) -> list[StoredReply]:
    """Store replies (``matches`` as lists of dicts) in one statement; returns
    them as stored, in order."""
    if not values:
        return []
    rows = [{**v, "matches": json.dumps(v["matches"], ensure_ascii=False)} for v in values]
    return [_from_row(row) for row in insert_rows(conn, REPLY, rows, _COLUMNS)]


def for_number(conn: Connection, number: int) -> list[StoredReply]:
    query = select(*_COLUMNS).where(REPLY.c.number == number).order_by(REPLY.c.id)
    return [_from_row(row) for row in conn.execute(query)]


def _from_row(row: Sequence[Any]) -> StoredReply:
    received, recorded = as_utc(row[5]), as_utc(row[6])
    if received is None or recorded is None:
        raise ValueError(f"reply {row[0]} has no time")
    return StoredReply(
        id=row[0],
        number=f"+{row[1]}",
        text=row[2],
        channel=row[3],
        campaign=row[4],
        received_at=received,
        recorded_at=recorded,
        intent=row[7],
        language=row[8],
        per_se=bool(row[9]),
        matches=tuple(json.loads(row[10])),
        effect=row[11],
        list_entry_id=row[12],
        outcome_id=row[13],
        actor=row[14],
    )
