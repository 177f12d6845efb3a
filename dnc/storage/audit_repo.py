"""The append-only audit log in the database."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from dnc.audit import AuditRecord
from dnc.storage.schema import AuditRow, table
from dnc.storage.types import as_utc

T = table(AuditRow)


def _dump(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True, default=str)


def _load(value: str | None) -> dict[str, Any] | None:
    return None if value is None else dict(json.loads(value))


def append(conn: Connection, record: AuditRecord) -> None:
    conn.execute(
        insert(T).values(
            at=record.at,
            actor=record.actor,
            action=record.action,
            number=record.number,
            subject=record.subject,
            before=_dump(record.before),
            after=_dump(record.after),
            reason=record.reason,
        )
    )


def for_number(conn: Connection, e164: str) -> list[AuditRecord]:
    rows = conn.execute(select(T).where(T.c.number == e164).order_by(T.c.id))
    return [
        AuditRecord(
            id=row.id,
            at=as_utc(row.at) or row.at,
            actor=row.actor,
            action=row.action,
            number=row.number,
            subject=row.subject,
            before=_load(row.before),
            after=_load(row.after),
            reason=row.reason,
        )
        for row in rows
    ]
