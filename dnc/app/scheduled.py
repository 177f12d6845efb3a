"""The scheduled jobs, each one use case recorded under the job's own name."""

from __future__ import annotations

import logging
from typing import Any

from dnc.app import consents, health, registries, scrub
from dnc.app.context import App
from dnc.app.jobs import Run, recorded
from dnc.errors import InputError, ScrubBusyError, StorageUnhealthyError

log = logging.getLogger("dnc.jobs")

NIGHTLY_SCRUB = "nightly-scrub"
REGISTRY_FRESHNESS = "registry-freshness"
CONSENT_EXPIRY = consents.CONSENT_EXPIRY_JOB
STORAGE_INTEGRITY = "storage-integrity"
JOBS = (NIGHTLY_SCRUB, REGISTRY_FRESHNESS, CONSENT_EXPIRY, STORAGE_INTEGRITY)
JOB_ACTOR = "dnc-scheduler"
"""Who the audit trail names for what a job records."""


def run(app: App, job: str, trigger: str) -> dict[str, Any]:
    """Run ``job`` now; its run is recorded under its name, and a failure is
    recorded and raised again. A scrub that finds another running is
    recorded as skipped, and says so."""
    if job == NIGHTLY_SCRUB:
        try:
            report = scrub.scrub(
                app,
                campaign=None,
                at=None,
                dry_run=False,
                trigger=trigger,
                owner=JOB_ACTOR,
                job=NIGHTLY_SCRUB,
            )
        except ScrubBusyError as busy:
            # Another scheduler (or an officer's manual scrub) got there first.
            return {"skipped": str(busy)}
        return report.to_dict()
    if job == REGISTRY_FRESHNESS:
        return recorded(app, job, trigger, _freshness(app))
    if job == CONSENT_EXPIRY:
        return recorded(
            app, job, trigger, lambda _run: consents.expire_consents(app, app.now(), JOB_ACTOR)
        )
    if job == STORAGE_INTEGRITY:
        return recorded(app, job, trigger, _integrity(app))
    raise InputError(f"unknown job {job!r} (choose from {', '.join(JOBS)})")


def _integrity(app: App) -> Any:
    def work(_run: Run) -> dict[str, Any]:
        found = health.check_integrity(app)
        if not found.ok:
            # Recorded as the run's failure; checks already fail closed.
            raise StorageUnhealthyError(
                f"integrity check failed ({found.method}): {'; '.join(found.problems[:5])}"
            )
        counts: dict[str, Any] = {"integrity": "ok", "method": found.method}
        if found.unchecked:
            log.warning("storage integrity: %s", found.unchecked)
            counts["warnings"] = [found.unchecked]
        return counts

    return work


def _freshness(app: App) -> Any:
    def work(_run: Run) -> dict[str, Any]:
        found = registries.freshness_warnings(app, None)
        for warning in found["warnings"]:
            log.warning("registry needs a fresh list: %s", warning)
        return found

    return work
