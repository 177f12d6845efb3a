"""What a callback request says about when to call, and that turned into an instant.

Pure domain. A hint keeps only what the words gave (a day, a clock time, a
part of the day, "not before 10"); it never holds an absolute time, because
"tomorrow" means nothing until we know when and where the reply arrived.
``resolve_callback`` takes that receipt time and zone as parameters: nothing
here reads the wall clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dnc.errors import InputError

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class CallbackHint:
    """When the person asked to be called, as data.

    ``day_offset`` counts days from the day the reply arrived (0 today,
    1 tomorrow); ``weekday`` is 0 for Monday. ``at`` is a clock time asked
    for ("at 12"), ``not_before``/``not_after`` bound it ("after 10",
    "not before 10", "before 17:00"), ``window`` is a part of the day
    ("after lunch", "in the evening"). ``in_minutes`` is a delay from
    receipt ("in an hour"). ``standing`` marks a lasting wish about hours
    ("don't call before 10") rather than one callback.
    """

    day_offset: int | None = None
    weekday: int | None = None
    at: time | None = None
    not_before: time | None = None
    not_after: time | None = None
    window: tuple[time, time] | None = None
    in_minutes: int | None = None
    standing: bool = False

    @property
    def empty(self) -> bool:
        """True when the words gave no time at all ("call me later")."""
        return self == CallbackHint(standing=self.standing)

    def to_dict(self) -> dict[str, object]:
        return {
            "day_offset": self.day_offset,
            "weekday": WEEKDAY_NAMES[self.weekday] if self.weekday is not None else None,
            "at": _clock(self.at),
            "not_before": _clock(self.not_before),
            "not_after": _clock(self.not_after),
            "window": [_clock(t) for t in self.window] if self.window else None,
            "in_minutes": self.in_minutes,
            "standing": self.standing,
        }


def resolve_callback(
    hint: CallbackHint, received_at: datetime, tz: tzinfo | str
) -> datetime | None:
    """The instant the hint asks for, read in ``tz`` from the reply's ``received_at``.

    A delay counts from ``received_at``. Otherwise the day is the one named
    (the next such weekday, never today) or, with only a clock time, the
    next occurrence of that time; the time is ``at``, else ``not_before``,
    else the start of ``window``, else the start of the named day, where
    the calling-hours rules take over. None when the hint names no time
    ("call me later", "today", "before 5"): the campaign's callback delay
    applies. A clock time that does not exist that day (a DST gap) moves
    forward by the gap. Never earlier than ``received_at``.
    """
    if received_at.tzinfo is None or received_at.utcoffset() is None:
        raise InputError(f"received_at {received_at.isoformat()} has no UTC offset")
    zone = _zone(tz)
    if hint.in_minutes is not None:
        return (received_at + timedelta(minutes=hint.in_minutes)).astimezone(zone)
    local = received_at.astimezone(zone)
    clock = hint.at or hint.not_before or (hint.window[0] if hint.window else None)
    day = _day(hint, local.date())
    if day is None:
        if clock is None:
            return None
        instant = _combine(local.date(), clock, zone)
        return instant if instant > local else _combine(local.date() + timedelta(1), clock, zone)
    if clock is None:
        if day == local.date():
            return None
        return _combine(day, time(0), zone)
    # "Call me tonight" received during (or after) tonight's window asks for
    # now, not for a time already past: a callback is never before its reply.
    return max(_combine(day, clock, zone), local)


def _day(hint: CallbackHint, today: date) -> date | None:
    if hint.weekday is not None:
        ahead = (hint.weekday - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    if hint.day_offset is not None:
        return today + timedelta(days=hint.day_offset)
    return None


def _combine(day: date, clock: time, zone: tzinfo) -> datetime:
    # Through UTC and back: a wall time in a DST gap comes out as the real
    # instant just after it, and the offset shown is the one in force then.
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC).astimezone(zone)


def _zone(tz: tzinfo | str) -> tzinfo:
    if isinstance(tz, tzinfo):
        return tz
    if isinstance(tz, str):
        try:
            return ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    raise InputError(f"time zone {tz!r} is not an IANA zone name known here")


def _clock(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None
