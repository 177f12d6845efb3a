"""Engine construction: one place that knows each backend's quirks."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError

from dnc.errors import StorageError
from dnc.operations import StorageSettings

WRITE = {"dnc_write": True}
"""Execution options for a unit of work that will write.

On SQLite it starts with BEGIN IMMEDIATE, taking the write lock up front:
a deferred transaction that reads and then writes can fail with "database
is locked" when another process wrote in between, instead of waiting.
"""


MMAP_BYTES = 2_147_418_112  # SQLite's default ceiling (SQLITE_MAX_MMAP_SIZE)
CACHE_KIB = 65_536


def normalise_url(url: str) -> str:
    """Let users write postgresql:// and get the psycopg 3 driver we ship."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def create(url: str, settings: StorageSettings | None = None, *, checks: bool = False) -> Engine:
    """The engine for ``url``: with ``checks``, the hot path's own, whose waits
    are bounded by ``settings.check_timeout`` instead of ``write_timeout``."""
    settings = settings or StorageSettings()
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StorageError(f"not a database URL: {url!r}") from None
    backend = parsed.get_backend_name()
    wait = settings.check_timeout if checks else settings.write_timeout
    if backend == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": wait})
        _sqlite_events(engine, wait, checks=checks)
        return engine
    if backend == "postgresql":
        # libpq counts connect_timeout in whole seconds, 2 at the least.
        connect = max(2, math.ceil(settings.connect_timeout))
        keepalive = {
            "keepalives": 1,
            "keepalives_idle": settings.keepalive_idle,
            "keepalives_interval": settings.keepalive_interval,
            "keepalives_count": settings.keepalive_count,
            # Unacknowledged data gives up as soon as the keepalives would.
            "tcp_user_timeout": 1000
            * (settings.keepalive_idle + settings.keepalive_interval * settings.keepalive_count),
        }
        engine = create_engine(
            parsed,
            pool_pre_ping=not checks,
            connect_args={"connect_timeout": connect, "application_name": "dnc", **keepalive},
        )
        if checks:
            _pg_check_events(engine, settings.check_timeout)
        return engine
    raise StorageError(f"unsupported database {backend!r}: use sqlite or postgresql")


def _pg_check_events(engine: Engine, timeout: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # The server gives up on a check's statement after the bound (the
        # client-side watchdog covers a network path that stops answering).
        dbapi_connection.autocommit = True
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET statement_timeout = {max(1, round(timeout * 1000))}")


def where(engine: Engine) -> str:
    """The database in words: a SQLite file's path, else the URL without its password."""
    path = sqlite_file(engine)
    return str(path) if path is not None else engine.url.render_as_string(hide_password=True)


def sqlite_file(engine: Engine) -> Path | None:
    """The file of a SQLite database, or None (another backend, in memory, a URI)."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.query.get("uri"):
        return None
    name = url.database or ""
    if name in ("", ":memory:") or name.startswith("file:"):
        return None
    return Path(name).absolute()


def sqlite_file_missing(engine: Engine) -> bool:
    """Whether a SQLite database's file does not exist yet. Asked before the
    first connection, since connecting creates the file."""
    path = sqlite_file(engine)
    return path is not None and not path.exists()


def _sqlite_events(engine: Engine, wait: float, *, checks: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # We issue BEGIN ourselves (below); pysqlite's own implicit
        # transactions would otherwise defeat BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # A lock held by another connection is waited for this long, then
        # "database is locked": a check's bound, or a writer's.
        cursor.execute(f"PRAGMA busy_timeout={max(1, round(wait * 1000))}")
        if not checks:
            # WAL lets dialers read while an import or scrub writes (the mode
            # is kept in the file: the hot path's connections need not set
            # it, which would wait for a lock); FULL makes a committed opt-out
            # survive a power cut, not just a process crash.
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # A check reads 4-5 B-tree pages of a registry table that can hold
        # 250 million numbers: map the file (shared by every connection, no
        # read syscalls) and keep a larger page cache, so the interior pages
        # stay hot. Resident memory stays within ~2.1 GiB.
        cursor.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
        cursor.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        write = connection.get_execution_options().get("dnc_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
