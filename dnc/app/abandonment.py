"""Abandoned calls per campaign: the rate in a 30-day period, the gate that
stops a campaign over its limit, and the nightly warning before it gets there.

The gate is asked by every check for a campaign, so it keeps each campaign's
state for a few seconds (``TTL_SECONDS``) instead of reading the store each
time; an outcome recorded by this process forgets its campaign at once, one
recorded by another process is seen within the TTL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy.engine import Connection

from dnc.abandonment import AbandonRate, period
from dnc.app.context import App
from dnc.configuration import Config
from dnc.storage import abandon_repo
from dnc.storage.store import Store
from dnc.verdicts import Reason

TTL_SECONDS = 2.0


def rate_in(conn: Connection, config: Config, campaign: str, at: datetime) -> AbandonRate:
    """The campaign's rate in the 30-day period containing ``at``."""
    policy = config.campaigns.for_campaign(campaign).abandonment
    epoch: date | None
    if policy.epoch is not None:
        epoch, source = policy.epoch, "configured"
    else:
        epoch, source = abandon_repo.first_answered(conn, campaign), "first answered call"
    start, end = period(epoch, at)
    answered, abandoned = abandon_repo.totals(conn, campaign, start.date(), end.date())
    return AbandonRate(
        campaign=campaign,
        abandoned=abandoned,
        answered=answered,
        limit=policy.limit,
        warn_at=policy.warn_at,
        period_start=start,
        period_end=end,
        epoch=epoch,
        epoch_source=source if epoch is not None else "none yet",
    )


def rate(app: App, campaign: str, at: datetime | None) -> AbandonRate:
    """``dnc campaign status``: the rate for the period containing ``at`` (default now)."""
    when = app.at(at)
    with app.store.unit() as uow:
        return rate_in(uow.connection, app.config, campaign, when)


def warnings(app: App, at: datetime | None) -> dict[str, Any]:
    """For the nightly job: every campaign at or over ``warn_at`` of its limit."""
    when = app.at(at)
    with app.store.unit() as uow:
        rates = [
            rate_in(uow.connection, app.config, c, when)
            for c in abandon_repo.campaigns(uow.connection)
        ]
    return {
        "abandon_warnings": [
            f"{r.campaign}: {r.state}, {r.abandoned} of {r.answered} answered calls abandoned "
            f"({r.rate:.1%}, limit {r.limit:.1%}) in the period from "
            f"{r.period_start.date().isoformat()}"
            for r in rates
            if r.warning
        ]
    }


class AbandonGate:
    """ABANDON_RATE for a campaign over its limit, at the check's instant."""

    def __init__(self, store: Store, config: Config) -> None:
        self._store = store
        self._config = config
        self._lock = threading.Lock()
        # campaign -> (good until (monotonic), period start, period end, reasons)
        self._known: dict[str, tuple[float, datetime, datetime, tuple[Reason, ...]]] = {}

    def reasons(self, campaign: str, at: datetime) -> Sequence[Reason]:
        found = self._known.get(campaign)
        if found is not None and found[0] > time.monotonic() and found[1] <= at < found[2]:
            return found[3]
        with self._store.unit() as uow:
            current = rate_in(uow.connection, self._config, campaign, at)
        reasons = (current.reason(),) if current.over else ()
        with self._lock:
            self._known[campaign] = (
                time.monotonic() + TTL_SECONDS,
                current.period_start,
                current.period_end,
                reasons,
            )
        return reasons

    def forget(self, campaigns: Iterable[str]) -> None:
        with self._lock:
            for campaign in campaigns:
                self._known.pop(campaign, None)
