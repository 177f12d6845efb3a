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
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Engine
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql import Select

from dnc.facts import NumberFacts
from dnc.storage import consent_repo, outcomes_repo, prefix_repo, reassigned_repo, registry_repo
from dnc.storage.lists_repo import ENTRY_COLUMNS, entry_from_row
from dnc.storage.lists_repo import LIST_ENTRY as ENTRIES

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class _Compiled:
    """A statement compiled for one dialect, and a fast way to bind its parameters."""

    def __init__(self, statement: Select[Any], engine: Engine) -> None:
        compiled = statement.compile(dialect=engine.dialect)
        self.sql = str(compiled)
        names = compiled.positiontup
        if names is None:
            self.params: Callable[[dict[str, Any]], Any] = lambda values: values
        elif len(names) == 1:
            only = names[0]
            self.params = lambda values: (values[only],)
        else:
            self.params = itemgetter(*names)


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
        self._outcomes = _Compiled(outcomes_repo.hot_query(), engine)
        self._since: tuple[datetime, Any] | None = None
        self._prefixes = _Compiled(prefix_repo.hot_query(), engine)
        self._registries = _Compiled(registry_repo.hot_query(), engine)
        # A number's disconnects ride on its consent rows: read only when there are some.
        consents = consent_repo.hot_consents_query().add_columns(
            reassigned_repo.disconnects_column(consent_repo.CONSENT.c.number)
        )
        self._consents = _Compiled(consents, engine)
        self._preference = _Compiled(consent_repo.hot_preference_query(), engine)
        # PostgreSQL: every read in one statement, one network round trip.
        self._combined: str | None = None
        if engine.dialect.name == "postgresql":
            self._combined = "SELECT " + ", ".join(
                f"(SELECT coalesce(json_agg(t), '[]'::json) FROM ({c.sql}) AS t)"
                for c in (
                    self._entries,
                    self._outcomes,
                    self._prefixes,
                    self._registries,
                    self._consents,
                    self._preference,
                )
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

    def facts(self, number: int, since: datetime | None = None) -> NumberFacts:
        """``since``: from when every attempt is wanted (default: all of them)."""
        conn = self._connection()
        start = self._since_param(since or _EPOCH)
        one = {"n": number}
        statements = (
            (self._entries, one),
            (self._outcomes, {"n": number, "since": start}),
            (self._prefixes, prefix_repo.hot_params(number)),
            (self._registries, one),
            (self._consents, one),
            (self._preference, one),
        )
        try:
            if self._combined is not None:
                results = self._run_combined(conn, statements)
            else:
                cursor = self._cursor(conn)
                results = []
                for compiled, values in statements:
                    cursor.execute(compiled.sql, compiled.params(values))
                    results.append(cursor.fetchall())
        except BaseException:
            # The connection may be broken (server restart, file gone): drop
            # it so the next check starts afresh instead of failing forever.
            self._discard()
            raise
        rows, outcome_rows, prefix_rows, registry_rows, consent_rows, preference_rows = results
        preference_row = preference_rows[0] if preference_rows else None
        snapshots, hits = registry_repo.hot_facts(registry_rows)
        return NumberFacts(
            entries=tuple(entry_from_row(row) for row in rows),
            outcomes=tuple(outcomes_repo.record_from_row(row) for row in outcome_rows),
            attempt_totals=outcomes_repo.attempt_totals(outcome_rows),
            attempts_since=since,
            prefix_blocks=tuple(prefix_repo.block_from_row(row) for row in prefix_rows),
            registry_snapshots=snapshots,
            registry_hits=hits,
            consents=tuple(consent_repo.consent_from_row(row) for row in consent_rows),
            preference=(
                consent_repo.preference_from_row(preference_row) if preference_row else None
            ),
            disconnects=reassigned_repo.parse_disconnects(consent_rows[0][-1])
            if consent_rows
            else (),
        )

    def _cursor(self, conn: PoolProxiedConnection) -> Any:
        cursor = getattr(self._local, "cursor", None)
        if cursor is None:
            cursor = conn.cursor()
            self._local.cursor = cursor
        return cursor

    def _run_combined(
        self,
        conn: PoolProxiedConnection,
        statements: Sequence[tuple[_Compiled, dict[str, Any]]],
    ) -> list[list[Any]]:
        """Each read comes back as a JSON array of row objects whose keys keep
        the column order; times and dates arrive as ISO text, which the row
        builders already read (SQLite stores them as text too)."""
        params: dict[str, Any] = {}
        for _, values in statements:
            params.update(values)
        cursor = self._cursor(conn)
        cursor.execute(self._combined, params, prepare=True)
        row = cursor.fetchone()
        return [[tuple(item.values()) for item in column] for column in row]

    def _since_param(self, since: datetime) -> Any:
        # Rounded down to the hour (a few more rows, never fewer) so the
        # formatted bind value, ~2 µs to make, is reused by every check.
        hour = since.replace(minute=0, second=0, microsecond=0)
        cached = self._since
        if cached is None or cached[0] != hour:
            cached = (hour, outcomes_repo.bind_instant(self._engine.dialect.name, hour))
            self._since = cached
        return cached[1]

    def _discard(self) -> None:
        conn: PoolProxiedConnection | None = getattr(self._local, "conn", None)
        self._local.conn = None
        self._local.cursor = None
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
