"""Registries and their snapshots in the database.

Each snapshot's numbers live in their own table ``registry_numbers_<id>``
(one BIGINT primary key; WITHOUT ROWID on SQLite, so the number is the
b-tree key and is stored once). The view ``registry_current`` unions the
current snapshot of every registry; swapping a snapshot rewrites the view
and the registry's pointer in one short transaction, so a reader sees the
old snapshot or the new one, never a mix, and the replaced table is then
dropped whole instead of deleted row by row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Text,
    bindparam,
    delete,
    insert,
    literal_column,
    null,
    select,
    union_all,
    update,
)
from sqlalchemy import column as sa_column
from sqlalchemy import table as sa_table
from sqlalchemy.engine import Connection
from sqlalchemy.sql import Select

from dnc.storage.schema import RegistryRow, RegistrySnapshotRow, table
from dnc.storage.types import as_utc

REGISTRY = table(RegistryRow)
SNAPSHOT = table(RegistrySnapshotRow)

LOADING, CURRENT, REPLACED = "loading", "current", "replaced"


@dataclass(frozen=True, slots=True)
class SnapshotRecord:
    """What the store knows of one snapshot."""

    id: int
    registry: str
    status: str
    as_of: date
    as_of_source: str
    size: int
    file: str
    changes_applied: int
    imported_at: datetime
    updated_at: datetime
    actor: str


def numbers_table(snapshot_id: int) -> str:
    return f"registry_numbers_{int(snapshot_id)}"


def create_numbers_table(conn: Connection, snapshot_id: int, *, with_key: bool) -> None:
    name = numbers_table(snapshot_id)
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"CREATE TABLE {name} (number INTEGER PRIMARY KEY) WITHOUT ROWID")
    else:
        key = " PRIMARY KEY" if with_key else ""
        conn.exec_driver_sql(f"CREATE TABLE {name} (number BIGINT NOT NULL{key})")


def drop_numbers_table(conn: Connection, snapshot_id: int) -> None:
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {numbers_table(snapshot_id)}")


def registry_id(conn: Connection, name: str, *, create: bool, at: datetime) -> int | None:
    found = conn.execute(select(REGISTRY.c.id).where(REGISTRY.c.name == name)).scalar_one_or_none()
    if found is None and create:
        found = conn.execute(
            insert(REGISTRY).values(name=name, created_at=at).returning(REGISTRY.c.id)
        ).scalar_one()
    return found


def start_snapshot(
    conn: Connection,
    registry_id: int,
    *,
    as_of: date,
    as_of_source: str,
    file: str,
    actor: str,
    at: datetime,
) -> int:
    return int(
        conn.execute(
            insert(SNAPSHOT)
            .values(
                registry_id=registry_id,
                status=LOADING,
                as_of=as_of,
                as_of_source=as_of_source,
                size=0,
                file=file,
                changes_applied=0,
                imported_at=at,
                updated_at=at,
                actor=actor,
            )
            .returning(SNAPSHOT.c.id)
        ).scalar_one()
    )


def abandoned(conn: Connection, registry_id: int) -> list[int]:
    """Snapshots of a registry left half-loaded by an import that crashed."""
    query = select(SNAPSHOT.c.id).where(
        SNAPSHOT.c.registry_id == registry_id, SNAPSHOT.c.status == LOADING
    )
    return [int(i) for i in conn.execute(query).scalars()]


def forget_registry(conn: Connection, registry_id: int) -> None:
    """Drop a registry row that never had a snapshot (its first import failed)."""
    conn.execute(
        delete(REGISTRY).where(
            REGISTRY.c.id == registry_id, REGISTRY.c.current_snapshot_id.is_(None)
        )
    )


def forget(conn: Connection, snapshot_id: int) -> None:
    drop_numbers_table(conn, snapshot_id)
    conn.execute(delete(SNAPSHOT).where(SNAPSHOT.c.id == snapshot_id))


def current(conn: Connection, name: str) -> SnapshotRecord | None:
    query = _records().where(REGISTRY.c.name == name)
    row = conn.execute(query).first()
    return _record(row) if row is not None else None


def all_current(conn: Connection) -> dict[str, SnapshotRecord]:
    return {r.registry: r for r in (_record(row) for row in conn.execute(_records()))}


def swap(conn: Connection, registry_id: int, new_id: int, *, size: int, at: datetime) -> int | None:
    """Make ``new_id`` the registry's snapshot; return the one it replaces."""
    old = conn.execute(
        select(REGISTRY.c.current_snapshot_id).where(REGISTRY.c.id == registry_id)
    ).scalar_one_or_none()
    conn.execute(
        update(REGISTRY).where(REGISTRY.c.id == registry_id).values(current_snapshot_id=new_id)
    )
    conn.execute(
        update(SNAPSHOT)
        .where(SNAPSHOT.c.id == new_id)
        .values(status=CURRENT, size=size, updated_at=at)
    )
    if old is not None:
        conn.execute(
            update(SNAPSHOT).where(SNAPSHOT.c.id == old).values(status=REPLACED, updated_at=at)
        )
    rebuild_view(conn)
    return int(old) if old is not None else None


def record_changes(
    conn: Connection, snapshot_id: int, *, size: int, as_of: date, as_of_source: str, at: datetime
) -> None:
    conn.execute(
        update(SNAPSHOT)
        .where(SNAPSHOT.c.id == snapshot_id)
        .values(
            size=size,
            as_of=as_of,
            as_of_source=as_of_source,
            updated_at=at,
            changes_applied=SNAPSHOT.c.changes_applied + 1,
        )
    )


def rebuild_view(conn: Connection) -> None:
    """Point ``registry_current`` at every registry's current snapshot table."""
    rows = conn.execute(
        select(REGISTRY.c.name, REGISTRY.c.current_snapshot_id)
        .where(REGISTRY.c.current_snapshot_id.is_not(None))
        .order_by(REGISTRY.c.name)
    ).all()
    arms = [
        f"SELECT CAST('{name}' AS TEXT) AS registry, number FROM {numbers_table(snapshot_id)}"
        for name, snapshot_id in rows
        if "'" not in name  # names are checked at configuration; never trust twice
    ]
    body = " UNION ALL ".join(arms) or (
        "SELECT CAST(NULL AS TEXT) AS registry, CAST(NULL AS BIGINT) AS number WHERE 1 = 0"
    )
    conn.exec_driver_sql("DROP VIEW IF EXISTS registry_current")
    conn.exec_driver_sql(f"CREATE VIEW registry_current AS {body}")


def _records() -> Any:
    return (
        select(
            SNAPSHOT.c.id,
            REGISTRY.c.name,
            SNAPSHOT.c.status,
            SNAPSHOT.c.as_of,
            SNAPSHOT.c.as_of_source,
            SNAPSHOT.c.size,
            SNAPSHOT.c.file,
            SNAPSHOT.c.changes_applied,
            SNAPSHOT.c.imported_at,
            SNAPSHOT.c.updated_at,
            SNAPSHOT.c.actor,
        )
        .join(REGISTRY, REGISTRY.c.current_snapshot_id == SNAPSHOT.c.id)
        .order_by(REGISTRY.c.name)
    )


def _record(row: Any) -> SnapshotRecord:
    return SnapshotRecord(
        id=row[0],
        registry=row[1],
        status=row[2],
        as_of=row[3],
        as_of_source=row[4],
        size=int(row[5]),
        file=row[6],
        changes_applied=int(row[7]),
        imported_at=as_utc(row[8]) or row[8],
        updated_at=as_utc(row[9]) or row[9],
        actor=row[10],
    )


CURRENT_VIEW = sa_table(
    "registry_current", sa_column("registry", Text), sa_column("number", BigInteger)
)


def hot_query() -> Select[Any]:
    """For one number (``:n``): every current snapshot's as-of date, and every hit.

    One statement, so both halves are read from the same committed state.
    """
    states = select(
        REGISTRY.c.name.label("registry"),
        SNAPSHOT.c.as_of.label("as_of"),
        literal_column("0").label("hit"),
    ).join(SNAPSHOT, SNAPSHOT.c.id == REGISTRY.c.current_snapshot_id)
    hits = select(
        CURRENT_VIEW.c.registry, null().label("as_of"), literal_column("1").label("hit")
    ).where(CURRENT_VIEW.c.number == bindparam("n"))
    both = union_all(states, hits).subquery()
    return select(both.c.registry, both.c.as_of, both.c.hit)


def hot_facts(rows: Sequence[Any]) -> tuple[dict[str, date], frozenset[str]]:
    """(as-of date per registry with a snapshot, registries listing the number)."""
    snapshots: dict[str, date] = {}
    hits = set()
    for name, as_of, hit in rows:
        if hit:
            hits.add(name)
        else:
            snapshots[name] = date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    return snapshots, frozenset(hits)
