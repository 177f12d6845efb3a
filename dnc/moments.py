"""Instants as a person reads them: to the minute, in the called party's
local time beside UTC. Pure domain.

JSON keeps full ISO 8601 instants; everything written for a person (reason
details, the command line's tables and lines) goes through :func:`describe`
or :func:`minute`, so one instant reads the same everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def minute(at: datetime) -> str:
    """``2026-12-03 14:00 UTC``: sortable, to the minute (the reason details' form)."""
    return f"{at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def describe(at: datetime, zones: Sequence[str] = (), *, now: datetime | None = None) -> str:
    """``08:00 CST Thu 3 Dec (14:00 UTC)`` for a number with one local time,
    ``14:00 UTC Thu 3 Dec`` otherwise; the year is said unless ``now`` is given
    and in the same year.

    A number whose zones disagree at that instant (a NANP area code spanning
    two zones) has no one local time, so only UTC is said.
    """
    utc = at.astimezone(UTC)
    with_year = now is None or now.astimezone(UTC).year != utc.year
    local = _local(utc, zones)
    if local is None:
        return f"{utc:%H:%M} UTC {_day(utc, with_year)}"
    return f"{local:%H:%M} {local.tzname()} {_day(local, with_year)} ({utc:%H:%M} UTC)"


def _day(at: datetime, with_year: bool) -> str:
    text = f"{at:%a} {at.day} {at:%b}"
    return f"{text} {at.year}" if with_year else text


def _local(utc: datetime, zones: Sequence[str]) -> datetime | None:
    found = [z for z in (_zone(name) for name in zones) if z is not None]
    if not found:
        return None
    local = utc.astimezone(found[0])
    if local.utcoffset() == UTC.utcoffset(None):
        return None  # the called party's time is UTC: said once
    for other in found[1:]:
        there = utc.astimezone(other)
        if (there.utcoffset(), there.tzname()) != (local.utcoffset(), local.tzname()):
            return None
    return local


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
