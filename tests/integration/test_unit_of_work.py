"""The unit of work commits only when told to."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

import dnc
from dnc.audit import AuditRecord
from dnc.storage import audit_repo
from dnc.storage.uow import UnitOfWork

RECORD = AuditRecord(at=datetime(2026, 11, 23, tzinfo=UTC), actor="t", action="probe", number="+1")


def _count(service: dnc.Service) -> int:
    with service.store.engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM audit_log")).scalar_one())


def test_uncommitted_work_is_rolled_back(service: dnc.Service) -> None:
    with UnitOfWork(service.store.engine, write=True) as uow:
        audit_repo.append(uow.connection, RECORD)
    assert _count(service) == 0


def test_work_rolled_back_on_error(service: dnc.Service) -> None:
    try:
        with UnitOfWork(service.store.engine, write=True) as uow:
            audit_repo.append(uow.connection, RECORD)
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert _count(service) == 0


def test_committed_work_is_kept(service: dnc.Service) -> None:
    with UnitOfWork(service.store.engine, write=True) as uow:
        audit_repo.append(uow.connection, RECORD)
        uow.commit()
    assert _count(service) == 1
