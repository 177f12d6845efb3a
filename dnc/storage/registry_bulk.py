"""Bulk loading of registry numbers, one way per backend. Set-based only.

SQLite: each chunk of numbers goes in as one JSON array parameter,
``INSERT OR IGNORE ... SELECT value FROM json_each(?) ORDER BY 1``, so
SQLite parses, sorts and de-duplicates in C; the chunk's own transaction
keeps the write lock short, so opt-outs interleave with a long import.
Staging commits use synchronous=NORMAL (a crash can lose only staging
work, which the next import throws away); the swap itself is FULL.

PostgreSQL: COPY into a temporary table, then one INSERT ... SELECT
DISTINCT into the snapshot table and its primary key built afterwards,
which is far cheaper than maintaining the index row by row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.engine import Connection, Engine

from dnc.storage.registry_repo import numbers_table

if TYPE_CHECKING:
    from dnc.storage.store import Store


class Loader(Protocol):
    def add(self, digits: bytes) -> None: ...

    def finish(self) -> int: ...

    def abort(self) -> None: ...


def loader(store: Store, snapshot_id: int) -> Loader:
    """A loader on its own raw connection: its chunks commit as they go."""
    if store.dialect == "sqlite":
        return SqliteLoader(store.engine, snapshot_id)
    return PostgresLoader(store.engine, snapshot_id)


class SqliteLoader:
    def __init__(self, engine: Engine, snapshot_id: int) -> None:
        self._proxy = engine.raw_connection()
        self._db: Any = self._proxy.driver_connection
        if self._db is None:
            raise RuntimeError("no DBAPI connection")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA cache_size=-262144")  # 256 MiB: the tree's right edge
        self._sql = (
            f"INSERT OR IGNORE INTO {numbers_table(snapshot_id)} (number) "
            "SELECT value FROM json_each(?) ORDER BY 1"
        )
        self.size = 0

    def add(self, digits: bytes) -> None:
        if not digits:
            return
        payload = b"[" + digits.replace(b"\n", b",") + b"]"
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self.size += self._db.execute(self._sql, (payload.decode("ascii"),)).rowcount
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def finish(self) -> int:
        self._close()
        return self.size

    def abort(self) -> None:
        self._close()

    def _close(self) -> None:
        if self._db is not None:
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA cache_size=-2000")
            self._proxy.close()
            self._db = None


class PostgresLoader:
    def __init__(self, engine: Engine, snapshot_id: int) -> None:
        self._proxy = engine.raw_connection()
        self._db: Any = self._proxy.driver_connection
        if self._db is None:
            raise RuntimeError("no DBAPI connection")
        self._table = numbers_table(snapshot_id)
        self._cur = self._db.cursor()
        self._cur.execute("SET LOCAL work_mem = '256MB'")
        self._cur.execute("CREATE TEMP TABLE registry_staging (number BIGINT) ON COMMIT DROP")

    def add(self, digits: bytes) -> None:
        if not digits:
            return
        with self._cur.copy("COPY registry_staging (number) FROM STDIN") as copy:
            copy.write(digits + b"\n")

    def finish(self) -> int:
        self._cur.execute(
            f"INSERT INTO {self._table} (number) SELECT DISTINCT number FROM registry_staging"
        )
        size = int(self._cur.rowcount)
        self._cur.execute(f"ALTER TABLE {self._table} ADD PRIMARY KEY (number)")
        self._db.commit()
        self._close()
        return size

    def abort(self) -> None:
        try:
            self._db.rollback()
        finally:
            self._close()

    def _close(self) -> None:
        if self._db is not None:
            self._cur.close()
            self._proxy.close()
            self._db = None


def apply_changes(
    conn: Connection, snapshot_id: int, add: Iterable[int], delete: Iterable[int]
) -> tuple[int, int]:
    """Add and delete numbers in a snapshot inside the caller's transaction (a
    unit of work's connection), so the change and the snapshot's new as-of
    date commit together."""
    table = numbers_table(snapshot_id)
    dialect = conn.dialect.name
    adds, deletes = sorted(add), sorted(delete)
    raw: Any = conn.connection.driver_connection
    cur = raw.cursor()
    try:
        if dialect == "sqlite":
            cur.execute(
                f"INSERT OR IGNORE INTO {table} (number) SELECT value FROM json_each(?)",
                (_json(adds),),
            )
            added = cur.rowcount
            cur.execute(
                f"DELETE FROM {table} WHERE number IN (SELECT value FROM json_each(?))",
                (_json(deletes),),
            )
            removed = cur.rowcount
        else:
            cur.execute(
                f"INSERT INTO {table} (number) SELECT unnest(%s::bigint[]) ON CONFLICT DO NOTHING",
                (adds,),
            )
            added = cur.rowcount
            cur.execute(f"DELETE FROM {table} WHERE number = ANY(%s::bigint[])", (deletes,))
            removed = cur.rowcount
    finally:
        cur.close()
    return int(added), int(removed)


def _json(numbers: list[int]) -> str:
    return "[" + ",".join(map(str, numbers)) + "]"
