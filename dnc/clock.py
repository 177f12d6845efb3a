"""Where "now" comes from: the one place this library reads the wall clock.

Every stamp the service writes and every default instant comes from the
clock the service was opened with (``dnc.open(..., clock=...)``), never from
a ``datetime.now()`` below the entry points. Tests and reproducible runs pass
a ``FixedClock``; production uses ``SystemClock``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol, runtime_checkable

from dnc.errors import InputError, TimeRangeError

CLOCK_SKEW = timedelta(minutes=5)
"""How far a caller's clock may run from the service's before a time it gives is
refused as future or past: a dialer a minute fast must not lose an opt-out."""


@runtime_checkable
class Clock(Protocol):
    """Anything that tells the current instant as an aware UTC datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The machine's clock."""

    __slots__ = ()

    def now(self) -> datetime:
        return datetime.now(UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


class FixedClock:
    """A clock that stands still until moved: for tests and reproducible runs."""

    __slots__ = ("_at",)

    def __init__(self, at: datetime) -> None:
        self._at = aware(at, "at").astimezone(UTC)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = aware(at, "at").astimezone(UTC)

    def advance(self, by: timedelta) -> datetime:
        self._at += by
        return self._at

    def __repr__(self) -> str:
        return f"FixedClock({self._at.isoformat()})"


def aware(value: object, name: str) -> datetime:
    """``value`` if it is a timezone-aware datetime; InputError otherwise."""
    if not isinstance(value, datetime):
        raise InputError(f"{name} must be a datetime, not {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InputError(f"{name} must be timezone-aware, got {value.isoformat()}")
    return value


def not_after_now(value: datetime, now: datetime, what: str, why: str) -> datetime:
    """``value`` unless it is later than ``now`` by more than the clock skew."""
    if value > now + CLOCK_SKEW:
        raise TimeRangeError(what, value.isoformat(), "in the future", now.isoformat(), why)
    return value


def not_before_now(value: datetime, now: datetime, what: str, why: str) -> datetime:
    """``value`` unless it is earlier than ``now`` by more than the clock skew."""
    if value < now - CLOCK_SKEW:
        raise TimeRangeError(what, value.isoformat(), "already past", now.isoformat(), why)
    return value


def day_not_after_today(value: date, now: datetime, what: str, why: str) -> date:
    """``value`` unless it is a later UTC day than ``now`` (plus the clock skew) falls on."""
    today = (now + CLOCK_SKEW).astimezone(UTC).date()
    if value > today:
        raise TimeRangeError(what, value.isoformat(), "after today", f"{today} UTC", why)
    return value
