"""Running jobs so that every run is recorded and no failure is swallowed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from dnc.audit import AuditRecord
from dnc.clock import Clock
from dnc.consent_ops import consent_snapshot
from dnc.storage import audit_repo, consent_repo, jobs_repo
from dnc.storage.uow import UnitOfWork

log = logging.getLogger("dnc.jobs")


def recorded(
    engine: Engine, clock: Clock, job: str, trigger: str, work: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    """Run ``work`` as a recorded job run: ok with its counts, or failed with
    the error — and then the error is raised again, never swallowed."""
    with UnitOfWork(engine, write=True) as uow:
        run_id = jobs_repo.start(uow.connection, job, trigger, clock.now())
        uow.commit()
    try:
        counts = work()
    except BaseException as exc:
        with UnitOfWork(engine, write=True) as uow:
            jobs_repo.finish(
                uow.connection,
                run_id,
                status="failed",
                at=clock.now(),
                error=f"{type(exc).__name__}: {exc}",
            )
            uow.commit()
        log.exception("job %s failed", job)
        raise
    status = "warning" if counts.get("warnings") else "ok"
    with UnitOfWork(engine, write=True) as uow:
        jobs_repo.finish(uow.connection, run_id, status=status, at=clock.now(), counts=counts)
        uow.commit()
    return counts


def record_skip(engine: Engine, now: datetime, job: str, trigger: str, why: str) -> None:
    """A run that did not happen (another holds the lease) is still on record."""
    with UnitOfWork(engine, write=True) as uow:
        run_id = jobs_repo.start(uow.connection, job, trigger, now)
        jobs_repo.finish(uow.connection, run_id, status="skipped", at=now, error=why)
        uow.commit()


def expire_consents(engine: Engine, at: datetime, actor: str) -> dict[str, Any]:
    """Write one audit record per consent that lapsed since the last run.

    Nothing is changed: an expired consent simply stops counting in checks.
    The record makes the lapse visible in the number's timeline.
    """
    c = consent_repo.CONSENT
    with UnitOfWork(engine, write=True) as uow:
        previous = [
            r
            for r in jobs_repo.runs(uow.connection, "consent_expiry", limit=20)
            if r.status in ("ok", "warning")
        ]
        since = previous[0].started_at if previous else at - timedelta(days=1)
        rows = uow.connection.execute(
            select(*consent_repo.CONSENT_COLUMNS).where(
                c.c.revoked_at.is_(None), c.c.expires_at > since, c.c.expires_at <= at
            )
        )
        expired = [consent_repo.consent_from_row(row) for row in rows]
        for consent in expired:
            audit_repo.append(
                uow.connection,
                AuditRecord(
                    at=at,
                    actor=actor,
                    action="consent_expired",
                    number=consent.number,
                    subject=consent.scope,
                    before=consent_snapshot(consent),
                ),
            )
        uow.commit()
    return {"expired": len(expired), "since": since.isoformat()}
