"""Registry movements: which numbers entered or left a registry at each swap.

A swap (``registry_swap``) is one change of a registry's snapshot: its first
import (``baseline``: tracking starts there, no movement rows, because at
national scale "every number entered" would be hundreds of millions of rows
saying nothing), a full list that replaced the snapshot (``full``) or a
change list applied to it (``change``). Its movements (``registry_movement``,
keyed by number then swap) are written set-based, in the swap's own
transaction, so a snapshot and its movements commit or vanish together.

Everything that writes movements goes through the ``record_*`` functions
here, one per kind of input: two snapshot files (each one's keys looked up
in the other, a batch at a time) or a change list against the snapshot it
changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import numpy as np
from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from dnc.snapshots import Snapshot, as_keys
from dnc.snapshots.keys import Keys
from dnc.storage.registry_repo import REGISTRY
from dnc.storage.schema import RegistryMovementRow, RegistrySwapRow, table
from dnc.storage.types import as_utc
from dnc.timeline import RegistryBaseline, RegistryMovement

SWAP = table(RegistrySwapRow)
MOVEMENT = table(RegistryMovementRow)

BASELINE, FULL, CHANGE = "baseline", "full", "change"
ENTERED, LEFT = "entered", "left"


def start_swap(
    conn: Connection,
    registry_id: int,
    snapshot_id: int,
    *,
    kind: str,
    as_of: date,
    at: datetime,
    actor: str,
) -> int:
    return int(
        conn.execute(
            insert(SWAP)
            .values(
                registry_id=registry_id,
                snapshot_id=snapshot_id,
                kind=kind,
                as_of=as_of,
                imported_at=at,
                entered_count=0,
                left_count=0,
                actor=actor,
            )
            .returning(SWAP.c.id)
        ).scalar_one()
    )


def record_diff(
    conn: Connection, swap_id: int, entered: Iterable[Keys], left: Iterable[Keys]
) -> tuple[int, int]:
    """A full import's movements: the numbers in the new snapshot and not the
    old (``entered``), and the reverse (``left``), in batches of sorted keys
    (dnc.storage.registry_bulk.Diff works them out from the two files).
    Returns the counts."""
    came = sum(_insert(conn, swap_id, ENTERED, keys) for keys in entered)
    went = sum(_insert(conn, swap_id, LEFT, keys) for keys in left)
    _count(conn, swap_id, came, went)
    return came, went


def record_changes(
    conn: Connection, swap_id: int, snapshot: Snapshot, add: Keys, delete: Keys
) -> tuple[int, int]:
    """A change list's movements, read against the snapshot before it is applied:
    an added number not yet listed entered, a deleted one still listed left."""
    adds, deletes = np.unique(as_keys(add)), np.unique(as_keys(delete))
    entered = _insert(conn, swap_id, ENTERED, adds[~snapshot.contains_many(adds)])
    left = _insert(conn, swap_id, LEFT, deletes[snapshot.contains_many(deletes)])
    _count(conn, swap_id, entered, left)
    return entered, left


INSERT_BATCH = 100_000


def _insert(conn: Connection, swap_id: int, direction: str, keys: Keys) -> int:
    """Movement rows for sorted, distinct ``keys``: one statement per batch."""
    raw: Any = conn.connection.driver_connection
    cur = raw.cursor()
    swap = int(swap_id)
    try:
        for first in range(0, keys.size, INSERT_BATCH):
            chunk = keys[first : first + INSERT_BATCH].tolist()
            if conn.dialect.name == "sqlite":
                cur.execute(
                    "INSERT INTO registry_movement (number, swap_id, direction) "
                    "SELECT value, ?, ? FROM json_each(?)",
                    (swap, direction, _json(chunk)),
                )
            else:
                cur.execute(
                    "INSERT INTO registry_movement (number, swap_id, direction) "
                    "SELECT unnest(%s::bigint[]), %s, %s",
                    (chunk, swap, direction),
                )
    finally:
        cur.close()
    return int(keys.size)


def _count(conn: Connection, swap_id: int, entered: int, left: int) -> None:
    conn.execute(
        update(SWAP).where(SWAP.c.id == swap_id).values(entered_count=entered, left_count=left)
    )


def _json(numbers: Sequence[int]) -> str:
    return "[" + ",".join(map(str, numbers)) + "]"


def for_number(conn: Connection, number: int) -> list[RegistryMovement]:
    """Every kept movement of ``number``, oldest first."""
    query = (
        select(
            REGISTRY.c.name,
            MOVEMENT.c.direction,
            SWAP.c.kind,
            SWAP.c.as_of,
            SWAP.c.imported_at,
            SWAP.c.snapshot_id,
            SWAP.c.actor,
        )
        .select_from(MOVEMENT)
        .join(SWAP, SWAP.c.id == MOVEMENT.c.swap_id)
        .join(REGISTRY, REGISTRY.c.id == SWAP.c.registry_id)
        .where(MOVEMENT.c.number == number)
        .order_by(SWAP.c.id)
    )
    return [
        RegistryMovement(
            registry=row[0],
            direction=row[1],
            kind=row[2],
            as_of=_day(row[3]),
            imported_at=as_utc(row[4]) or row[4],
            snapshot_id=int(row[5]),
            actor=row[6],
        )
        for row in conn.execute(query)
    ]


def baselines(conn: Connection) -> dict[str, RegistryBaseline]:
    """Each registry's baseline: the snapshot its tracking starts from."""
    first = select(func.min(SWAP.c.id)).group_by(SWAP.c.registry_id)
    query = (
        select(REGISTRY.c.name, SWAP.c.as_of, SWAP.c.imported_at, SWAP.c.snapshot_id, SWAP.c.actor)
        .join(REGISTRY, REGISTRY.c.id == SWAP.c.registry_id)
        .where(SWAP.c.id.in_(first), SWAP.c.kind == BASELINE)
    )
    return {
        row[0]: RegistryBaseline(
            registry=row[0],
            as_of=_day(row[1]),
            imported_at=as_utc(row[2]) or row[2],
            snapshot_id=int(row[3]),
            actor=row[4],
        )
        for row in conn.execute(query)
    }


def purge(conn: Connection, *, cutoff: datetime, dry_run: bool) -> int:
    """Forget the movements of swaps before ``cutoff``; returns how many (or would).

    Each registry's last swap before the cutoff becomes its baseline: every
    movement after it is still kept, so "on the list since at least" its
    as-of date stays true for a number listed then.
    """
    old = SWAP.c.imported_at < cutoff
    doomed = select(SWAP.c.id).where(old)
    count = int(
        conn.execute(
            select(func.count()).select_from(MOVEMENT).where(MOVEMENT.c.swap_id.in_(doomed))
        ).scalar_one()
    )
    if dry_run:
        return count
    latest = select(func.max(SWAP.c.id)).where(old).group_by(SWAP.c.registry_id)
    keep = [int(i) for i in conn.execute(latest).scalars()]
    conn.execute(delete(MOVEMENT).where(MOVEMENT.c.swap_id.in_(doomed)))
    conn.execute(delete(SWAP).where(and_(old, SWAP.c.id.not_in(keep))))
    if keep:
        conn.execute(
            update(SWAP)
            .where(SWAP.c.id.in_(keep))
            .values(kind=BASELINE, entered_count=0, left_count=0)
        )
    return count


def _day(value: Any) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value
