"""The decision: facts + rules + the moment of the call → verdict. Pure domain.

Every applicable reason is listed, not just the first, so a compliance
officer sees the whole picture from one check.

How ``next_allowed_at`` is found: a reason either lapses at a known instant
(``Reason.until``: a callback time, the end of a retry wait), or is a window
reason that the calling schedule works out (hours, blocked days, preferred
hours), or does not lapse by itself (a do-not-call entry). One reason of the
last kind makes the next allowed time unknowable (None). Otherwise it is the
first instant the schedule opens at or after every lapse.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from dnc.facts import NumberFacts
from dnc.lists import list_reasons
from dnc.numbers import PhoneNumber
from dnc.verdicts import Reason, ReasonCode, Verdict

WINDOW_CODES = frozenset(
    {ReasonCode.OUTSIDE_CALLING_HOURS, ReasonCode.BLOCKED_DAY, ReasonCode.PREFERRED_HOURS}
)


class OpenTimes(Protocol):
    """The part of a calling schedule ``combine`` needs."""

    def next_open(self, start: datetime) -> datetime | None: ...


def decide(
    number: PhoneNumber, facts: NumberFacts, *, campaign: str | None, at: datetime
) -> Verdict:
    reasons: list[Reason] = []
    reasons.extend(list_reasons(facts.entries, campaign, at))
    return combine(number.e164, reasons, at, schedule=None)


def combine(
    number: str, reasons: Iterable[Reason], at: datetime, schedule: OpenTimes | None
) -> Verdict:
    """Turn the reasons that apply into a verdict with its next allowed time."""
    reasons = tuple(reasons)
    if not reasons:
        return Verdict.allow(number)
    if any(r.until is None and r.code not in WINDOW_CODES for r in reasons):
        return Verdict.refuse(number, reasons, next_allowed_at=None)
    earliest = max([at, *(r.until for r in reasons if r.until is not None)])
    next_allowed = schedule.next_open(earliest) if schedule is not None else earliest
    return Verdict.refuse(number, reasons, next_allowed_at=next_allowed)
