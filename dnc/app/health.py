"""Is the store sound? The integrity check (``dnc doctor``, the nightly
storage-integrity job), recorded where every check reads it: while the last
one failed, checks answer CHECK_FAILED naming it, until one passes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError

from dnc.app.context import App
from dnc.errors import StorageError, one_line
from dnc.storage import health_repo
from dnc.storage.health_repo import Integrity


@dataclass(frozen=True, slots=True)
class DoctorReport:
    """The store checked: where it is, its schema revision, its integrity."""

    database: str
    revision: str | None
    integrity: Integrity
    checked_at: datetime

    @property
    def ok(self) -> bool:
        return self.integrity.ok


def check_integrity(app: App) -> Integrity:
    """Run the database's own integrity check and record the result (the
    health every check reads). StorageError when the store cannot be used."""
    try:
        with app.store.unit() as uow:
            found = health_repo.check_integrity(uow.connection)
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot check {app.store.database}: {one_line(exc)}") from exc
    detail = None
    if not found.ok:
        shown = "; ".join(found.problems[:3])
        more = f" and {len(found.problems) - 3} more" if len(found.problems) > 3 else ""
        detail = f"{found.method}: {shown}{more}"
    try:
        with app.store.unit(write=True) as uow:
            health_repo.record(uow.connection, found.ok, app.now(), detail)
            uow.commit()
    except SQLAlchemyError as exc:
        raise StorageError(
            f"cannot record the integrity check in {app.store.database}: {one_line(exc)}"
        ) from exc
    return found


def doctor(app: App) -> DoctorReport:
    found = check_integrity(app)
    return DoctorReport(app.store.database, app.store.revision(), found, app.now())
