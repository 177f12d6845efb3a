"""Scheduled job functions. Module-level and referenced by string
("dnc.jobs.tasks:nightly_scrub") so the job store keeps only their names and
JSON-simple arguments; each body opens the service and makes one call."""

from __future__ import annotations

import logging
from typing import Any

import dnc
from dnc import job_ops
from dnc.queue_ops import ScrubBusyError

log = logging.getLogger("dnc.jobs")

_serving: tuple[str | None, str | None] = (None, None)


def serve_with(database_url: str | None, config: str | None) -> None:
    """Where scheduled runs in this process find the store (see scheduler.build)."""
    global _serving
    _serving = (database_url, config)


def _open(database_url: str | None, config: str | None) -> dnc.Service:
    if database_url is None and config is None:
        database_url, config = _serving
    return dnc.open(database_url, config)


NIGHTLY_SCRUB = "nightly-scrub"
REGISTRY_FRESHNESS = "registry-freshness"
CONSENT_EXPIRY = "consent-expiry"


def nightly_scrub(
    database_url: str | None = None, config: str | None = None, trigger: str = "scheduled"
) -> dict[str, Any]:
    with _open(database_url, config) as service:
        try:
            report = service.scrub(trigger=trigger)
        except ScrubBusyError as busy:
            # Another scheduler (or an officer's manual scrub) got there first.
            job_ops.record_skip(service.engine, service.now(), "scrub", trigger, str(busy))
            log.warning("scrub skipped: %s", busy)
            return {"skipped": str(busy)}
        log.info("scrub done: %s", report.to_dict())
        return report.to_dict()


def registry_freshness(
    database_url: str | None = None, config: str | None = None, trigger: str = "scheduled"
) -> dict[str, Any]:
    with _open(database_url, config) as service:
        warn_days = service.config.scheduler.freshness_warn_days

        def work() -> dict[str, Any]:
            warnings = []
            for status in service.registry_status():
                name, days_left = status.definition.name, status.freshness.days_left
                if not status.definition.required:
                    continue
                if days_left is None or days_left <= warn_days:
                    left = "no snapshot" if days_left is None else f"{days_left} days left"
                    warnings.append(f"{name}: {left}")
                    log.warning("registry %s needs a fresh list (%s)", name, left)
            return {"warnings": warnings, "warn_days": warn_days}

        return job_ops.recorded(service.engine, service.clock, "registry_freshness", trigger, work)


def consent_expiry(
    database_url: str | None = None, config: str | None = None, trigger: str = "scheduled"
) -> dict[str, Any]:
    with _open(database_url, config) as service:
        return job_ops.recorded(
            service.engine,
            service.clock,
            "consent_expiry",
            trigger,
            lambda: job_ops.expire_consents(service.engine, service.now(), "dnc-scheduler"),
        )


JOBS = {
    NIGHTLY_SCRUB: nightly_scrub,
    REGISTRY_FRESHNESS: registry_freshness,
    CONSENT_EXPIRY: consent_expiry,
}
