"""Calling rules applied to one number's facts: hours, consent, caps. Pure domain.

The law (via the rules engine's Schedule), the campaign's policy and the
person's own records (consents, attempts) meet here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from dnc.consent import ConsentRecord, satisfies
from dnc.outcomes import OutcomeRecord, attempt_times
from dnc.policy import Calling
from dnc.rules import CapScope, Schedule
from dnc.verdicts import Reason, ReasonCode


def calling_reasons(
    schedule: Schedule,
    *,
    consents: Sequence[ConsentRecord],
    outcomes: Sequence[OutcomeRecord],
    attempts_since: datetime | None,
    calling: Calling,
    campaign: str | None,
    at: datetime,
) -> list[Reason]:
    """OUTSIDE_CALLING_HOURS, BLOCKED_DAY, PREFERRED_HOURS, CONSENT_REQUIRED, FREQUENCY_CAP.

    ``attempts_since``: the outcomes hold every attempt from then on (None:
    all of them). A cap whose window reaches further back cannot be counted
    and raises, which the check turns into a refusal, never a pass.
    """
    reasons = list(schedule.reasons_at(at))
    rule = schedule.consent_at(at)
    if rule is not None and rule.level.rank > 0 and not satisfies(rule.level.value, consents):
        required = schedule.consent_reason(at)
        if required is not None:
            reasons.append(
                Reason(required.code, f"{required.detail}; none is on record for this call")
            )
    caps = [
        (cap.calls, cap.per, None if cap.scope is CapScope.ALL else campaign,
         f"{cap.jurisdiction} ({cap.source})")
        for cap in schedule.frequency_caps_at(at)
    ]  # fmt: skip
    if calling.max_calls is not None:
        caps.append((calling.max_calls, calling.per, campaign, f"campaign {campaign!r}"))
    for calls, per, counted, whose in caps:
        if attempts_since is not None and at - per < attempts_since:
            raise ValueError(f"the {whose} cap looks back {per}, further than the attempts read")
        reason = _cap_reason(outcomes, calls, per, counted, at, whose)
        if reason:
            reasons.append(reason)
    return reasons


def _cap_reason(
    outcomes: Iterable[OutcomeRecord],
    calls: int,
    per: timedelta,
    campaign: str | None,
    at: datetime,
    whose: str,
) -> Reason | None:
    """At most ``calls`` per rolling ``per``: the next call would be one too many.

    The window is (at - per, at]; it reopens when the oldest counted call
    that keeps the count at the cap leaves it.
    """
    times = [t for t in attempt_times(outcomes, at - per, campaign) if t <= at and t > at - per]
    if len(times) < calls:
        return None
    reopens = times[len(times) - calls] + per
    hours = per.total_seconds() / 3600
    span = f"{hours:g} h"
    counted = "calls" if campaign is None else f"calls for campaign {campaign!r}"
    return Reason(
        ReasonCode.FREQUENCY_CAP,
        f"{len(times)} {counted} in the last {span}; {whose} allows at most {calls} per {span}",
        until=reopens,
    )
