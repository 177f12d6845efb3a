"""When the scheduled jobs run: the ``[scheduler]`` configuration table."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

from dnc.errors import ConfigError


@dataclass(frozen=True, slots=True)
class SchedulerConfig:
    """Cron expressions (minute hour day month weekday) in ``timezone``.

    The nightly scrub runs at 02:00 by default, well before any jurisdiction
    opens at 08:00, so queues are clean before the first call.
    """

    timezone: str = "UTC"
    scrub_cron: str = "0 2 * * *"
    freshness_cron: str = "0 6 * * *"
    freshness_warn_days: int = 5
    consent_cron: str = "30 6 * * *"
    integrity_cron: str = "0 1 * * *"
    misfire_grace_seconds: int = 3600

    def trigger(self, cron: str) -> CronTrigger:
        return CronTrigger.from_crontab(cron, timezone=ZoneInfo(self.timezone))


_KEYS = {
    "timezone",
    "scrub_cron",
    "freshness_cron",
    "freshness_warn_days",
    "consent_cron",
    "integrity_cron",
    "misfire_grace_seconds",
}


def parse_scheduler(raw: Any, source_of: Callable[[str], str]) -> SchedulerConfig:
    if raw is None:
        return SchedulerConfig()
    if not isinstance(raw, Mapping):
        raise ConfigError(source_of("scheduler"), "scheduler", "must be a table")
    for key in raw:
        if key not in _KEYS:
            where = f"scheduler.{key}"
            raise ConfigError(
                source_of(where), where, f"unknown key (known: {', '.join(sorted(_KEYS))})"
            )
    base = SchedulerConfig()
    values: dict[str, Any] = {}
    for key in ("timezone", "scrub_cron", "freshness_cron", "consent_cron", "integrity_cron"):
        value = raw.get(key, getattr(base, key))
        if not isinstance(value, str):
            where = f"scheduler.{key}"
            raise ConfigError(source_of(where), where, f"must be a string, not {value!r}")
        values[key] = value
    for key in ("freshness_warn_days", "misfire_grace_seconds"):
        value = raw.get(key, getattr(base, key))
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            where = f"scheduler.{key}"
            raise ConfigError(
                source_of(where), where, f"must be a whole number >= 1, not {value!r}"
            )
        values[key] = value
    try:
        ZoneInfo(values["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        where = "scheduler.timezone"
        raise ConfigError(
            source_of(where), where, f"{values['timezone']!r} is not an IANA time zone"
        ) from None
    config = SchedulerConfig(**values)
    for key in ("scrub_cron", "freshness_cron", "consent_cron", "integrity_cron"):
        try:
            config.trigger(values[key])
        except ValueError as exc:
            where = f"scheduler.{key}"
            raise ConfigError(source_of(where), where, f"not a cron expression: {exc}") from None
    return config
