"""Job runs (every run recorded, failures included) and job leases."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from dnc.storage.schema import JobLeaseRow, JobRunRow, table
from dnc.storage.types import as_utc

RUN = table(JobRunRow)
LEASE = table(JobLeaseRow)


@dataclass(frozen=True, slots=True)
class JobRun:
    id: int
    job: str
    trigger: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    counts: dict[str, Any] | None
    error: str | None
    host: str | None = None
    pid: int | None = None
    last_seen_at: datetime | None = None
    lease_owner: str | None = None


def start(
    conn: Connection,
    job: str,
    trigger: str,
    at: datetime,
    *,
    host: str | None = None,
    pid: int | None = None,
    lease_owner: str | None = None,
) -> int:
    return int(
        conn.execute(
            insert(RUN)
            .values(
                job=job,
                trigger=trigger,
                started_at=at,
                status="running",
                host=host,
                pid=pid,
                last_seen_at=at,
                lease_owner=lease_owner,
            )
            .returning(RUN.c.id)
        ).scalar_one()
    )


def seen(conn: Connection, run_id: int, at: datetime) -> None:
    """The run's heartbeat: its holder was alive at ``at``."""
    conn.execute(update(RUN).where(RUN.c.id == run_id).values(last_seen_at=at))


def running(conn: Connection) -> list[JobRun]:
    query = select(RUN).where(RUN.c.status == "running").order_by(RUN.c.id)
    return [_run_from_row(row) for row in conn.execute(query)]


def abandon(conn: Connection, run: JobRun, why: str) -> bool:
    """Record a run that died as ``abandoned``, ended when it was last seen,
    and free the lease it held; False if it ended meanwhile."""
    ended = conn.execute(
        update(RUN)
        .where(RUN.c.id == run.id, RUN.c.status == "running")
        .values(status="abandoned", finished_at=run.last_seen_at or run.started_at, error=why)
    ).rowcount
    if ended and run.lease_owner is not None:
        conn.execute(delete(LEASE).where(LEASE.c.owner == run.lease_owner))
    return bool(ended)


def lease_of(conn: Connection, owner: str) -> Lease | None:
    row = conn.execute(
        select(LEASE.c.owner, LEASE.c.acquired_at, LEASE.c.expires_at).where(LEASE.c.owner == owner)
    ).first()
    return _lease(row)


def finish(
    conn: Connection,
    run_id: int,
    *,
    status: str,
    at: datetime,
    counts: dict[str, Any] | None = None,
    error: str | None = None,
) -> None:
    conn.execute(
        update(RUN)
        .where(RUN.c.id == run_id)
        .values(
            status=status,
            finished_at=at,
            counts=json.dumps(counts, sort_keys=True, default=str) if counts else None,
            error=error,
        )
    )


def runs(conn: Connection, job: str | None = None, limit: int = 50) -> list[JobRun]:
    query = select(RUN).order_by(RUN.c.id.desc()).limit(limit)
    if job is not None:
        query = query.where(RUN.c.job == job)
    return [_run_from_row(row) for row in conn.execute(query)]


def counts(conn: Connection) -> dict[tuple[str, str], int]:
    """How many runs each job has had, by how they ended."""
    query = select(RUN.c.job, RUN.c.status, func.count()).group_by(RUN.c.job, RUN.c.status)
    return {(row[0], row[1]): int(row[2]) for row in conn.execute(query)}


def _run_from_row(row: Any) -> JobRun:
    return JobRun(
        id=row.id,
        job=row.job,
        trigger=row.trigger,
        started_at=as_utc(row.started_at) or row.started_at,
        finished_at=as_utc(row.finished_at),
        status=row.status,
        counts=json.loads(row.counts) if row.counts else None,
        error=row.error,
        host=row.host,
        pid=row.pid,
        last_seen_at=as_utc(row.last_seen_at),
        lease_owner=row.lease_owner,
    )


def acquire(conn: Connection, name: str, owner: str, at: datetime, ttl: timedelta) -> bool:
    """Take the lease ``name`` unless someone holds an unexpired one.

    A lease rather than a session lock: it works the same on SQLite and
    PostgreSQL, across processes and machines, and a holder that died
    stops blocking others once its lease expires. Not re-entrant: a holder
    asking again, under the same owner name or not, is refused like anyone.
    """
    taken = conn.execute(
        update(LEASE)
        .where(LEASE.c.name == name, LEASE.c.expires_at <= at)
        .values(owner=owner, acquired_at=at, expires_at=at + ttl)
    ).rowcount
    if taken:
        return True
    if conn.execute(select(LEASE.c.owner).where(LEASE.c.name == name)).first() is not None:
        return False
    try:
        with conn.begin_nested():
            conn.execute(
                insert(LEASE).values(name=name, owner=owner, acquired_at=at, expires_at=at + ttl)
            )
    except IntegrityError:
        return False
    return True


def renew(conn: Connection, name: str, owner: str, at: datetime, ttl: timedelta) -> bool:
    return bool(
        conn.execute(
            update(LEASE)
            .where(LEASE.c.name == name, LEASE.c.owner == owner)
            .values(expires_at=at + ttl)
        ).rowcount
    )


def release(conn: Connection, name: str, owner: str) -> None:
    conn.execute(delete(LEASE).where(LEASE.c.name == name, LEASE.c.owner == owner))


@dataclass(frozen=True, slots=True)
class Lease:
    owner: str
    since: datetime
    until: datetime


def holder(conn: Connection, name: str) -> Lease | None:
    row = conn.execute(
        select(LEASE.c.owner, LEASE.c.acquired_at, LEASE.c.expires_at).where(LEASE.c.name == name)
    ).first()
    return _lease(row)


def _lease(row: Any) -> Lease | None:
    if row is None:
        return None
    since, until = as_utc(row[1]), as_utc(row[2])
    if since is None or until is None:
        return None
    return Lease(row[0], since, until)


def last_success(conn: Connection, job: str) -> JobRun | None:
    """The job's latest run that finished ok (or with warnings)."""
    query = (
        select(RUN)
        .where(RUN.c.job == job, RUN.c.status.in_(("ok", "warning")))
        .order_by(RUN.c.started_at.desc(), RUN.c.id.desc())
        .limit(1)
    )
    row = conn.execute(query).first()
    return _run_from_row(row) if row is not None else None
