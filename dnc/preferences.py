"""A person's own calling wishes, written the way people say them. Pure domain.

"not before 10", "not after 18:30", "weekdays only" → a rules Preference.
"""

from __future__ import annotations

from datetime import time

from dnc.errors import InputError
from dnc.rules import Preference

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_days(text: str) -> frozenset[int]:
    """``mon-fri``, ``sat,sun``, ``mon-wed,fri`` → weekday numbers (0 = Monday)."""
    days: set[int] = set()
    for part in text.lower().replace(" ", "").split(","):
        first, sep, last = part.partition("-")
        start = _day(first, text)
        end = _day(last, text) if sep else start
        if end < start:
            raise InputError(f"days {text!r}: range {part!r} runs backwards")
        days.update(range(start, end + 1))
    return frozenset(days)


def format_days(days: frozenset[int] | None) -> str | None:
    return None if days is None else ",".join(DAY_NAMES[d] for d in sorted(days))


def parse_clock(text: str, option: str) -> time:
    try:
        return time.fromisoformat(text if len(text) > 2 else f"{int(text):02d}:00")
    except ValueError:
        raise InputError(f"{option} {text!r} is not a time of day (HH:MM)") from None


def build(not_before: str | None, not_after: str | None, days: str | None) -> Preference:
    """A Preference from the CLI's words; at least one part must be given."""
    if not_before is None and not_after is None and days is None:
        raise InputError("give at least one of not-before, not-after or days")
    return Preference(
        not_before=parse_clock(not_before, "not-before") if not_before else None,
        not_after=parse_clock(not_after, "not-after") if not_after else None,
        days=parse_days(days) if days else None,
    )


def update(
    before: Preference | None,
    not_before: str | None,
    not_after: str | None,
    days: str | None,
) -> Preference:
    """``before`` with only the parts given changed: "mon-fri" after "not
    before 10" keeps the 10 o'clock."""
    given = build(not_before, not_after, days)
    if before is None:
        return given
    return Preference(
        not_before=given.not_before if not_before else before.not_before,
        not_after=given.not_after if not_after else before.not_after,
        days=given.days if days else before.days,
    )


def describe(preference: Preference) -> str:
    parts = []
    if preference.not_before is not None:
        parts.append(f"not before {preference.not_before:%H:%M}")
    if preference.not_after is not None:
        parts.append(f"not after {preference.not_after:%H:%M}")
    if preference.days is not None:
        parts.append(f"only {format_days(preference.days)}")
    return ", ".join(parts)


def _day(name: str, text: str) -> int:
    try:
        return DAY_NAMES.index(name[:3]) if len(name) >= 3 else DAY_NAMES.index(name)
    except ValueError:
        raise InputError(
            f"days {text!r}: {name!r} is not a weekday (use {', '.join(DAY_NAMES)})"
        ) from None
