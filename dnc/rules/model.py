"""The calling rules as values: what a jurisdiction file says, once validated.

Times of day are whole seconds since local midnight; a window is the half-open
span ``[start, end)`` so that the law's "not before 08:00 or after 21:00"
allows 08:00 and refuses 21:00. ``end`` may be 86400 ("24:00").

Every rule carries its ``source`` and its effective dates: it is in force on
local date ``d`` when ``effective_from <= d < effective_until`` (a missing
bound is open).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

Span = tuple[int, int]
"""A half-open span of seconds since local midnight, 0 <= start < end <= 86400."""

DAY_SECONDS = 86_400
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Consent(StrEnum):
    """How much consent a jurisdiction demands before a marketing call."""

    NONE = "none"
    EXPRESS = "express"
    EXPRESS_WRITTEN = "express_written"

    @property
    def rank(self) -> int:
        return _CONSENT_RANK[self]


_CONSENT_RANK = {Consent.NONE: 0, Consent.EXPRESS: 1, Consent.EXPRESS_WRITTEN: 2}


class CapScope(StrEnum):
    """What a frequency cap counts: calls on the same subject, or every call."""

    SUBJECT = "subject"
    ALL = "all"


def in_force(effective_from: date | None, effective_until: date | None, on: date) -> bool:
    return (effective_from is None or effective_from <= on) and (
        effective_until is None or on < effective_until
    )


def applies_to_call(call_types: frozenset[str] | None, call_type: str | None) -> bool:
    # An unstated call type gets every rule, typed or not: the conservative
    # reading, since a typed rule can only add restrictions.
    return call_types is None or call_type is None or call_type in call_types


@dataclass(frozen=True, slots=True)
class WindowRule:
    """Calls are allowed on ``days`` between ``start`` and ``end``, local time."""

    days: frozenset[int]
    start: int
    end: int
    source: str
    effective_from: date | None = None
    effective_until: date | None = None
    call_types: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class BlockedWeekdays:
    """No calls at all on these weekdays (0 = Monday)."""

    days: frozenset[int]
    source: str
    effective_from: date | None = None
    effective_until: date | None = None
    call_types: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class HolidayRule:
    """No calls on the public holidays of a ``holidays`` calendar.

    ``calendar`` is an ISO 3166-1 or 3166-2 code, or None for the
    jurisdiction's own (for the default rules: the called party's country).
    Observed days count as holidays.
    """

    calendar: str | None
    categories: tuple[str, ...]
    source: str
    effective_from: date | None = None
    effective_until: date | None = None
    call_types: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class FrequencyCap:
    """At most ``calls`` calls per rolling ``per`` to one number.

    ``scope`` says what is counted: calls on the same subject, or all calls.
    The rule engine only exposes caps; counting attempts is done elsewhere.
    """

    calls: int
    per: timedelta
    scope: CapScope
    jurisdiction: str
    source: str
    effective_from: date | None = None
    effective_until: date | None = None
    call_types: frozenset[str] | None = None

    def in_force_on(self, on: date) -> bool:
        return in_force(self.effective_from, self.effective_until, on)


@dataclass(frozen=True, slots=True)
class ConsentRule:
    """A jurisdiction's consent requirement for marketing calls."""

    level: Consent
    jurisdiction: str
    source: str
    effective_from: date | None = None
    effective_until: date | None = None
    call_types: frozenset[str] | None = None

    def in_force_on(self, on: date) -> bool:
        return in_force(self.effective_from, self.effective_until, on)


@dataclass(frozen=True, slots=True)
class WindowGroup:
    """The windows of one jurisdiction that share a call-type scope.

    Windows in a group are united; groups are intersected, so a typed group
    can only narrow the untyped one.
    """

    call_types: frozenset[str] | None
    windows: tuple[WindowRule, ...]


@dataclass(frozen=True, slots=True, eq=False)
class Jurisdiction:
    """One rule file: a country, a subdivision, or the default.

    Compared and hashed by identity: a rule book holds one object per file,
    and day plans are cached by the jurisdictions they come from.
    """

    id: str
    name: str
    file: str
    window_groups: tuple[WindowGroup, ...]
    blocked_weekdays: tuple[BlockedWeekdays, ...]
    blocked_holidays: tuple[HolidayRule, ...]
    frequency_caps: tuple[FrequencyCap, ...]
    consent: tuple[ConsentRule, ...]
    zones: tuple[str, ...]
    subdivision_zones: Mapping[str, tuple[str, ...]]

    @property
    def country(self) -> str | None:
        """The ISO 3166-1 code, or None for the default rules."""
        return None if self.id == DEFAULT_ID else self.id[:2]


DEFAULT_ID = "DEFAULT"


@dataclass(frozen=True, slots=True)
class AreaCode:
    """Where a NANP area code is: country, subdivisions (maybe none), zones."""

    code: str
    country: str
    subdivisions: tuple[str, ...]
    zones: tuple[str, ...]


def format_clock(seconds: int) -> str:
    """08:00, 21:30, 24:00; seconds only when there are some."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours:02d}:{minutes:02d}"
    return f"{text}:{secs:02d}" if secs else text


@lru_cache(maxsize=1024)
def format_spans(spans: tuple[Span, ...]) -> str:
    return ", ".join(f"{format_clock(s)}–{format_clock(e)}" for s, e in spans)


def parse_clock(text: str) -> int | None:
    """Seconds since midnight for "HH:MM" or "HH:MM:SS" (up to "24:00"), else None."""
    parts = text.split(":")
    if len(parts) not in (2, 3) or not all(len(p) == 2 and p.isdigit() for p in parts):
        return None
    hours, minutes = int(parts[0]), int(parts[1])
    secs = int(parts[2]) if len(parts) == 3 else 0
    if minutes > 59 or secs > 59:
        return None
    value = hours * 3600 + minutes * 60 + secs
    return value if value <= DAY_SECONDS else None
