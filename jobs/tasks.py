"""Scheduled job functions. Module-level and referenced by string
("dnc.jobs.tasks:nightly_scrub") so the job store keeps only their names and
JSON-simple arguments (never a database URL or its password).

Each body opens the service and makes one call, ``Service.run_job``, which
records the run under the job's name. Without arguments the store is found
the way every command finds it (DNC_DATABASE_URL, DNC_CONFIG): ``dnc jobs
serve`` puts what it was given there for the jobs it runs.
"""

from __future__ import annotations

from typing import Any

import dnc

NIGHTLY_SCRUB = "nightly-scrub"
REGISTRY_FRESHNESS = "registry-freshness"
CONSENT_EXPIRY = "consent-expiry"
STORAGE_INTEGRITY = "storage-integrity"


def nightly_scrub(
    database_url: str | None = None, config: str | None = None, trigger: str = "scheduled"
) -> dict[str, Any]:
    return _run(NIGHTLY_SCRUB, database_url, config, trigger)


def registry_freshness(
    database_url: str | None = None, config: str | None = None, trigger: str = "scheduled"
) -> dict[str, Any]:
    return _run(REGISTRY_FRESHNESS, database_url, config, trigger)


def consent_expiry(
    database_url: str | None = None, config: str | None = None, trigger: str = "scheduled"
) -> dict[str, Any]:
    return _run(CONSENT_EXPIRY, database_url, config, trigger)


def storage_integrity(
    database_url: str | None = None, config: str | None = None, trigger: str = "scheduled"
) -> dict[str, Any]:
    return _run(STORAGE_INTEGRITY, database_url, config, trigger)


def _run(job: str, database_url: str | None, config: str | None, trigger: str) -> dict[str, Any]:
    with dnc.open(database_url, config) as service:
        return service.run_job(job, trigger)


JOBS = {
    NIGHTLY_SCRUB: nightly_scrub,
    REGISTRY_FRESHNESS: registry_freshness,
    CONSENT_EXPIRY: consent_expiry,
    STORAGE_INTEGRITY: storage_integrity,
}
