"""Registries and their snapshots in the database.

A snapshot's numbers are an immutable snapshot file (dnc.snapshots; its
parts and manifest in dnc.storage.snapshot_repo), not rows: the snapshot
row points at its current file (``file_id``). Swapping a snapshot moves the
registry's pointer in one short transaction, so a reader that reads the
pointers and then the files they name sees the old snapshot or the new one,
never a mix; the replaced snapshot's files are then dropped whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, insert, literal_column, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql import Select

from dnc.storage import snapshot_repo
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
    file_id: int | None


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


def replaced(conn: Connection, registry_id: int) -> list[int]:
    """Snapshots of a registry an import has replaced (kept until the next one)."""
    query = select(SNAPSHOT.c.id).where(
        SNAPSHOT.c.registry_id == registry_id, SNAPSHOT.c.status == REPLACED
    )
    return [int(i) for i in conn.execute(query).scalars()]


def forget(conn: Connection, snapshot_id: int) -> list[int]:
    """Drop a snapshot and its files; the files' ids."""
    dropped = snapshot_repo.forget_files(conn, snapshot_id)
    conn.execute(delete(SNAPSHOT).where(SNAPSHOT.c.id == snapshot_id))
    return dropped


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
            SNAPSHOT.c.file_id,
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
        file_id=row[11],
    )


def hot_query() -> Select[Any]:
    """Every registry's current snapshot: its name, as-of date and, as a code
    below 0, minus its file's id (shaped as dnc.storage.wireless_repo's rows,
    whose codes are 2 and up, so one statement reads both). Membership is
    then read from the files these rows name, so a check sees one snapshot
    per registry, never a mix."""
    return select(
        REGISTRY.c.name.label("registry"),
        SNAPSHOT.c.as_of.label("as_of"),
        (-func.coalesce(SNAPSHOT.c.file_id, literal_column("0"))).label("code"),
    ).join(SNAPSHOT, SNAPSHOT.c.id == REGISTRY.c.current_snapshot_id)


def hot_states(rows: Sequence[Any]) -> tuple[dict[str, date], dict[str, int]]:
    """(as-of date per registry with a snapshot, the file holding its numbers)."""
    snapshots: dict[str, date] = {}
    files: dict[str, int] = {}
    for name, as_of, code in rows:
        snapshots[name] = date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
        files[name] = -int(code)
    return snapshots, files
