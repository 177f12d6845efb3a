"""Many rows inserted in one go, read back as stored, in the order given."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, Table, func, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement


def insert_rows(
    conn: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    columns: Sequence[ColumnElement[Any]],
) -> list[Row[Any]]:
    """Insert ``rows`` into ``table`` (an integer ``id`` key the database
    assigns) inside a write unit of work; returns ``columns`` of each as
    stored, in the order given.

    PostgreSQL batches ``INSERT … RETURNING`` in parameter order itself. On
    SQLite SQLAlchemy cannot, and falls back to one statement per row (no
    INSERT form ties new rowids to parameter order): 20,000 replies were
    20,000 statements. A SQLite write unit of work holds the database's
    write lock (``BEGIN IMMEDIATE``), so the next ids are ours to number:
    one ``executemany``, then one read of the rows back. Had another
    writer slipped in, the insert would fail on the key, never mix rows up.
    """
    if not rows:
        return []
    if conn.dialect.name != "sqlite":
        query = insert(table).returning(*columns, sort_by_parameter_order=True)
        return list(conn.execute(query, rows))
    key = table.c.id
    first = int(conn.execute(select(func.coalesce(func.max(key), 0))).scalar_one()) + 1
    conn.execute(insert(table), [{**row, "id": first + i} for i, row in enumerate(rows)])
    last = first + len(rows)
    return list(conn.execute(select(*columns).where(key >= first, key < last).order_by(key)))
