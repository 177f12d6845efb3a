"""The retention purge in the database: one DELETE, whatever the number of rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from dnc.storage.schema import CallOutcomeRow, QueueDispositionRow, table

OUT = table(CallOutcomeRow)
DISPOSITION = table(QueueDispositionRow)


def _keep(threshold: int) -> ColumnElement[bool]:
    """Refusal rows of every number whose refusals could have suppressed it."""
    counted = OUT.alias("counted")
    suppressed_numbers = (
        select(counted.c.number)
        .where(counted.c.refusals > 0)
        .group_by(counted.c.number)
        .having(func.sum(counted.c.refusals) >= threshold)
    )
    return and_(OUT.c.refusals > 0, OUT.c.number.in_(suppressed_numbers))


def purge_outcomes(
    conn: Connection, *, cutoff: datetime, threshold: int, dry_run: bool
) -> tuple[int, int]:
    """Delete outcome rows from before ``cutoff`` except the ones to keep.

    Returns (deleted or, dry, deletable; old rows kept). Call inside one
    unit of work, so the counts and the delete see the same rows.
    """
    old = OUT.c.at < cutoff
    keep = _keep(threshold)
    kept = int(conn.execute(select(func.count()).select_from(OUT).where(old, keep)).scalar_one())
    if dry_run:
        doomed = conn.execute(select(func.count()).select_from(OUT).where(old, ~keep)).scalar_one()
        return int(doomed), kept
    result = conn.execute(delete(OUT).where(old, ~keep))
    return int(result.rowcount), kept


def purge_dispositions(conn: Connection, *, cutoff: datetime, dry_run: bool) -> int:
    """Delete queue disposition rows closed before ``cutoff`` (an open row is
    an entry's disposition now, whatever its age); returns how many."""
    old = DISPOSITION.c.until_at < cutoff
    if dry_run:
        return int(
            conn.execute(select(func.count()).select_from(DISPOSITION).where(old)).scalar_one()
        )
    return int(conn.execute(delete(DISPOSITION).where(old)).rowcount)
