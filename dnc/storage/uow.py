"""Unit of work: one transaction that rolls back unless committed."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from dnc.errors import StorageError, one_line
from dnc.storage.engine import WRITE, where


class UnitOfWork:
    """``with UnitOfWork(engine, write=True) as uow: ...; uow.commit()``."""

    def __init__(self, engine: Engine, *, write: bool = False) -> None:
        self._engine = engine
        self._write = write
        self._connection: Connection | None = None
        self._committed = False

    @property
    def connection(self) -> Connection:
        if self._connection is None:
            raise RuntimeError("unit of work used outside its with-block")
        return self._connection

    def __enter__(self) -> UnitOfWork:
        try:
            connection = self._engine.connect()
            if self._write:
                connection = connection.execution_options(**WRITE)
            connection.begin()
        except (DBAPIError, PoolTimeout) as exc:
            raise self._storage_error(exc) from exc
        self._connection = connection
        return self

    def commit(self) -> None:
        self.connection.commit()
        self._committed = True

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        connection = self.connection
        try:
            if connection.in_transaction():
                connection.rollback()
        except DBAPIError:
            if exc is None:
                raise
        finally:
            connection.close()
            self._connection = None
        # The database went away or lost its schema: a storage error callers
        # (exit 3, HTTP 503) tell from a bug. A constraint hit is left as is:
        # the code that wrote it may expect it.
        if isinstance(exc, DBAPIError) and not isinstance(exc, IntegrityError):
            raise self._storage_error(exc) from exc

    def _storage_error(self, exc: BaseException) -> StorageError:
        return StorageError(f"database {where(self._engine)} failed: {one_line(exc)}")
