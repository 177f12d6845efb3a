"""Registry snapshot files in the database: each file's manifest and its parts.

The importing host writes a snapshot file (dnc.snapshots), then stores it
here as parts of ``PART_BYTES`` with a SHA-256 each, each part in its own
short transaction; the file becomes visible only when a snapshot row points
at it (``registry_snapshot.file_id``), in the swap's transaction. Any host
rebuilds a verified local copy from the parts (dnc.storage.snapshot_files),
so hosts share the database and nothing else.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection, Engine

from dnc.snapshots import Manifest, Part, Snapshot, iter_parts, manifest
from dnc.storage.schema import (
    RegistryFilePartRow,
    RegistryFileRow,
    RegistrySnapshotRow,
    table,
)

FILE = table(RegistryFileRow)
PART = table(RegistryFilePartRow)
SNAPSHOT = table(RegistrySnapshotRow)


def new_file(conn: Connection, snapshot_id: int, label: str, at: datetime) -> int:
    """A file id for a snapshot about to be written (its header carries the id)."""
    return int(
        conn.execute(
            insert(FILE)
            .values(snapshot_id=snapshot_id, label=label, created_at=at)
            .returning(FILE.c.id)
        ).scalar_one()
    )


def store(engine: Engine, file_id: int, snapshot: Snapshot) -> Manifest:
    """Store an open snapshot's parts and manifest, a part per transaction (a
    16 MiB write each: no long lock). Nothing points at the file yet, so a
    crash leaves only parts the next import of the registry throws away."""
    found = manifest(snapshot)
    for part in iter_parts(snapshot, found.part_bytes):
        with engine.begin() as conn:
            conn.execute(
                insert(PART).values(
                    file_id=file_id, idx=part.index, data=part.data, digest=part.digest
                )
            )
    with engine.begin() as conn:
        conn.execute(
            update(FILE)
            .where(FILE.c.id == file_id)
            .values(
                count=found.count,
                file_bytes=found.file_bytes,
                part_bytes=found.part_bytes,
                parts=found.parts,
                digest=found.digest,
            )
        )
    return found


def point(conn: Connection, snapshot_id: int, file_id: int) -> None:
    """Make ``file_id`` the snapshot's numbers (in the caller's swap transaction)."""
    conn.execute(update(SNAPSHOT).where(SNAPSHOT.c.id == snapshot_id).values(file_id=file_id))


def manifest_of(conn: Connection, file_id: int) -> Manifest | None:
    """The manifest of a stored file; None when no complete file has that id."""
    row = conn.execute(
        select(
            FILE.c.label,
            FILE.c.count,
            FILE.c.file_bytes,
            FILE.c.part_bytes,
            FILE.c.parts,
            FILE.c.digest,
        ).where(FILE.c.id == file_id)
    ).first()
    if row is None or not row[5]:
        return None
    label, count, file_bytes, part_bytes, parts, digest = row
    return Manifest(
        snapshot_id=file_id,
        label=label,
        count=int(count),
        file_bytes=int(file_bytes),
        part_bytes=int(part_bytes),
        parts=int(parts),
        digest=digest,
    )


def parts(engine: Engine, file_id: int, count: int) -> Iterator[Part]:
    """The file's parts in order, each read in its own short statement (bounded memory)."""
    for index in range(count):
        with engine.connect() as conn:
            row = conn.execute(
                select(PART.c.data, PART.c.digest).where(
                    PART.c.file_id == file_id, PART.c.idx == index
                )
            ).first()
        if row is None:
            return  # assemble() reports the missing part
        yield Part(index, bytes(row.data), bytes(row.digest))


def forget_files(conn: Connection, snapshot_id: int, *, keep: Collection[int] = ()) -> list[int]:
    """Drop a snapshot's files (all but ``keep``) and their parts; their ids
    (for the caller to drop this host's copies once committed)."""
    query = select(FILE.c.id).where(FILE.c.snapshot_id == snapshot_id)
    if keep:
        query = query.where(FILE.c.id.not_in(list(keep)))
    ids = [int(i) for i in conn.execute(query).scalars()]
    forget_file_ids(conn, ids)
    return ids


def forget_file_ids(conn: Connection, ids: Collection[int]) -> None:
    if ids:
        conn.execute(delete(PART).where(PART.c.file_id.in_(ids)))
        conn.execute(delete(FILE).where(FILE.c.id.in_(ids)))


def live_ids(conn: Connection) -> set[int]:
    """Every file id still stored (a host's local copies of others can go)."""
    return {int(i) for i in conn.execute(select(FILE.c.id)).scalars()}
