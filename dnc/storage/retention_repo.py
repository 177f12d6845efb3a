"""The retention purge in the database: one DELETE per table, whatever the number of rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, exists, func, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from dnc.storage.schema import (
    CallOutcomeRow,
    ConsentRow,
    ConsentUseRow,
    QueueDispositionRow,
    table,
)

OUT = table(CallOutcomeRow)
DISPOSITION = table(QueueDispositionRow)
CONSENT = table(ConsentRow)
CONSENT_USE = table(ConsentUseRow)


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


def _past_keep_until(cutoff: datetime) -> ColumnElement[bool]:
    """Consents given, and last used, before ``cutoff``: their keep-until
    (the evidence period after the later of both) has passed."""
    # An alias, so that inside ``DELETE FROM consent_use`` the subquery is not
    # correlated with the row being deleted.
    later = CONSENT_USE.alias("later_use")
    used_since = exists().where(later.c.consent_id == CONSENT.c.id, later.c.used_at >= cutoff)
    return and_(CONSENT.c.granted_at < cutoff, ~used_since)


def _ended(at: datetime) -> ColumnElement[bool]:
    """No longer in force at ``at``: revoked or expired by then. A consent
    revoked after ``at`` (a purge dated in the past) still counts as in force."""
    return or_(
        and_(CONSENT.c.revoked_at.is_not(None), CONSENT.c.revoked_at <= at),
        and_(CONSENT.c.expires_at.is_not(None), CONSENT.c.expires_at <= at),
    )


def purge_consent_evidence(
    conn: Connection, *, at: datetime, cutoff: datetime, dry_run: bool
) -> tuple[int, int, int]:
    """Delete the uses of every consent past its keep-until, and the consent
    rows among them no longer in force at ``at``; a consent in force is kept.

    Returns (uses deleted, consents deleted, consents past keep-until kept
    because in force) or, dry, the same counts of what would go. Call
    inside one unit of work: one statement per table.
    """
    past = _past_keep_until(cutoff)
    ended = _ended(at)
    kept = int(
        conn.execute(select(func.count()).select_from(CONSENT).where(past, ~ended)).scalar_one()
    )
    of_past = CONSENT_USE.c.consent_id.in_(select(CONSENT.c.id).where(past))
    if dry_run:
        uses = conn.execute(select(func.count()).select_from(CONSENT_USE).where(of_past))
        consents = conn.execute(select(func.count()).select_from(CONSENT).where(past, ended))
        return int(uses.scalar_one()), int(consents.scalar_one()), kept
    # Uses first: every use deleted is before the cutoff, so the consents
    # past their keep-until are the same set for the second statement.
    uses_deleted = int(conn.execute(delete(CONSENT_USE).where(of_past)).rowcount)
    consents_deleted = int(conn.execute(delete(CONSENT).where(past, ended)).rowcount)
    return uses_deleted, consents_deleted, kept
