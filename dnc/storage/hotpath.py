"""The dialer's hot path: read everything about one number, fast.

SQLAlchemy's execution layer costs tens of microseconds per statement, more
than the whole budget of a check, so the statements are written in Core,
compiled once per dialect at start-up, and run on a raw DBAPI connection kept
per thread. Each read sees the latest committed data: SQLite connections are
in autocommit mode (no long-lived read snapshot) and PostgreSQL ones run in
autocommit at READ COMMITTED.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Engine
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql import Select

from dnc.facts import NumberFacts
from dnc.storage.lists_repo import ENTRY_COLUMNS, entry_from_row
from dnc.storage.lists_repo import T as ENTRIES


class _Compiled:
    """A statement compiled for one dialect, with a way to order its parameters."""

    def __init__(self, statement: Select[Any], engine: Engine) -> None:
        compiled = statement.compile(dialect=engine.dialect)
        self.sql = str(compiled)
        self._positional = compiled.positiontup

    def params(self, values: dict[str, Any]) -> Sequence[Any] | dict[str, Any]:
        if self._positional is None:
            return values
        return tuple(values[name] for name in self._positional)


class HotReader:
    """Per-thread raw connections and precompiled reads for ``check``."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._local = threading.local()
        self._all: list[PoolProxiedConnection] = []
        self._lock = threading.Lock()
        self._entries = _Compiled(
            select(*ENTRY_COLUMNS).where(
                ENTRIES.c.number == bindparam("n"), ENTRIES.c.removed_at.is_(None)
            ),
            engine,
        )

    def _connection(self) -> PoolProxiedConnection:
        conn: PoolProxiedConnection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._engine.raw_connection()
            if self._engine.dialect.name == "postgresql":
                conn.driver_connection.autocommit = True  # type: ignore[union-attr]
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def facts(self, number: int) -> NumberFacts:
        conn = self._connection()
        try:
            cursor = conn.cursor()
            try:
                cursor.execute(self._entries.sql, self._entries.params({"n": number}))
                rows = cursor.fetchall()
            finally:
                cursor.close()
        except BaseException:
            # The connection may be broken (server restart, file gone): drop
            # it so the next check starts afresh instead of failing forever.
            self._discard()
            raise
        return NumberFacts(entries=tuple(entry_from_row(row) for row in rows))

    def _discard(self) -> None:
        conn: PoolProxiedConnection | None = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            with self._lock:
                if conn in self._all:
                    self._all.remove(conn)
            try:
                conn.invalidate()
            except Exception:  # noqa: S110 - already failing; the caller reports it
                pass

    def close(self) -> None:
        with self._lock:
            conns, self._all = self._all, []
        for conn in conns:
            try:
                conn.invalidate()
            except Exception:  # noqa: S110 - closing; nothing left to protect
                pass
        self._local = threading.local()
