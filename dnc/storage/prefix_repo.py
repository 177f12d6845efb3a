"""Prefix blocks in the database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, bindparam, insert, literal_column, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql import Select

from dnc.prefixes import PrefixBlock
from dnc.storage.schema import PrefixBlockRow, table
from dnc.storage.types import as_utc

PREFIX_BLOCK = table(PrefixBlockRow)

BLOCK_COLUMNS = (
    PREFIX_BLOCK.c.id,
    PREFIX_BLOCK.c.prefix,
    PREFIX_BLOCK.c.campaign,
    PREFIX_BLOCK.c.created_at,
    PREFIX_BLOCK.c.actor,
    PREFIX_BLOCK.c.note,
    PREFIX_BLOCK.c.expires_at,
    PREFIX_BLOCK.c.removed_at,
    PREFIX_BLOCK.c.removed_by,
    PREFIX_BLOCK.c.removed_reason,
)


def block_from_row(row: Sequence[Any]) -> PrefixBlock:
    """Build a block from BLOCK_COLUMNS values (Core row or raw DBAPI tuple)."""
    created = as_utc(row[3])
    if created is None:
        raise ValueError(f"prefix block {row[0]} has no created_at")
    return PrefixBlock(
        id=row[0],
        prefix=f"+{row[1]}",
        campaign=row[2],
        created_at=created,
        actor=row[4],
        note=row[5],
        expires_at=as_utc(row[6]),
        removed_at=as_utc(row[7]),
        removed_by=row[8],
        removed_reason=row[9],
    )


def insert_block(
    conn: Connection,
    *,
    prefix: int,
    campaign: str | None,
    created_at: datetime,
    recorded_at: datetime,
    actor: str,
    note: str | None,
    expires_at: datetime | None,
) -> PrefixBlock:
    block_id = conn.execute(
        insert(PREFIX_BLOCK)
        .values(
            prefix=prefix,
            campaign=campaign,
            created_at=created_at,
            recorded_at=recorded_at,
            actor=actor,
            note=note,
            expires_at=expires_at,
        )
        .returning(PREFIX_BLOCK.c.id)
    ).scalar_one()
    return block_from_row(
        conn.execute(select(*BLOCK_COLUMNS).where(PREFIX_BLOCK.c.id == block_id)).one()
    )


def blocks(
    conn: Connection,
    *,
    prefix: int | None = None,
    campaign: str | None = None,
    any_campaign: bool = True,
    live_only: bool = True,
) -> list[PrefixBlock]:
    query = select(*BLOCK_COLUMNS).order_by(PREFIX_BLOCK.c.id)
    if prefix is not None:
        query = query.where(PREFIX_BLOCK.c.prefix == prefix)
    if not any_campaign:
        query = query.where(
            PREFIX_BLOCK.c.campaign.is_(None)
            if campaign is None
            else PREFIX_BLOCK.c.campaign == campaign
        )
    if live_only:
        query = query.where(PREFIX_BLOCK.c.removed_at.is_(None))
    return [block_from_row(row) for row in conn.execute(query)]


def mark_removed(
    conn: Connection, ids: Sequence[int], *, at: datetime, actor: str, reason: str
) -> list[PrefixBlock]:
    conn.execute(
        update(PREFIX_BLOCK)
        .where(PREFIX_BLOCK.c.id.in_(ids), PREFIX_BLOCK.c.removed_at.is_(None))
        .values(removed_at=at, removed_by=actor, removed_reason=reason)
    )
    return [
        block_from_row(r)
        for r in conn.execute(select(*BLOCK_COLUMNS).where(PREFIX_BLOCK.c.id.in_(ids)))
    ]


_SLOTS = 15  # E.164 numbers have at most 15 digits, so at most 15 prefixes


def hot_query() -> Select[Any]:
    """Live blocks over any prefix of one number (``:n``): ``prefix IN (:n,
    :n / 10, …, :n / 10¹⁴)``, whole-number division in SQL (no prefix is
    0), so the hot path binds the number alone instead of building fifteen
    values in Python."""
    number = bindparam("n", type_=BigInteger)
    slots: list[Any] = [
        number if i == 0 else number.op("/")(literal_column(str(10**i))) for i in range(_SLOTS)
    ]
    return select(*BLOCK_COLUMNS).where(
        PREFIX_BLOCK.c.prefix.in_(slots), PREFIX_BLOCK.c.removed_at.is_(None)
    )
