"""What callers add to the law: a campaign's own hours and a person's wishes.

Both can only narrow what the law allows; they are frozen and hashable so a
schedule built from them can be cached.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import time

from dnc.errors import InputError
from dnc.rules.model import DAY_SECONDS, Span, parse_clock
from dnc.rules.spans import union

ClockLike = time | str
"""A local time of day: a naive ``datetime.time`` or "HH:MM" ("24:00" ends a day)."""


def _seconds(value: ClockLike, what: str) -> int:
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise InputError(f"{what} must be a local time of day without a time zone")
        if value.microsecond:
            raise InputError(f"{what} must be whole seconds, got {value.isoformat()}")
        return value.hour * 3600 + value.minute * 60 + value.second
    if isinstance(value, str):
        seconds = parse_clock(value.strip())
        if seconds is None:
            raise InputError(f"{what} must be HH:MM between 00:00 and 24:00, got {value!r}")
        return seconds
    raise InputError(f"{what} must be a datetime.time or an 'HH:MM' string, got {value!r}")


def _weekdays(days: Iterable[int], what: str) -> frozenset[int]:
    result = frozenset(days)
    if not all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 6 for d in result):
        raise InputError(f"{what} must be weekday numbers 0 (Monday) to 6 (Sunday)")
    return result


@dataclass(frozen=True, slots=True)
class CallingHours:
    """A campaign's own calling windows per weekday, in the called party's local time.

    ``by_weekday[0]`` holds Monday's half-open spans (seconds since midnight);
    a weekday without spans is closed for the campaign. Build one with
    :meth:`daily` or :meth:`weekly` rather than by hand.
    """

    by_weekday: tuple[tuple[Span, ...], ...]
    label: str = "the campaign's calling hours"

    def __post_init__(self) -> None:
        if len(self.by_weekday) != 7:
            raise InputError("calling hours need one entry per weekday, Monday first")
        for spans in self.by_weekday:
            for start, end in spans:
                if not 0 <= start < end <= DAY_SECONDS:
                    raise InputError(f"calling window {start}–{end} is not inside one day")
        object.__setattr__(self, "by_weekday", tuple(union(list(s)) for s in self.by_weekday))

    @classmethod
    def daily(
        cls,
        start: ClockLike,
        end: ClockLike,
        days: Iterable[int] = range(7),
        label: str = "the campaign's calling hours",
    ) -> CallingHours:
        """The same window ``[start, end)`` on each of ``days`` (0 = Monday)."""
        return cls.weekly({day: [(start, end)] for day in _weekdays(days, "days")}, label)

    @classmethod
    def weekly(
        cls,
        windows: Mapping[int, Iterable[tuple[ClockLike, ClockLike]]],
        label: str = "the campaign's calling hours",
    ) -> CallingHours:
        """Windows per weekday, e.g. ``{0: [("09:00", "12:00"), ("13:00", "18:00")]}``."""
        days = _weekdays(windows.keys(), "calling hours keys")
        table: list[list[Span]] = [[] for _ in range(7)]
        for day in days:
            for start, end in windows[day]:
                s = _seconds(start, "window start")
                e = _seconds(end, "window end")
                if s >= e:
                    raise InputError(f"calling window {start}–{end} ends before it starts")
                table[day].append((s, e))
        return cls(tuple(tuple(spans) for spans in table), label)


@dataclass(frozen=True, slots=True)
class Preference:
    """The called person's own wishes, in their local time.

    Calls are wanted from ``not_before`` up to, but not at, ``not_after``, on
    ``days`` (weekday numbers, 0 = Monday); None leaves that part open.
    """

    not_before: time | None = None
    not_after: time | None = None
    days: frozenset[int] | None = None

    def __post_init__(self) -> None:
        start = self.start_seconds
        end = self.end_seconds
        if start >= end:
            raise InputError("a preference's not_before must be earlier than its not_after")
        if self.days is not None:
            object.__setattr__(self, "days", _weekdays(self.days, "preferred days"))

    @property
    def start_seconds(self) -> int:
        return 0 if self.not_before is None else _seconds(self.not_before, "not_before")

    @property
    def end_seconds(self) -> int:
        return DAY_SECONDS if self.not_after is None else _seconds(self.not_after, "not_after")
