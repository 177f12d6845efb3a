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
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from dnc.app import auditing
from dnc.app.context import App
from dnc.errors import DncError, ScrubBusyError, one_line
from dnc.storage import jobs_repo
from dnc.storage.jobs_repo import JobRun

log = logging.getLogger("dnc.jobs")

LEASE_TTL = timedelta(minutes=10)
LEGACY_RUN_LIMIT = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Run:
    """A run under way: its id, and its lease (if it holds one)."""

    app: App
    id: int
    lease: str | None
    owner: str | None

    def renew(self, conn: Connection) -> None:
        """Extend the lease inside the caller's transaction, and say the run is
        alive; stop if the lease was lost (it expired and another run took
        it, or the run was recorded abandoned), so two runs never overlap."""
        now = self.app.now()
        jobs_repo.seen(conn, self.id, now)
        if self.lease is None or self.owner is None:
            return
        if not jobs_repo.renew(conn, self.lease, self.owner, now, LEASE_TTL):
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
        _anchor(app, job)
        raise
    anchored = _anchor(app, job)
    if "warnings" in anchored:
        anchored["warnings"] = [*(counts.get("warnings") or []), *anchored["warnings"]]
    counts = {**counts, **anchored}
    _finish(run, "warning" if counts.get("warnings") else "ok", counts, None)
    return counts


def _anchor(app: App, job: str) -> dict[str, Any]:
    """Every run anchors the audit chain outside the database (nightly at
    least, with the scheduler): a cut tail or a rewritten chain is then
    caught by ``audit verify``. A failure to anchor is the run's warning."""
    try:
        made, where = auditing.anchor(app)
    except DncError as exc:
        log.warning("job %s could not anchor the audit log: %s", job, exc)
        return {"warnings": [f"audit anchor not written: {exc}"]}
    except SQLAlchemyError as exc:
        log.warning("job %s could not anchor the audit log: %s", job, exc)
        return {"warnings": [f"audit anchor not written: {one_line(exc)}"]}
    if not where:
        return {}
    return {"audit_anchor": {"records": made.records, "head": made.head, "to": where}}


def job_runs(app: App, job: str | None, limit: int) -> list[JobRun]:
    reap(app)
    with app.store.unit() as uow:
        return jobs_repo.runs(uow.connection, job, limit)


def reap(app: App) -> list[JobRun]:
    """Record each run that died as ``abandoned`` and free its lease: its
    process is gone (on this host, where that can be known), or its lease
    expired. A read first: the write happens only when one is found."""
    with app.store.unit() as uow:
        dead = _dead(app, uow.connection)
    if not dead:
        return []
    with app.store.unit(write=True) as uow:
        ended = [
            (run, why)
            for run, why in _dead(app, uow.connection)
            if jobs_repo.abandon(uow.connection, run, why)
        ]
        uow.commit()
    for run, why in ended:
        log.warning("job %s run %s recorded abandoned: %s", run.job, run.id, why)
    return [run for run, _ in ended]


def _dead(app: App, conn: Connection) -> list[tuple[JobRun, str]]:
    """The running runs whose holder is gone, and why each is known to be."""
    now = app.now()
    here, me = socket.gethostname(), os.getpid()
    found = []
    for run in jobs_repo.running(conn):
        seen = (run.last_seen_at or run.started_at).isoformat(timespec="seconds")
        where = f"{run.host}:{run.pid}"
        if run.host == here and run.pid is not None and run.pid != me and _gone(run.pid):
            found.append((run, f"abandoned: its process {where} is gone; last seen {seen}"))
            continue
        if run.host is None and run.started_at <= now - LEGACY_RUN_LIMIT:
            # Started before runs named their holder (migration 0011): its
            # lease, if any, is long expired; a day is beyond any real run.
            found.append((run, f"abandoned: running since {seen} with no holder on record"))
            continue
        if run.lease_owner is None:
            continue  # no lease, another host: nothing tells it is dead
        lease = jobs_repo.lease_of(conn, run.lease_owner)
        if lease is None or lease.until <= now:
            expired = f"expired {lease.until.isoformat(timespec='seconds')}" if lease else "gone"
            found.append((run, f"abandoned: its lease ({where}) {expired}; last seen {seen}"))
    return found


def _gone(pid: int) -> bool:
    """Whether no live process has this id on this host (a zombie, killed and
    not yet collected by its parent, is gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # someone else's process: alive
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] in (["Z"], ["X"])


def lease_owner(name: str) -> str:
    """Who a lease names: ``name`` (the actor), where, and this one run.

    Unique per run, so neither a second process of the same user on the
    same host nor a second run in this process counts as the holder.
    """
    host = socket.gethostname()
    who = name[:120] if name.endswith(f"@{host}") else f"{name[:120]}@{host}"
    return f"{who}:{os.getpid()}:{secrets.token_hex(4)}"[:200]


def _start(app: App, job: str, trigger: str, lease: str | None, owner: str | None) -> Run:
    # A run that died holding the lease no longer keeps this one waiting.
    reap(app)
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
        run_id = jobs_repo.start(
            uow.connection,
            job,
            trigger,
            app.now(),
            host=socket.gethostname(),
            pid=os.getpid(),
            lease_owner=owner if lease is not None else None,
        )
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
