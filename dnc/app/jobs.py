"""Every job run recorded, one way, under the job's own name; no failure swallowed.

A run is started (and, for a job that must run alone, its lease taken) in
one transaction, so a run that is refused is recorded as ``skipped`` and
never overlaps another; it ends ``ok``, ``warning`` (its counts carry
warnings) or ``failed`` with the error, which is then raised again.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Connection

from dnc.app.context import App
from dnc.errors import DncError, ScrubBusyError
from dnc.storage import jobs_repo
from dnc.storage.jobs_repo import JobRun

log = logging.getLogger("dnc.jobs")

LEASE_TTL = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Run:
    """A run under way: its id, and its lease (if it holds one)."""

    app: App
    id: int
    lease: str | None
    owner: str | None

    def renew(self, conn: Connection) -> None:
        """Extend the lease inside the caller's transaction; stop if it was lost
        (it expired and another run took it), so two runs never overlap."""
        if self.lease is None or self.owner is None:
            return
        if not jobs_repo.renew(conn, self.lease, self.owner, self.app.now(), LEASE_TTL):
            raise DncError(f"the {self.lease} lease was lost; stopping so two runs never overlap")


def recorded(
    app: App,
    job: str,
    trigger: str,
    work: Callable[[Run], dict[str, Any]],
    *,
    lease: str | None = None,
    owner: str | None = None,
) -> dict[str, Any]:
    """Run ``work`` as a recorded run of ``job``; with ``lease``, only while
    holding it (ScrubBusyError, after recording the run as skipped, if
    another holds it)."""
    holder = lease_owner(owner or app.actor(None)) if lease else None
    try:
        run = _start(app, job, trigger, lease, holder)
    except ScrubBusyError as busy:
        _skipped(app, job, trigger, str(busy))
        raise
    try:
        counts = work(run)
    except BaseException as exc:
        _finish(run, "failed", None, f"{type(exc).__name__}: {exc}")
        log.exception("job %s failed", job)
        raise
    _finish(run, "warning" if counts.get("warnings") else "ok", counts, None)
    return counts


def job_runs(app: App, job: str | None, limit: int) -> list[JobRun]:
    with app.store.unit() as uow:
        return jobs_repo.runs(uow.connection, job, limit)


def lease_owner(name: str) -> str:
    """Who a lease names: ``name`` (the actor), where, and this one run.

    Unique per run, so neither a second process of the same user on the
    same host nor a second run in this process counts as the holder.
    """
    host = socket.gethostname()
    who = name[:120] if name.endswith(f"@{host}") else f"{name[:120]}@{host}"
    return f"{who}:{os.getpid()}:{secrets.token_hex(4)}"[:200]


def _start(app: App, job: str, trigger: str, lease: str | None, owner: str | None) -> Run:
    with app.store.unit(write=True) as uow:
        if lease is not None and owner is not None:
            now = app.now()
            if not jobs_repo.acquire(uow.connection, lease, owner, now, LEASE_TTL):
                found = jobs_repo.holder(uow.connection, lease)
                if found is None:  # released just now: this run still does not start
                    raise ScrubBusyError("unknown", now, now)
                raise ScrubBusyError(found.owner, found.since, found.until)
        # The clock read after the lease: taking it may have waited for the
        # last holder's release, and this run starts after that one ended.
        run_id = jobs_repo.start(uow.connection, job, trigger, app.now())
        uow.commit()
    return Run(app, run_id, lease, owner)


def _finish(run: Run, status: str, counts: dict[str, Any] | None, error: str | None) -> None:
    with run.app.store.unit(write=True) as uow:
        jobs_repo.finish(
            uow.connection, run.id, status=status, at=run.app.now(), counts=counts, error=error
        )
        if run.lease is not None and run.owner is not None:
            jobs_repo.release(uow.connection, run.lease, run.owner)
        uow.commit()


def _skipped(app: App, job: str, trigger: str, why: str) -> None:
    """A run that did not happen (another holds the lease) is still on record."""
    now = app.now()
    with app.store.unit(write=True) as uow:
        run_id = jobs_repo.start(uow.connection, job, trigger, now)
        jobs_repo.finish(uow.connection, run_id, status="skipped", at=now, error=why)
        uow.commit()
    log.warning("%s skipped: %s", job, why)


def job_run_counts(app: App) -> dict[tuple[str, str], int]:
    """Runs by (job, status): what the metrics endpoint counts."""
    with app.store.unit() as uow:
        return jobs_repo.counts(uow.connection)
