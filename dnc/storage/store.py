"""The database behind a service: the one object the application layer holds.

It opens units of work (``store.unit(write=True)``), keeps the hot path's
precompiled reads, and knows the URL. Engines are an implementation detail
of this package: use cases and the shells above never see one.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from dnc.errors import StorageError, one_line
from dnc.operations import StorageSettings
from dnc.storage import migrate
from dnc.storage.engine import create as create_engine
from dnc.storage.engine import sqlite_file
from dnc.storage.hotpath import HotReader
from dnc.storage.snapshot_files import SnapshotFiles, folder_for
from dnc.storage.uow import UnitOfWork


class Store:
    """One database: units of work, the hot path's reads, where it is."""

    def __init__(
        self,
        engine: Engine,
        settings: StorageSettings | None = None,
        check_engine: Engine | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings or StorageSettings()
        # The hot path has its own engine: its waits are a check's, not a writer's.
        self._check_engine = check_engine or engine
        self.snapshots = SnapshotFiles(engine, folder_for(engine, self.settings.snapshot_dir))
        self.hot = HotReader(
            self._check_engine,
            timeout=self.settings.check_timeout,
            health_ttl=self.settings.health_ttl,
            file=sqlite_file(engine),
            snapshots=self.snapshots,
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def database(self) -> str:
        """The URL without its password: safe to print."""
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def file(self) -> Path | None:
        """The SQLite database file, or None (PostgreSQL)."""
        return sqlite_file(self.engine)

    def url(self) -> str:
        """The full URL, password included: for a component that must connect
        on its own (the scheduler's job store), never for printing."""
        return self.engine.url.render_as_string(hide_password=False)

    def revision(self) -> str | None:
        """The schema's migration revision."""
        with self.engine.connect() as conn:
            return migrate.current(conn)

    def unit(self, *, write: bool = False) -> UnitOfWork:
        """A transaction that rolls back unless committed."""
        return UnitOfWork(self.engine, write=write)

    def connect(self) -> Connection:
        """A connection whose transactions the caller runs (the scrub's walk)."""
        return self.engine.connect()

    def close(self) -> None:
        self.hot.close()
        self.snapshots.close()
        if self._check_engine is not self.engine:
            self._check_engine.dispose()
        self.engine.dispose()


def open_store(
    url: str, *, create: bool, migrate_schema: bool, settings: StorageSettings | None = None
) -> Store:
    """Connect and bring the schema to head (``create``: make it if missing).

    Raises DatabaseMissingError without ``create`` when there is no dnc
    database at ``url``, StorageError when it cannot be used.
    """
    engine = create_engine(url, settings)
    try:
        if migrate_schema:
            migrate.upgrade(engine, create=create)
        elif not create:
            migrate.require(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StorageError(f"cannot use database {redact(url)}: {one_line(exc)}") from exc
    except BaseException:
        engine.dispose()
        raise
    return Store(engine, settings, create_engine(url, settings, checks=True))


def redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - only used in an error message
        return "<database>"
