"""Gather a report's facts from the store (the service side of ``Service.report``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy.engine import Engine

from dnc.registry_ops import RegistryStatus
from dnc.reports.model import RegistryAge, Report, build, period
from dnc.storage import report_repo
from dnc.storage.uow import UnitOfWork


def registry_ages(statuses: Sequence[RegistryStatus]) -> list[RegistryAge]:
    return [
        RegistryAge(
            registry=s.definition.name,
            title=s.definition.title,
            required=s.definition.required,
            state=s.freshness.state,
            max_age_days=s.definition.max_age_days,
            as_of=s.freshness.as_of,
            age_days=s.freshness.age_days,
            days_left=s.freshness.days_left,
            size=s.size,
        )
        for s in statuses
    ]


def report(
    engine: Engine,
    since: date,
    until: date,
    *,
    registries: Sequence[RegistryStatus],
    generated_at: datetime,
) -> Report:
    start, end = period(since, until)
    # One read transaction: every section counts the same committed state.
    with UnitOfWork(engine) as uow:
        conn = uow.connection
        opt_outs = report_repo.opt_outs(conn, start, end)
        three_nos = report_repo.three_nos(conn, start, end)
        runs = report_repo.scrub_runs(conn, start, end)
        failures = report_repo.job_failures(conn, start, end)
    return build(
        since=since,
        until=until,
        generated_at=generated_at,
        opt_outs=opt_outs,
        three_nos=three_nos,
        scrub_runs=runs,
        registries=registry_ages(registries),
        failures=failures,
    )
