"""The dialer's hot path: read everything about one number, fast.

SQLAlchemy's execution layer costs tens of microseconds per statement, more
than the whole budget of a check, so the statements are written in Core,
compiled once per dialect at start-up, and run on a raw DBAPI connection kept
per thread. Each read sees the latest committed data: SQLite connections are
in autocommit mode (no long-lived read snapshot) and PostgreSQL ones run in
autocommit at READ COMMITTED.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, select, union_all
from sqlalchemy.engine import Engine
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql import CompoundSelect, Select

from dnc.errors import CheckTimeoutError, StorageError, StorageUnhealthyError
from dnc.facts import NumberFacts
from dnc.storage import (
    consent_repo,
    health_repo,
    outcomes_repo,
    prefix_repo,
    reassigned_repo,
    registry_repo,
    wireless_repo,
)
from dnc.storage.lists_repo import ENTRY_COLUMNS, entry_from_row
from dnc.storage.lists_repo import LIST_ENTRY as ENTRIES
from dnc.storage.snapshot_files import SnapshotFiles
from dnc.storage.watchdog import Watchdog, shut_down_socket

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class _Compiled:
    """A statement compiled for one dialect, and a fast way to bind its parameters."""

    def __init__(self, statement: Select[Any] | CompoundSelect[Any], engine: Engine) -> None:
        compiled = statement.compile(dialect=engine.dialect)
        self.sql = str(compiled)
        self.width = len(statement.selected_columns)
        names = compiled.positiontup
        self.positional = names is not None
        self.names: tuple[str, ...] = tuple(names or ())
        if names is None:
            self.params: Callable[[dict[str, Any]], Any] = lambda values: values
        elif len(names) == 1:
            only = names[0]
            self.params = lambda values: (values[only],)
        else:
            self.params = itemgetter(*names)


class HotReader:
    """Per-thread raw connections and precompiled reads for ``check``, each
    answered within ``timeout`` seconds or failed (the watchdog), from the
    file that was opened (``file``: a SQLite database's), and refused while
    the last integrity check failed (read again every ``health_ttl`` seconds).
    """

    def __init__(
        self,
        engine: Engine,
        *,
        timeout: float = 0.25,
        health_ttl: float = 1.0,
        file: Path | None = None,
        snapshots: SnapshotFiles,
    ) -> None:
        self._engine = engine
        self._local = threading.local()
        self._all: list[PoolProxiedConnection] = []
        self._lock = threading.Lock()
        self._watch = Watchdog(timeout)
        self._connector: ThreadPoolExecutor | None = None
        self._ttl = health_ttl
        self._health_until = 0.0
        self._failure: str | None = None
        self._file = file
        self._snapshots = snapshots
        self._file_id = _identity(file) if file is not None else None
        self._entries = _Compiled(
            select(*ENTRY_COLUMNS).where(
                ENTRIES.c.number == bindparam("n"), ENTRIES.c.removed_at.is_(None)
            ),
            engine,
        )
        self._outcomes = _Compiled(outcomes_repo.hot_query(), engine)
        self._since: tuple[datetime, Any] | None = None
        self._prefixes = _Compiled(prefix_repo.hot_query(), engine)
        # Line-type rows (dnc.wireless) ride on the registries' statement: one
        # statement less per check, their codes telling them apart.
        self._registries = _Compiled(
            union_all(registry_repo.hot_query(), wireless_repo.hot_query()), engine
        )
        # A number's disconnects ride on its consent rows: read only when there are some.
        consents = consent_repo.hot_consents_query().add_columns(
            reassigned_repo.disconnects_column(consent_repo.CONSENT.c.number)
        )
        self._consents = _Compiled(consents, engine)
        self._preference = _Compiled(consent_repo.hot_preference_query(), engine)
        reads = (
            self._entries,
            self._outcomes,
            self._prefixes,
            self._registries,
            self._consents,
            self._preference,
        )
        # SQLite: every read in one statement too (a UNION ALL, each arm tagged
        # and padded to the widest): one execute costs ~3 µs of the driver's
        # own, six cost six times that, more than the probes themselves.
        self._union: tuple[str, tuple[int, ...], Callable[[dict[str, Any]], Any]] | None = None
        if engine.dialect.name == "sqlite" and all(c.positional for c in reads):
            widest = max(c.width for c in reads)
            arms = " UNION ALL ".join(
                f"SELECT {i} AS k, *{', NULL' * (widest - c.width)} FROM ({c.sql})"
                for i, c in enumerate(reads)
            )
            # Every read binds the number (``n``) and the outcomes' ``since``:
            # the union's parameters in order, picked in one call.
            order = itemgetter(*(name for c in reads for name in c.names))
            self._union = (arms, tuple(c.width + 1 for c in reads), order)
        # PostgreSQL: every read in one statement, one network round trip.
        self._combined: str | None = None
        if engine.dialect.name == "postgresql":
            self._combined = "SELECT " + ", ".join(
                f"(SELECT coalesce(json_agg(t), '[]'::json) FROM ({c.sql}) AS t)" for c in reads
            )

    def _connection(self) -> PoolProxiedConnection:
        conn: PoolProxiedConnection | None = getattr(self._local, "conn", None)
        if conn is None:
            postgresql = self._engine.dialect.name == "postgresql"
            conn = self._connect_within_bound() if postgresql else self._engine.raw_connection()
            driver: Any = conn.driver_connection
            if postgresql:
                driver.autocommit = True
                self._local.abort = shut_down_socket(driver.fileno())
            else:
                self._local.abort = driver.interrupt
            self._local.ident = threading.get_ident()
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def _connect_within_bound(self) -> PoolProxiedConnection:
        """A new PostgreSQL connection, or CheckTimeoutError after the check's
        bound: the attempt goes on in the background (up to connect_timeout)
        and the thread's next check takes its connection when it is made."""
        pending: Future[PoolProxiedConnection] | None = getattr(self._local, "pending", None)
        if pending is None:
            with self._lock:
                if self._connector is None:
                    self._connector = ThreadPoolExecutor(2, thread_name_prefix="dnc-connect")
                pending = self._connector.submit(self._engine.raw_connection)
            self._local.pending = pending
        try:
            conn = pending.result(timeout=self._watch.bound)
        except FutureTimeout:
            raise CheckTimeoutError(
                f"no connection to the database within {self._watch.bound:g} s "
                "(storage.check_timeout; still trying)"
            ) from None
        finally:
            if pending.done():
                self._local.pending = None
        return conn

    def facts(self, number: int, since: datetime | None = None) -> NumberFacts:
        """``since``: from when every attempt is wanted (default: all of them).

        Raises CheckTimeoutError when the database does not answer within
        the bound, StorageUnhealthyError while the last integrity check
        failed, StorageError when the SQLite file was deleted or replaced.
        """
        if self._file_id is not None:
            self._same_file()
        conn = self._connection()
        local = self._local
        watch = self._watch
        watch.arm(local.ident, local.abort)
        try:
            if time.monotonic() >= self._health_until:
                self._read_health(conn)
            failure = self._failure
            if failure is None:
                results = self._read(conn, number, since)
        except BaseException as exc:
            # The connection may be broken (server restart, file gone, the
            # watchdog's abort): drop it so the next check starts afresh.
            fired = watch.disarm(local.ident)
            self._discard()
            if fired:
                raise CheckTimeoutError(
                    f"no answer from the database within {watch.bound:g} s (storage.check_timeout)"
                ) from exc
            raise
        if watch.disarm(local.ident):
            self._discard()  # aborted as the answer came: the connection is spent
        if failure is not None:
            raise StorageUnhealthyError(failure)
        return self._facts(results, number, since)

    def _same_file(self) -> None:
        """A SQLite file deleted or replaced under an open connection keeps
        answering from the old copy: refuse instead (one stat, ~1 µs). The
        path is stat'ed rather than a descriptor held open: closing any
        descriptor of the file would drop this process's SQLite locks."""
        path = self._file
        try:
            found = os.stat(path)  # type: ignore[arg-type]
        except OSError:
            raise StorageError(
                f"the database file {path} is gone (deleted or moved) since it was opened"
            ) from None
        if (found.st_dev, found.st_ino) != self._file_id:
            raise StorageError(
                f"the database file {path} was replaced since it was opened: reopen the service"
            )

    def _read_health(self, conn: PoolProxiedConnection) -> None:
        cursor = self._cursor(conn)
        cursor.execute(health_repo.HOT_QUERY)
        row = cursor.fetchone()
        self._failure = health_repo.failure(*row) if row is not None else None
        self._health_until = time.monotonic() + self._ttl

    def _read(self, conn: PoolProxiedConnection, number: int, since: datetime | None) -> list[Any]:
        start = self._since_param(since or _EPOCH)
        if self._union is not None:
            return self._run_union(conn, {"n": number, "since": start}, *self._union)
        one = {"n": number}
        statements = (
            (self._entries, one),
            (self._outcomes, {"n": number, "since": start}),
            (self._prefixes, one),
            (self._registries, one),
            (self._consents, one),
            (self._preference, one),
        )
        if self._combined is not None:
            return self._run_combined(conn, statements)
        cursor = self._cursor(conn)
        results = []
        for compiled, values in statements:
            cursor.execute(compiled.sql, compiled.params(values))
            results.append(cursor.fetchall())
        return results

    def _listed(self, file_id: int, number: int) -> bool:
        """Membership in a registry's snapshot file (opened once per process;
        a new one is waited for within the check's bound, else CHECK_FAILED)."""
        return self._snapshots.get(file_id, wait=self._watch.bound).contains(number)

    def _facts(self, results: list[Any], number: int, since: datetime | None) -> NumberFacts:
        rows, outcome_rows, prefix_rows, both_rows, consent_rows, preference_rows = results
        lines = wireless_repo.LINE_ROWS
        snapshots, files = registry_repo.hot_states([r for r in both_rows if r[2] < lines])
        line_sources, line_marks = wireless_repo.hot_facts([r for r in both_rows if r[2] >= lines])
        hits = frozenset(name for name, file_id in files.items() if self._listed(file_id, number))
        if not (rows or outcome_rows or prefix_rows or consent_rows or preference_rows):
            # Most numbers have no facts of their own: no builders to run.
            return NumberFacts(
                attempts_since=since,
                registry_snapshots=snapshots,
                registry_hits=hits,
                line_sources=line_sources,
                line_marks=line_marks,
            )
        preference_row = preference_rows[0] if preference_rows else None
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
            line_sources=line_sources,
            line_marks=line_marks,
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

    def _run_union(
        self,
        conn: PoolProxiedConnection,
        values: dict[str, Any],
        sql: str,
        ends: tuple[int, ...],
        order: Callable[[dict[str, Any]], Any],
    ) -> list[list[Any]]:
        cursor = self._cursor(conn)
        cursor.execute(sql, order(values))
        results: list[list[Any]] = [[] for _ in ends]
        for row in cursor.fetchall():
            kind = row[0]
            results[kind].append(row[1 : ends[kind]])
        return results

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
        self._watch.close()
        with self._lock:
            connector, self._connector = self._connector, None
        if connector is not None:
            connector.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            conns, self._all = self._all, []
        for conn in conns:
            try:
                conn.invalidate()
            except Exception:  # noqa: S110 - closing; nothing left to protect
                pass
        self._local = threading.local()


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return (found.st_dev, found.st_ino)
