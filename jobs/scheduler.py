"""The scheduler: APScheduler 3 with its job store in the service's own database."""

from __future__ import annotations

import logging

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.blocking import BlockingScheduler

import dnc
from dnc.jobs import tasks

log = logging.getLogger("dnc.jobs")


def build(service: dnc.Service) -> BlockingScheduler:
    """Register the jobs under fixed ids, replacing what an earlier start stored.

    ``coalesce``: a scheduler that was down for several runs catches up with
    one, not a burst. ``max_instances=1``: a slow scrub is never started
    twice by one scheduler; the scrub lease covers other schedulers. The job
    store keeps the jobs' arguments in the database: never the URL (or its
    password); the jobs find the store as every command does (jobs.tasks).
    """
    settings = service.config.scheduler
    scheduler = BlockingScheduler(
        jobstores={
            "default": SQLAlchemyJobStore(url=service.store.url(), tablename="apscheduler_jobs")
        },
        timezone=settings.timezone,
    )
    kwargs = {"trigger": "scheduled"}
    for job_id, func, cron in (
        (tasks.NIGHTLY_SCRUB, "dnc.jobs.tasks:nightly_scrub", settings.scrub_cron),
        (tasks.REGISTRY_FRESHNESS, "dnc.jobs.tasks:registry_freshness", settings.freshness_cron),
        (tasks.CONSENT_EXPIRY, "dnc.jobs.tasks:consent_expiry", settings.consent_cron),
        (tasks.STORAGE_INTEGRITY, "dnc.jobs.tasks:storage_integrity", settings.integrity_cron),
    ):
        scheduler.add_job(
            func,
            settings.trigger(cron),
            id=job_id,
            name=job_id,
            kwargs=kwargs,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=settings.misfire_grace_seconds,
        )
    return scheduler
