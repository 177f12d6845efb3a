"""One local day's plan: which seconds of a date are open, and why the rest are not.

A plan depends only on the local date (weekday, holidays, effective dates),
not on the zone, so a schedule computes it once per date and every candidate
zone reads the same plan at its own local time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from dnc.rules.calendars import holiday_names
from dnc.rules.inputs import CallingHours, Preference
from dnc.rules.model import (
    DAY_SECONDS,
    WEEKDAY_NAMES,
    HolidayRule,
    Jurisdiction,
    Span,
    WindowGroup,
    applies_to_call,
    format_clock,
    format_spans,
    in_force,
)
from dnc.rules.spans import contains, intersect, union
from dnc.verdicts import Reason, ReasonCode

_WHOLE_DAY: tuple[Span, ...] = ((0, DAY_SECONDS),)


@dataclass(frozen=True, slots=True)
class Applied:
    """A jurisdiction as applied to one called party, holiday calendars resolved.

    ``id`` and ``name`` are the jurisdiction's, except for the default rules,
    which are applied per country ("DEFAULT:FR").
    """

    jurisdiction: Jurisdiction
    calendars: tuple[tuple[HolidayRule, str, str | None], ...]
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Closure:
    """The whole local day is closed (a Sunday ban, a holiday, a preferred day off)."""

    code: ReasonCode
    what: str
    source: str | None

    def detail(self, local: datetime, zone: str) -> str:
        text = f"{WEEKDAY_NAMES[local.weekday()]} {local.date().isoformat()} in {zone}: {self.what}"
        return f"{text} ({self.source})" if self.source else text


@dataclass(frozen=True, slots=True)
class Limit:
    """Calls are allowed only inside ``spans`` of this day.

    ``weekday`` is set when the hours differ between weekdays, so the detail
    can say which day's hours it means.
    """

    code: ReasonCode
    who: str
    spans: tuple[Span, ...]
    weekday: int | None
    source: str | None

    def detail(self, local: datetime, zone: str, seconds: int) -> str:
        day = WEEKDAY_NAMES[local.weekday()]
        if not self.spans:
            text = (
                f"{day} {local.date().isoformat()} in {zone}: {self.who} allow no calls on {day}s"
            )
        else:
            hours = format_spans(self.spans)
            text = f"{format_clock(seconds)} in {zone} is outside {self.who} {hours}"
            if self.weekday is not None:
                text += f" on {WEEKDAY_NAMES[self.weekday]}s"
        return f"{text} ({self.source})" if self.source else text


@dataclass(frozen=True, slots=True)
class DayPlan:
    closures: tuple[Closure, ...]
    limits: tuple[Limit, ...]
    open: tuple[Span, ...]

    def is_open(self, seconds: int) -> bool:
        return contains(self.open, seconds)

    def broken(self, seconds: int) -> tuple[int, ...]:
        """Which limits a call at ``seconds`` breaks, by position."""
        return tuple(i for i, limit in enumerate(self.limits) if not contains(limit.spans, seconds))

    def reasons(self, local: datetime, zone: str, seconds: int) -> list[Reason]:
        found = [Reason(c.code, c.detail(local, zone)) for c in self.closures]
        found.extend(
            Reason(limit.code, limit.detail(local, zone, seconds))
            for limit in self.limits
            if not contains(limit.spans, seconds)
        )
        return found


def plan_day(
    day: date,
    applied: tuple[Applied, ...],
    call_type: str | None,
    campaign: CallingHours | None,
    preference: Preference | None,
) -> DayPlan:
    weekday = day.weekday()
    law_closures, law_limits = law_day(day, applied, call_type)
    closures = list(law_closures)
    limits = list(law_limits)
    if campaign is not None:
        varies = len({s for s in campaign.by_weekday if s}) > 1
        spans = campaign.by_weekday[weekday]
        limits.append(
            Limit(
                ReasonCode.OUTSIDE_CALLING_HOURS,
                campaign.label,
                spans,
                weekday if varies else None,
                None,
            )
        )
    if preference is not None:
        if preference.days is not None and weekday not in preference.days:
            closures.append(
                Closure(
                    ReasonCode.PREFERRED_HOURS,
                    f"the called party prefers no calls on {WEEKDAY_NAMES[weekday]}s",
                    None,
                )
            )
        start, end = preference.start_seconds, preference.end_seconds
        if (start, end) != (0, DAY_SECONDS):
            limits.append(
                Limit(
                    ReasonCode.PREFERRED_HOURS,
                    "the called party's preferred hours",
                    ((start, end),),
                    None,
                    None,
                )
            )
    open_spans: tuple[Span, ...] = ()
    if not closures:
        open_spans = _WHOLE_DAY
        for limit in limits:
            open_spans = intersect(open_spans, limit.spans)
    return DayPlan(tuple(closures), tuple(limits), open_spans)


@lru_cache(maxsize=8192)
def law_day(
    day: date, applied: tuple[Applied, ...], call_type: str | None
) -> tuple[tuple[Closure, ...], tuple[Limit, ...]]:
    """What the law alone says of a local date; shared by every schedule of the same place."""
    closures: list[Closure] = []
    limits: list[Limit] = []
    for entry in applied:
        day_closures = _closures(entry, day, call_type)
        closures.extend(day_closures)
        if day_closures:
            # A closed day has no hours to speak of; naming them would only
            # add noise to the reasons.
            continue
        for group in entry.jurisdiction.window_groups:
            limit = _group_limit(group, entry.name, day, call_type)
            if limit is not None:
                limits.append(limit)
    return tuple(closures), tuple(limits)


def _closures(entry: Applied, day: date, call_type: str | None) -> list[Closure]:
    name = entry.name
    weekday = day.weekday()
    found: list[Closure] = []
    for rule in entry.jurisdiction.blocked_weekdays:
        if (
            weekday in rule.days
            and in_force(rule.effective_from, rule.effective_until, day)
            and applies_to_call(rule.call_types, call_type)
        ):
            found.append(
                Closure(
                    ReasonCode.BLOCKED_DAY,
                    f"{name} allows no calls on {WEEKDAY_NAMES[weekday]}s",
                    rule.source,
                )
            )
    for holiday, country, subdiv in entry.calendars:
        if not (
            in_force(holiday.effective_from, holiday.effective_until, day)
            and applies_to_call(holiday.call_types, call_type)
        ):
            continue
        holiday_name = holiday_names(country, subdiv, holiday.categories, day.year).get(day)
        if holiday_name is not None:
            found.append(
                Closure(
                    ReasonCode.BLOCKED_DAY,
                    f"{holiday_name} is a holiday on which {name} allows no calls",
                    holiday.source,
                )
            )
    return found


def _group_limit(group: WindowGroup, name: str, day: date, call_type: str | None) -> Limit | None:
    if not applies_to_call(group.call_types, call_type):
        return None
    live = [w for w in group.windows if in_force(w.effective_from, w.effective_until, day)]
    if not live:
        # No window of this group is in force yet (or any more): the group
        # says nothing about this date.
        return None
    by_weekday = [union([(w.start, w.end) for w in live if d in w.days]) for d in range(7)]
    weekday = day.weekday()
    used = [w for w in live if weekday in w.days] or live
    sources = "; ".join(dict.fromkeys(w.source for w in used))
    who = f"{name} calling hours"
    if group.call_types is not None:
        who += f" for {', '.join(sorted(group.call_types))} calls"
    varies = len({spans for spans in by_weekday if spans}) > 1
    return Limit(
        ReasonCode.OUTSIDE_CALLING_HOURS,
        who,
        by_weekday[weekday],
        weekday if varies else None,
        sources,
    )
