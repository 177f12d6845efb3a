"""API keys and idempotency keys in the database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from dnc.access import ApiKey, Scope
from dnc.storage.queue_repo import dialect_insert
from dnc.storage.schema import ApiKeyRow, IdempotencyRow, table
from dnc.storage.types import as_utc

API_KEY = table(ApiKeyRow)
IDEMPOTENCY = table(IdempotencyRow)


def insert_key(conn: Connection, key: ApiKey) -> None:
    conn.execute(
        insert(API_KEY).values(
            name=key.name,
            digest=key.digest,
            scopes=",".join(sorted(s.value for s in key.scopes)),
            created_at=key.created_at,
            created_by=key.created_by,
        )
    )


def by_name(conn: Connection, name: str) -> ApiKey | None:
    row = conn.execute(select(API_KEY).where(API_KEY.c.name == name)).first()
    return _key(row) if row is not None else None


def keys(conn: Connection, *, live_only: bool = False) -> list[ApiKey]:
    query = select(API_KEY).order_by(API_KEY.c.name)
    if live_only:
        query = query.where(API_KEY.c.revoked_at.is_(None))
    return [_key(row) for row in conn.execute(query)]


def revoke(conn: Connection, name: str, at: datetime, actor: str) -> None:
    conn.execute(
        update(API_KEY).where(API_KEY.c.name == name).values(revoked_at=at, revoked_by=actor)
    )


def _key(row: Any) -> ApiKey:
    return ApiKey(
        name=row.name,
        scopes=frozenset(Scope(s) for s in row.scopes.split(",") if s),
        digest=row.digest,
        created_at=as_utc(row.created_at) or row.created_at,
        created_by=row.created_by,
        revoked_at=as_utc(row.revoked_at),
        revoked_by=row.revoked_by,
    )


def claim_idempotency(
    conn: Connection, owner: str, key: str, request: str, at: datetime
) -> tuple[str, int | None] | None:
    """Take ``key`` for ``owner``; None when taken now, else what the first
    request stored (its request digest and list entry id). On PostgreSQL a
    concurrent first request holds the row until it commits, so a retry
    racing it waits and then sees its entry."""
    taken = conn.execute(
        dialect_insert(conn, IDEMPOTENCY)
        .values(owner=owner, key=key, request=request, created_at=at)
        .on_conflict_do_nothing()
        .returning(IDEMPOTENCY.c.key)
    ).first()
    if taken is not None:
        return None
    row = conn.execute(
        select(IDEMPOTENCY.c.request, IDEMPOTENCY.c.list_entry_id).where(
            IDEMPOTENCY.c.owner == owner, IDEMPOTENCY.c.key == key
        )
    ).one()
    return str(row[0]), row[1]


def settle_idempotency(conn: Connection, owner: str, key: str, entry_id: int) -> None:
    conn.execute(
        update(IDEMPOTENCY)
        .where(IDEMPOTENCY.c.owner == owner, IDEMPOTENCY.c.key == key)
        .values(list_entry_id=entry_id)
    )
