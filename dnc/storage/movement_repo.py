"""Registry movements: which numbers entered or left a registry at each swap.

A swap (``registry_swap``) is one change of a registry's snapshot: its first
import (``baseline``: tracking starts there, no movement rows, because at
national scale "every number entered" would be hundreds of millions of rows
saying nothing), a full list that replaced the snapshot (``full``) or a
change list applied to it (``change``). Its movements (``registry_movement``,
keyed by number then swap) are written set-based, in the swap's own
transaction, so a snapshot and its movements commit or vanish together.

Everything that writes movements goes through the ``record_*`` functions
here, one per kind of input: two snapshot tables (an anti-join each way) or
a change list against the snapshot it changes. A snapshot held as a sorted
key file (docs/snapshots.md) adds one for two sorted arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, select, text, update
from sqlalchemy.engine import Connection

from dnc.storage.registry_repo import REGISTRY, numbers_table
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
    conn: Connection, swap_id: int, old_snapshot: int, new_snapshot: int
) -> tuple[int, int]:
    """Numbers in the new snapshot and not the old (entered), and the reverse
    (left), on the tables' primary keys. Returns the counts.

    PostgreSQL: one full join reads each table once (about 40 % faster than
    two anti-joins at a million numbers). SQLite: an anti-join each way,
    each a scan of one key probing the other's b-tree.
    """
    old, new = numbers_table(old_snapshot), numbers_table(new_snapshot)
    if conn.dialect.name == "sqlite":
        entered = _insert_select(conn, swap_id, ENTERED, new, old)
        left = _insert_select(conn, swap_id, LEFT, old, new)
    else:
        sql = (
            "WITH moved AS (INSERT INTO registry_movement (number, swap_id, direction) "
            "SELECT coalesce(n.number, o.number), :swap, "
            "CASE WHEN o.number IS NULL THEN :entered ELSE :left END "
            f"FROM {new} n FULL JOIN {old} o ON o.number = n.number "
            "WHERE n.number IS NULL OR o.number IS NULL RETURNING direction) "
            "SELECT count(*) FILTER (WHERE direction = :entered), "
            "count(*) FILTER (WHERE direction = :left) FROM moved"
        )
        row = conn.execute(text(sql), {"swap": swap_id, "entered": ENTERED, "left": LEFT}).one()
        entered, left = int(row[0]), int(row[1])
    _count(conn, swap_id, entered, left)
    return entered, left


def _insert_select(
    conn: Connection, swap_id: int, direction: str, inside: str, outside: str
) -> int:
    sql = (
        "INSERT INTO registry_movement (number, swap_id, direction) "
        f"SELECT i.number, :swap, :direction FROM {inside} i "
        f"WHERE NOT EXISTS (SELECT 1 FROM {outside} o WHERE o.number = i.number)"
    )
    return int(conn.execute(text(sql), {"swap": swap_id, "direction": direction}).rowcount)


def record_changes(
    conn: Connection, swap_id: int, snapshot_id: int, add: Sequence[int], delete: Sequence[int]
) -> tuple[int, int]:
    """A change list's movements, read against the snapshot before it is applied:
    an added number not yet listed entered, a deleted one still listed left."""
    snapshot = numbers_table(snapshot_id)
    raw: Any = conn.connection.driver_connection
    cur = raw.cursor()
    sql = (
        "INSERT INTO registry_movement (number, swap_id, direction) "
        "SELECT n, {swap}, '{direction}' FROM {source} "
        "WHERE {negate} EXISTS (SELECT 1 FROM {snapshot} s WHERE s.number = n)"
    )
    swap = int(swap_id)
    try:
        if conn.dialect.name == "sqlite":
            source = "(SELECT value AS n FROM json_each(?))"
            args: tuple[Any, Any] = (_json(add), _json(delete))
        else:
            source = "unnest(%s::bigint[]) AS n"
            args = (list(add), list(delete))
        cur.execute(
            sql.format(
                swap=swap, direction=ENTERED, source=source, negate="NOT", snapshot=snapshot
            ),
            (args[0],),
        )
        entered = int(cur.rowcount)
        cur.execute(
            sql.format(swap=swap, direction=LEFT, source=source, negate="", snapshot=snapshot),
            (args[1],),
        )
        left = int(cur.rowcount)
    finally:
        cur.close()
    _count(conn, swap_id, entered, left)
    return entered, left


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
