"""Unit of work: one transaction that rolls back unless committed."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.engine import Connection, Engine

from dnc.storage.engine import WRITE


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
        connection = self._engine.connect()
        if self._write:
            connection = connection.execution_options(**WRITE)
        connection.begin()
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
        finally:
            connection.close()
            self._connection = None
